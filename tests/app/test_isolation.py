"""Requests carry nothing across: concurrent drawings each get their own answer.

Different drawings in every form are first sent one at a time; the answers
are the references. Then each is sent several times, shuffled, from many
threads at once (in-process, and against uvicorn with two workers), and every
answer must equal the reference for its own drawing: digit, warnings, the
28x28 image, and probabilities within 1e-6.
"""

import base64
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.app import drawings
from tests.servers import free_port, server_environ, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
THREADS = 16
REPEATS = 6


def random_strokes(rng):
    """1-3 strokes of 2-6 points, spread over most of a 280x280 canvas."""
    strokes = []
    for _ in range(rng.randint(1, 3)):
        points = [[rng.uniform(40, 240), rng.uniform(40, 240)]]
        for _ in range(rng.randint(1, 5)):
            points.append([rng.uniform(40, 240), rng.uniform(40, 240)])
        strokes.append(points)
    return strokes


def request_for(form, strokes):
    """(json, files) keyword arguments posting ``strokes`` in ``form``."""
    if form == "strokes":
        return {"json": {"strokes": strokes, "width": 280, "height": 280}}
    if form == "pixels":
        return {"json": {"pixels": drawings.pixels(strokes)}}
    png = drawings.encode(drawings.canvas(strokes))
    if form == "upload":
        return {"files": {"file": ("d.png", png, "image/png")}}
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    return {"json": {"image": url}}


def make_drawings(count=24, seed=0):
    rng = random.Random(seed)
    forms = ["strokes", "image", "pixels", "upload"]
    return [request_for(forms[i % 4], random_strokes(rng)) for i in range(count)]


DRAWINGS = make_drawings()


def same_answer(answer, reference):
    return (
        answer["digit"] == reference["digit"]
        and answer["warnings"] == reference["warnings"]
        and answer["image"] == reference["image"]
        and np.allclose(answer["probabilities"], reference["probabilities"], atol=1e-6)
    )


def check_concurrent(post):
    """Send DRAWINGS alone, then shuffled from THREADS threads; count mix-ups."""
    references = []
    for drawing in DRAWINGS:
        response = post(drawing)
        assert response.status_code == 200, response.text
        references.append(response.json())
    # The drawings are told apart by their images, so a swap would show.
    images = {str(reference["image"]) for reference in references}
    assert len(images) == len(DRAWINGS)

    order = [i for i in range(len(DRAWINGS)) for _ in range(REPEATS)]
    random.Random(1).shuffle(order)

    def send(i):
        response = post(DRAWINGS[i])
        return i, response.status_code, response.json()

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(send, order))
    assert [status for _, status, _ in answers] == [200] * len(order)
    mixed = [i for i, _, answer in answers if not same_answer(answer, references[i])]
    assert mixed == [], f"{len(mixed)} of {len(order)} answers differ"
    return references


def check_concurrent_batches(post_batch, references):
    """Batches of shuffled JSON drawings, sent at once, answer item by item."""
    json_drawings = [i for i, drawing in enumerate(DRAWINGS) if "json" in drawing]
    rng = random.Random(2)
    batches = [rng.sample(json_drawings, rng.randint(1, 8)) for _ in range(24)]

    def send(batch):
        items = [DRAWINGS[i]["json"] for i in batch]
        response = post_batch({"items": items})
        return batch, response.status_code, response.json()

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(send, batches))
    for batch, status, answer in answers:
        assert status == 200, answer
        results = answer["results"]
        assert len(results) == len(batch)
        for i, result in zip(batch, results, strict=True):
            assert same_answer(result, references[i]), (batch, i)


def test_concurrent_requests_in_process_get_their_own_answers(weights_path):
    app = create_app(Settings(weights=weights_path))
    with TestClient(app) as client:
        references = check_concurrent(lambda d: client.post("/predict", **d))
        check_concurrent_batches(
            lambda body: client.post("/predict/batch", json=body), references
        )


@pytest.mark.slow
def test_concurrent_requests_to_two_workers_get_their_own_answers(weights_path):
    port = free_port()
    environ = server_environ(weights_path, port)
    server = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=environ)
    limits = httpx.Limits(max_connections=THREADS)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30, limits=limits) as http:
            wait_until_up(http, server)
            references = check_concurrent(lambda d: http.post("/predict", **d))
            check_concurrent_batches(
                lambda body: http.post("/predict/batch", json=body), references
            )
    finally:
        server.terminate()
        server.wait(30)

"""Accuracy through the API on the pen-drawn dev strokes, with real weights.

Uses DIGITS_WEIGHTS or the shipped model/weights/mlp.npz, and is skipped when
neither exists. Only writers held out of training count, when the weights
name them. Issue 3 asks for >= 97% on strokes and the same digit from an image
of the same drawing.
"""

import base64
import os
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from model.render import PEN_WIDTH
from model.strokes import fit_to_canvas, load_stroke_file
from model.weights import DEFAULT_WEIGHTS, load_weights
from tests.app import drawings

ROOT = Path(__file__).resolve().parents[2]
STROKES = ROOT.parent / "shared" / "strokes" / "unipen-dev.json.gz"
WEIGHTS = Path(os.environ.get("DIGITS_WEIGHTS", DEFAULT_WEIGHTS))
# A floor against regressions, below the 97% target: the measured figure
# comes from `python -m model.evaluate --strokes ...`, which this test ties
# to the API by asking for the very same digits
MIN_ACCURACY = 0.95
# Share of drawings whose canvas PNG gets the strokes' digit. The PNG's pen
# matches the strokes' (PEN_WIDTH of the drawing, which fills 70% of the
# canvas); with runs/q3.npz this measured 0.987 on a third of the set, and
# 0.969 with a 16 px pen: images keep the thickness they were drawn with.
MIN_AGREEMENT = 0.98
FILL = 0.7
PEN = round(PEN_WIDTH * FILL * drawings.CANVAS)
BATCH = 32

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not WEIGHTS.is_file(), reason=f"no weights at {WEIGHTS}"),
    pytest.mark.skipif(not STROKES.is_file(), reason=f"no strokes at {STROKES}"),
]


@pytest.fixture(scope="module")
def samples():
    held_out = load_weights(WEIGHTS).meta.get("strokes_val_writers")
    samples = load_stroke_file(STROKES)
    if held_out:
        samples = [s for s in samples if s["writer"] in set(held_out)]
    return [
        {"label": s["label"], "strokes": fit_to_canvas(s["strokes"], fill=FILL)}
        for s in samples
    ]


@pytest.fixture(scope="module")
def real_client():
    with TestClient(create_app(Settings(weights=WEIGHTS))) as client:
        yield client


def predict_all(client, items) -> np.ndarray:
    digits = []
    for start in range(0, len(items), BATCH):
        response = client.post(
            "/predict/batch", json={"items": items[start : start + BATCH]}
        )
        assert response.status_code == 200, response.text
        digits += [result.get("digit", -1) for result in response.json()["results"]]
    return np.array(digits)


@pytest.fixture(scope="module")
def stroke_digits(real_client, samples):
    items = [
        {"strokes": s["strokes"], "width": drawings.CANVAS, "height": drawings.CANVAS}
        for s in samples
    ]
    return predict_all(real_client, items)


def test_predict_strokes_accuracy_on_dev_drawings(samples, stroke_digits):
    labels = np.array([s["label"] for s in samples])
    accuracy = (stroke_digits == labels).mean()
    assert accuracy >= MIN_ACCURACY, f"{accuracy:.4f} on {len(labels)} drawings"


def test_predict_strokes_matches_the_evaluation_pipeline(samples, stroke_digits):
    # the server and model.evaluate share one preprocessing implementation
    from model.stroke_images import render_samples

    model = load_weights(WEIGHTS)
    raw = [
        {"label": s["label"], "writer": "", "strokes": s["strokes"]} for s in samples
    ]
    images, _, _ = render_samples(raw)
    np.testing.assert_array_equal(model.predict(images).argmax(axis=1), stroke_digits)


def test_predict_canvas_png_agrees_with_strokes(real_client, samples, stroke_digits):
    items = [
        {"image": base64.b64encode(drawings.png(s["strokes"], PEN)).decode()}
        for s in samples
    ]
    image_digits = predict_all(real_client, items)
    agreement = (image_digits == stroke_digits).mean()
    assert agreement >= MIN_AGREEMENT, f"{agreement:.4f} on {len(items)} drawings"

"""Seeded fuzzing of the /predict routes: never a 5xx, always JSON.

Each family below generates its inputs from a fixed seed. Every answer must be
a 200 (the input happened to be a valid drawing) or a 4xx JSON body with a
``detail`` and a ``code``. Most inputs go through the app in-process; a sample
goes to a real uvicorn server, which must still be up and healthy afterwards.
"""

import base64
import json
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.app import drawings
from tests.servers import free_port, server_environ, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
PER_FAMILY = 500
MIN_TOTAL = 5000
IMAGES = {
    "png": drawings.png(drawings.FOUR),
    "rgba": drawings.transparent_png(drawings.FOUR),
    "jpeg": drawings.encode(drawings.canvas(drawings.FOUR), "JPEG", quality=80),
    "webp": drawings.encode(drawings.canvas(drawings.FOUR), "WEBP"),
}
LARGE = b'{"image": "' + b"A" * 2**21 + b'"}'
ODD_TEXT = [
    "\u202e7",
    "\ufeff",
    "\u200b" * 50,
    "\ud800",
    "\udfff\ud800",
    "e\u0301" * 30,
    "\U0001f600",
    "\x00",
    "NaN",
    "Infinity",
    "data:image/png;base64,\u00ff\u00fe",
    "data:;base64,",
    "\u0660\u0661",
]
CONTENT_TYPES = [
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/mixed; boundary=x",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/vnd.api+json",
    "image/png",
    "application/octet-stream",
    ";;;",
    "application/json; boundary=x",
]


class Case:
    """One request: where it goes, its body and Content-Type."""

    def __init__(self, family, body, content_type="application/json", path=None):
        self.family = family
        self.body = body if isinstance(body, bytes) else body.encode("utf-8", "replace")
        self.content_type = content_type
        self.path = path or "/predict"


def as_image_json(data: bytes, rng) -> Case:
    text = base64.b64encode(data).decode()
    if rng.random() < 0.5:
        text = "data:image/png;base64," + text
    return Case("image", json.dumps({"image": text}))


def as_upload(data: bytes, family="image", field="file") -> Case:
    boundary = "fuzzboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            'filename="d.png"\r\nContent-Type: image/png\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return Case(family, body, f"multipart/form-data; boundary={boundary}")


def png_chunks(data: bytes):
    """(offset, length, type) of each chunk of a PNG."""
    offset, chunks = 8, []
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        chunks.append((offset, length, kind))
        offset += 12 + length
    return chunks


def random_bytes(rng) -> bytes:
    """Noise, half the time behind a PNG, JPEG or WebP signature."""
    magic = rng.choice([b"", b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", WEBP])
    return magic + rng.randbytes(rng.randint(0, 3000))


WEBP = b"RIFF\x00\x10\x00\x00WEBPVP8 "


def damage_image(rng) -> bytes:
    """A canvas image with bits flipped, bytes cut, or a PNG chunk broken."""
    data = bytearray(IMAGES[rng.choice(list(IMAGES))])
    how = rng.randrange(4)
    if how == 0:
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif how == 1:
        del data[rng.randrange(len(data)) :]
    elif how == 2 and data.startswith(b"\x89PNG"):
        offset, length, kind = rng.choice(png_chunks(bytes(data)))
        where = rng.choice([offset, offset + 4, offset + 8, offset + 8 + length])
        data[where : where + 4] = struct.pack(">I", rng.getrandbits(32))
    else:
        start = rng.randrange(len(data))
        data[start : start + rng.randint(1, 64)] = rng.randbytes(rng.randint(0, 64))
    return bytes(data)


def declared_size_image(rng) -> bytes:
    """Headers declaring large or odd sizes, with little or no pixel data."""
    width, height = (rng.choice([0, 1, 4097, 8193, 65535, 2**31 - 1]) for _ in "wh")
    kind = rng.randrange(3)
    if kind == 0:
        colour = rng.choice([0, 2, 6])
        header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
        idat = zlib.compress(bytes(rng.randint(0, 5000)))
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
    if kind == 1:
        # JPEG: SOI, then a baseline frame header with the declared size.
        sof = struct.pack(">BHHB", 8, height % 2**16, width % 2**16, 1)
        sof += b"\x01\x11\x00"
        return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof
    # WebP extended header: 24-bit canvas width and height minus one.
    vp8x = b"\x00" * 4 + ((width - 1) % 2**24).to_bytes(3, "little")
    vp8x += ((height - 1) % 2**24).to_bytes(3, "little")
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", len(body)) + body


def chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def random_value(rng, depth=0):
    """Any JSON value, with numbers of every odd kind."""
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 2**63, -(2**70), 1e308, -1e-320, 0.5, 28, 1e6 + 1])
    if kind == 2:
        return rng.choice(ODD_TEXT)
    if kind == 3:
        return rng.uniform(-1e7, 1e7)
    if kind in (4, 5):
        return rng.choice([[], {}, [[]], [[[]]], ""])
    if kind == 6:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == 7:
        return {rng.choice(FIELDS): random_value(rng, depth + 1)}
    return [[random_value(rng, depth + 2) for _ in range(2)] for _ in range(3)]


FIELDS = ["strokes", "image", "pixels", "width", "height", "items", "x", ""]


def wrong_types(rng) -> Case:
    body = {
        field: random_value(rng) for field in rng.sample(FIELDS[:5], rng.randint(1, 3))
    }
    return Case("json", json.dumps(body))


def bad_numbers(rng) -> Case:
    """Strokes, pixels or canvas sizes holding NaN, infinities or huge literals."""
    odd = rng.choice(["NaN", "Infinity", "-Infinity", "1e400", "-0", "1" * 400])
    form = rng.randrange(3)
    if form == 0:
        points = [[rng.uniform(0, 280), rng.uniform(0, 280)] for _ in range(5)]
        text = json.dumps({"strokes": [points]})
        return Case("numbers", text.replace(str(points[2][1]), odd, 1))
    if form == 1:
        rows = [[0.5] * 28 for _ in range(28)]
        text = json.dumps({"pixels": rows})
        return Case("numbers", text.replace("0.5", odd, rng.randint(1, 784)))
    text = json.dumps({"strokes": [[[1, 2], [30, 40]]], "width": 280, "height": 280})
    return Case("numbers", text.replace("280", odd, rng.randint(1, 2)))


def deep_or_odd_text(rng) -> Case:
    """Deep nesting, long arrays, odd unicode and bytes that are not UTF-8."""
    kind = rng.randrange(4)
    if kind == 0:
        depth = rng.choice([3, 5, 64, 201, 1000, 100_000])
        key = rng.choice(["strokes", "pixels", "image", "items"])
        return Case("text", f'{{"{key}": {"[" * depth}1{"]" * depth}}}')
    if kind == 1:
        body = {rng.choice(FIELDS): rng.choice(ODD_TEXT)}
        return Case("text", json.dumps(body, ensure_ascii=rng.random() < 0.5))
    if kind == 2:
        body = b'{"image": "' + rng.randbytes(rng.randint(1, 300)) + b'"}'
        return Case("text", body)
    body = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b""]) + json.dumps(
        {"strokes": [[[1, 1], [9, 9]]]}
    ).encode(rng.choice(["utf-8", "utf-16", "utf-32"]))
    return Case("text", body)


def content_types(rng) -> Case:
    """Any Content-Type on either route, and now and then a body over the limit."""
    body = rng.choice(
        [b'{"strokes": [[[1, 1], [9, 9]]]}', b"file=abc", IMAGES["png"], b"", LARGE]
    )
    path = rng.choice(["/predict", "/predict/batch"])
    return Case("content_type", body, rng.choice(CONTENT_TYPES), path)


def multipart_odd(rng) -> Case:
    """Uploads with missing, wrong or repeated parts and broken framing."""
    png = IMAGES["png"]
    kind = rng.randrange(6)
    if kind == 0:
        return as_upload(png, "multipart", field=rng.choice(["image", "", "FILE"]))
    case = as_upload(png, "multipart")
    body = case.body
    if kind == 1:
        body = body[: rng.randrange(len(body))]
    elif kind == 2:
        body = body.replace(b"fuzzboundary", b"other", rng.randint(1, 2))
    elif kind == 3:
        body = body[: body.rindex(b"--fuzz")] + body
    elif kind == 4:
        body = body.replace(b"\r\n", b"\n", rng.randint(1, 4))
    else:
        body = body.replace(b"Content-Disposition", rng.choice([b"X", b"A" * 9000]))
    case.body = body
    return case


def batch_odd(rng) -> Case:
    """Batches of the wrong shape, too many items, or items of any kind."""
    kind = rng.randrange(4)
    if kind == 0:
        body = {"items": random_value(rng)}
    elif kind == 1:
        body = {"items": [{"strokes": [[[1, 1], [9, 9]]]}] * rng.choice([0, 33, 500])}
    elif kind == 2:
        body = {"items": [random_value(rng) for _ in range(rng.randint(1, 6))]}
    else:
        body = {"items": [{"pixels": [[0.0] * 28] * 28}, {"items": []}], "x": 1}
    return Case("batch", json.dumps(body), path="/predict/batch")


def mutated_json(rng) -> Case:
    """A valid body with bytes flipped, cut or repeated."""
    good = [
        json.dumps({"strokes": drawings.FOUR, "width": 280, "height": 280}),
        json.dumps({"pixels": drawings.pixels(drawings.FOUR)}),
        json.dumps({"items": [{"strokes": drawings.SEVEN}]}),
    ]
    body = bytearray(rng.choice(good).encode())
    for _ in range(rng.randint(1, 8)):
        body[rng.randrange(len(body))] = rng.choice(b'[]{},:"0-.eE\\ ')
    path = "/predict/batch" if body.startswith(b'{"items"') else "/predict"
    return Case("mutated", bytes(body), path=path)


def number_or_explain(rng) -> Case:
    """/predict/number with any body, and /predict?explain=... with any drawing."""
    if rng.random() < 0.5:
        case = rng.choice([wrong_types, bad_numbers, mutated_json, deep_or_odd_text])
        case = case(rng)
        case.path = "/predict/number"
        return case
    case = rng.choice([mutated_json, bad_numbers, wrong_types])(rng)
    flag = rng.choice(["true", "false", "1", "0", "yes", "maybe", "", "true&explain"])
    case.path = f"/predict?explain={flag}"
    return case


FAMILIES = {
    "random_bytes": lambda rng: rng.choice([as_image_json, as_upload_any])(
        random_bytes(rng), rng
    ),
    "damaged_image": lambda rng: rng.choice([as_image_json, as_upload_any])(
        damage_image(rng), rng
    ),
    "declared_size": lambda rng: rng.choice([as_image_json, as_upload_any])(
        declared_size_image(rng), rng
    ),
    "wrong_types": wrong_types,
    "bad_numbers": bad_numbers,
    "deep_or_odd_text": deep_or_odd_text,
    "content_types": content_types,
    "multipart": multipart_odd,
    "batch": batch_odd,
    "mutated_json": mutated_json,
    "number_or_explain": number_or_explain,
}


def as_upload_any(data, rng):
    return as_upload(data)


def cases(family: str, count: int = PER_FAMILY, seed: int = 0) -> list[Case]:
    rng = random.Random(f"{family}-{seed}")
    return [FAMILIES[family](rng) for _ in range(count)]


def check(status: int, content_type: str, body: bytes) -> str | None:
    """What is wrong with an answer, or None if it is a 200 or a proper 4xx."""
    if status >= 500:
        return f"status {status}"
    if not content_type.startswith("application/json"):
        return f"status {status} with {content_type}"
    answer = json.loads(body)
    if status == 200:
        read = {"digit", "results", "number"} & answer.keys()
        return None if read else "200 without digit, results or number"
    if not 400 <= status < 500:
        return f"status {status}"
    if not all(isinstance(answer.get(key), str) for key in ("code", "detail")):
        return f"status {status} without code and detail: {body[:100]!r}"
    return None


@pytest.fixture(scope="module")
def fuzz_client(weights_path):
    app = create_app(Settings(weights=weights_path))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_fuzz_families_add_up_to_the_target():
    assert len(FAMILIES) * PER_FAMILY >= MIN_TOTAL


@pytest.mark.parametrize("family", FAMILIES)
def test_fuzz_in_process_never_fails_the_request(fuzz_client, family):
    problems, statuses = [], {}
    for i, case in enumerate(cases(family)):
        headers = {"content-type": case.content_type}
        response = fuzz_client.post(case.path, content=case.body, headers=headers)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        problem = check(
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
        )
        if problem:
            problems.append((i, problem))
    assert sum(statuses.values()) == PER_FAMILY
    assert problems == [], f"{len(problems)} bad answers, statuses {statuses}"
    # The family reached the app's refusals, not only its happy path.
    assert any(400 <= status < 500 for status in statuses), statuses


def server_sample(count_per_family: int) -> list[Case]:
    return [
        case for family in FAMILIES for case in cases(family, count_per_family, seed=1)
    ]


@pytest.mark.slow
def test_fuzz_real_server_stays_up(weights_path):
    # A sample of every family over HTTP, then the same server must still
    # answer /health and a valid drawing, with no traceback in its log.
    port = free_port()
    environ = server_environ(weights_path, port)
    process = subprocess.Popen(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env=environ,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    problems = []
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            wait_until_up(http, process)
            sample = server_sample(40)
            for i, case in enumerate(sample):
                headers = {"content-type": case.content_type}
                response = http.post(case.path, content=case.body, headers=headers)
                problem = check(
                    response.status_code,
                    response.headers.get("content-type", ""),
                    response.content,
                )
                if problem:
                    problems.append((case.family, i, problem))
            assert http.get("/health").status_code == 200
            answer = http.post("/predict", json={"strokes": drawings.FOUR})
            assert answer.status_code == 200, answer.text
        assert process.poll() is None
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert len(sample) == 40 * len(FAMILIES)
    assert problems == []
    assert "Traceback" not in stderr

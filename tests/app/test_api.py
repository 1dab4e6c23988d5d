"""The API's successful answers: every request form, the page, /docs."""

import base64
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from app.schemas import BATCH_EXAMPLES, PREDICT_EXAMPLES
from model.preprocess import PREPROCESS_VERSION
from tests.app import drawings
from tests.conftest import META

ANSWER_KEYS = {
    "digit",
    "probabilities",
    "confidence",
    "uncertain",
    "alternatives",
    "warnings",
    "image",
    "model_version",
    "preprocess_version",
    "timing_ms",
}
PNG = drawings.png()
PNG_BASE64 = base64.b64encode(PNG).decode()


def check_answer(answer: dict) -> None:
    """The properties every /predict answer has, whatever the model."""
    assert set(answer) == ANSWER_KEYS
    probabilities = np.array(answer["probabilities"])
    assert probabilities.shape == (10,)
    assert (probabilities >= 0).all()
    np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=0, atol=1e-9)
    assert answer["digit"] == int(np.argmax(probabilities))
    assert answer["confidence"] == probabilities.max()
    image = np.array(answer["image"])
    assert image.shape == (28, 28)
    assert 0 <= image.min() and image.max() <= 1
    np.testing.assert_array_equal(image, image.round(3))
    assert re.fullmatch("[0-9a-f]{12}", answer["model_version"])
    assert answer["preprocess_version"] == PREPROCESS_VERSION
    assert set(answer["timing_ms"]) == {"preprocess", "inference", "total"}
    assert answer["timing_ms"]["total"] >= answer["timing_ms"]["preprocess"]


@pytest.mark.parametrize(
    "body",
    [
        {"strokes": drawings.SEVEN},
        {"strokes": drawings.FOUR, "width": 280, "height": 280},
        {"image": PNG_BASE64},
        {"pixels": drawings.pixels()},
    ],
    ids=["strokes", "strokes_with_canvas", "image", "pixels"],
)
def test_predict_answers_every_json_form(client, body):
    response = client.post("/predict", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    check_answer(response.json())


def test_predict_multipart_file_matches_json_image(client):
    files = {"file": ("seven.png", PNG, "image/png")}
    upload = client.post("/predict", files=files)
    assert upload.status_code == 200, upload.text
    check_answer(upload.json())
    json_image = client.post("/predict", json={"image": PNG_BASE64})
    assert upload.json()["probabilities"] == json_image.json()["probabilities"]


def _with_line_breaks(text):
    return "\n".join(text[i : i + 76] for i in range(0, len(text), 76))


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: "data:image/png;base64," + text,
        lambda text: "DATA:image/png;name=seven.png;base64," + text,
        _with_line_breaks,
        lambda text: text.rstrip("="),
        lambda text: text.replace("+", "-").replace("/", "_"),
        lambda text: f"  {text}\r\n",
    ],
    ids=[
        "data_url",
        "data_url_params",
        "line_breaks",
        "no_padding",
        "url_safe",
        "spaces",
    ],
)
def test_predict_image_encodings_agree(client, encode):
    # the reference must exercise each variant: padding, '+' and '/'
    assert PNG_BASE64.endswith("=") and "+" in PNG_BASE64 and "/" in PNG_BASE64
    reference = client.post("/predict", json={"image": PNG_BASE64}).json()
    response = client.post("/predict", json={"image": encode(PNG_BASE64)})
    assert response.status_code == 200, response.text
    assert response.json()["probabilities"] == reference["probabilities"]


@pytest.mark.parametrize(
    "image",
    [
        drawings.encode(drawings.canvas(), "JPEG", quality=90),
        drawings.encode(drawings.canvas(), "WEBP"),
        drawings.transparent_png(),
        drawings.encode(drawings.canvas(ink=(255, 255, 255), paper=(0, 0, 0))),
        drawings.encode(drawings.canvas(mode="P")),
    ],
    ids=["jpeg", "webp", "transparent_canvas", "light_on_dark", "paletted"],
)
def test_predict_reads_image_kinds(client, image):
    response = client.post("/predict", json={"image": base64.b64encode(image).decode()})
    assert response.status_code == 200, response.text
    check_answer(response.json())


def test_predict_pixels_are_the_image_the_model_sees(client):
    pixels = drawings.pixels()
    response = client.post("/predict", json={"pixels": pixels})
    assert response.status_code == 200, response.text
    assert response.json()["image"] == pixels


def test_predict_confident_answer_has_no_alternatives(constant_client):
    client = constant_client([0, 0, 0, 20, 0, 0, 0, 0, 0, 0])
    response = client.post("/predict", json={"strokes": drawings.SEVEN})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["digit"] == 3
    np.testing.assert_allclose(answer["confidence"], 1.0, rtol=0, atol=1e-6)
    assert answer["uncertain"] is False
    assert answer["alternatives"] == []
    assert answer["warnings"] == []


def test_predict_close_call_is_uncertain(constant_client):
    client = constant_client([0, 0, 0, 0, 5, 0, 0, 0, 0, 5])
    response = client.post("/predict", json={"strokes": drawings.SEVEN})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["digit"] == 4
    assert answer["uncertain"] is True
    assert answer["alternatives"] == [4, 9]


@pytest.mark.parametrize(
    ("strokes", "warning"),
    [
        ([[[140, 140]]], "tiny_drawing"),
        ([[[10, 100], [10, 200]], [[200, 100], [200, 200]]], "several_marks"),
        ([[[x, x * 37 % 200] for x in range(0, 200, 2)]], "scribble"),
    ],
    ids=["tap", "two_marks", "scribble"],
)
def test_predict_warning_makes_confident_answer_uncertain(
    constant_client, strokes, warning
):
    client = constant_client([0, 0, 0, 20, 0, 0, 0, 0, 0, 0])
    response = client.post("/predict", json={"strokes": strokes})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert warning in answer["warnings"]
    assert answer["uncertain"] is True
    assert answer["alternatives"] == [3]


def test_predict_concurrent_drawings_get_their_own_answers(client):
    # 24 different drawings at once: each answer must be its own drawing's
    bars = []
    for column in range(2, 26):
        pixels = np.zeros((28, 28))
        pixels[4:24, column] = 1.0
        bars.append(pixels.tolist())
    alone = [client.post("/predict", json={"pixels": p}).json() for p in bars]

    def send(pixels):
        return client.post("/predict", json={"pixels": pixels})

    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(send, bars))
    for pixels, expected, response in zip(bars, alone, together, strict=True):
        assert response.status_code == 200, response.text
        assert response.json()["image"] == pixels
        assert response.json()["probabilities"] == expected["probabilities"]


def test_health_reports_model_loaded(client):
    response = client.get("/health")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "model_loaded": True}


@pytest.mark.parametrize("path", ["/", "/health"])
def test_head_answers_like_get(client, path):
    response = client.head(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == client.get(path).headers["content-type"]


def test_model_describes_weights(client, weights_path):
    response = client.get("/model")
    assert response.status_code == 200, response.text
    version = hashlib.sha256(weights_path.read_bytes()).hexdigest()[:12]
    assert response.json() == {
        "sizes": [784, 32, 10],
        "temperature": 1.0,
        "test_accuracy": META["test_accuracy"],
        "test_ece": META["test_ece"],
        "val_accuracy": None,
        "strokes_accuracy": None,
        "trained_at": META["trained_at"],
        "model_version": version,
        "preprocess_version": PREPROCESS_VERSION,
        "limits": {
            "max_body_bytes": 2 * 2**20,
            "max_batch": 32,
            "max_strokes": 100,
            "max_points": 10_000,
            "max_image_pixels": 4096 * 4096,
            "max_png_webp_pixels": 2048 * 2048,
            "max_image_side": 8192,
            "image_formats": ["PNG", "JPEG", "WEBP"],
        },
    }


def test_page_renders_with_model_info(client):
    response = client.get("/")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.context["model_info"] == {
        "sizes": [784, 32, 10],
        "test_accuracy": META["test_accuracy"],
        "strokes_accuracy": None,
        "trained_at": META["trained_at"],
        "docs_url": "/docs",
    }


def test_docs_show_an_example_for_every_form(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    paths = response.json()["paths"]
    content = paths["/predict"]["post"]["requestBody"]["content"]
    examples = content["application/json"]["examples"]
    assert {"strokes", "image", "pixels"} <= set(examples)
    assert "file" in content["multipart/form-data"]["schema"]["properties"]
    batch = paths["/predict/batch"]["post"]["requestBody"]["content"]
    assert batch["application/json"]["examples"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("name", sorted(PREDICT_EXAMPLES))
def test_docs_predict_examples_work(client, name):
    response = client.post("/predict", json=PREDICT_EXAMPLES[name]["value"])
    assert response.status_code == 200, response.text


def test_docs_batch_example_works(client):
    response = client.post("/predict/batch", json=BATCH_EXAMPLES["mixed"]["value"])
    assert response.status_code == 200, response.text
    assert all("digit" in result for result in response.json()["results"])


def test_page_asset_urls_ignore_the_host_header(client):
    # absolute URLs built from Host would let a forged header point cached
    # pages at another server
    response = client.get("/", headers={"host": "elsewhere.test"})
    assert response.status_code == 200, response.text
    assert "elsewhere.test" not in response.text
    assert 'src="/static/main.js"' in response.text

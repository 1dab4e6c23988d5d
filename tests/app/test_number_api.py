"""POST /predict/number: digits side by side, split, read and boxed."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.schemas import EXAMPLE_NUMBER, NUMBER_EXAMPLES
from model.preprocess import PREPROCESS_VERSION
from model.weights import DEFAULT_WEIGHTS
from tests.app import drawings

DIGIT_KEYS = {
    "digit",
    "probabilities",
    "confidence",
    "uncertain",
    "alternatives",
    "warnings",
    "box",
    "strokes",
}
ELEVEN = {
    "strokes": [[[60, 40], [60, 210]], [[180, 40], [180, 210]]],
    "width": 280,
    "height": 250,
}


BAD_CANVAS = "Canvas width and height must be positive and at most 1e+06"


def error(code, detail):
    return {"detail": detail, "code": code}


@pytest.fixture(scope="module")
def trained_client():
    """The shipped weights, for tests that expect the digits drawn."""
    with TestClient(create_app(Settings(weights=DEFAULT_WEIGHTS))) as client:
        yield client


def check_number(answer):
    assert set(answer) == {
        "number",
        "digits",
        "uncertain",
        "model_version",
        "preprocess_version",
        "timing_ms",
    }
    assert answer["number"] == "".join(str(d["digit"]) for d in answer["digits"])
    assert answer["uncertain"] == any(d["uncertain"] for d in answer["digits"])
    assert answer["preprocess_version"] == PREPROCESS_VERSION
    for digit in answer["digits"]:
        assert set(digit) == DIGIT_KEYS
        probabilities = np.array(digit["probabilities"])
        assert probabilities.shape == (10,)
        np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=0, atol=1e-9)
        assert digit["digit"] == int(probabilities.argmax())
        assert digit["confidence"] == probabilities.max()
    lefts = [d["box"][0] for d in answer["digits"]]
    assert lefts == sorted(lefts)


def test_number_splits_two_bars(client):
    response = client.post("/predict/number", json=ELEVEN)
    assert response.status_code == 200, response.text
    answer = response.json()
    check_number(answer)
    assert [d["strokes"] for d in answer["digits"]] == [[0], [1]]
    assert [d["box"] for d in answer["digits"]] == [
        [60.0, 40.0, 60.0, 210.0],
        [180.0, 40.0, 180.0, 210.0],
    ]


def test_number_digits_read_as_predict_reads_them_alone(client):
    answer = client.post("/predict/number", json=EXAMPLE_NUMBER).json()
    for digit in answer["digits"]:
        strokes = [EXAMPLE_NUMBER["strokes"][i] for i in digit["strokes"]]
        alone = client.post("/predict", json={**EXAMPLE_NUMBER, "strokes": strokes})
        assert alone.status_code == 200, alone.text
        np.testing.assert_allclose(
            digit["probabilities"], alone.json()["probabilities"], rtol=0, atol=1e-6
        )


def test_number_of_one_digit(client):
    response = client.post("/predict/number", json={"strokes": drawings.SEVEN})
    assert response.status_code == 200, response.text
    check_number(response.json())
    assert len(response.json()["digits"]) == 1


@pytest.mark.parametrize(
    ("body", "number", "groups"),
    [(ELEVEN, "11", [[0], [1]]), (EXAMPLE_NUMBER, "41", [[0, 1], [2]])],
    ids=["two_bars", "two_stroke_four_then_one"],
)
def test_number_reads_drawn_digits(trained_client, body, number, groups):
    response = trained_client.post("/predict/number", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    check_number(answer)
    assert answer["number"] == number
    assert [d["strokes"] for d in answer["digits"]] == groups


def test_number_flags_uncertain_digits(constant_client):
    client = constant_client([0, 0, 0, 0, 5, 0, 0, 0, 0, 5])
    answer = client.post("/predict/number", json=ELEVEN).json()
    assert answer["number"] == "44"
    assert answer["uncertain"] is True
    assert [d["alternatives"] for d in answer["digits"]] == [[4, 9], [4, 9]]


def test_number_confident_digits(constant_client):
    client = constant_client([0, 0, 0, 20, 0, 0, 0, 0, 0, 0])
    answer = client.post("/predict/number", json=ELEVEN).json()
    assert answer["number"] == "33"
    assert answer["uncertain"] is False


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"strokes": []}, error("empty_drawing", "The drawing is empty")),
        ({"strokes": [[], []]}, error("empty_drawing", "The drawing is empty")),
        ({}, error("invalid_request", "strokes: Field required")),
        (
            {"image": "iVBORw0KGgo="},
            error(
                "invalid_request",
                "Numbers are read from strokes only; send an image to /predict",
            ),
        ),
        (
            {"strokes": [[[0, 0], [1, 1]]] * 101},
            error("invalid_strokes", "Too many strokes: 101 > 100"),
        ),
        (
            {"strokes": [[[float(i), 0.0] for i in range(10_001)]]},
            error("invalid_strokes", "Too many points: > 10000"),
        ),
        (
            {"strokes": [[[0, 0], [1e7, 1]]]},
            error("invalid_strokes", "Point coordinates must be finite, |x| <= 1e+06"),
        ),
        (
            {"strokes": [[["1", 2]]]},
            error("invalid_request", "strokes.0.0.0: Input should be a valid number"),
        ),
        (
            {"strokes": drawings.SEVEN, "width": -5},
            error("invalid_strokes", BAD_CANVAS),
        ),
    ],
    ids=[
        "no_strokes",
        "empty_strokes",
        "missing",
        "image",
        "too_many_strokes",
        "too_many_points",
        "absurd_coordinate",
        "string_coordinate",
        "negative_width",
    ],
)
def test_number_refuses_bad_drawings(client, body, expected):
    response = client.post("/predict/number", json=body)
    assert response.status_code == 422, response.text
    assert response.json() == expected


def test_number_refuses_malformed_json(client):
    response = client.post(
        "/predict/number",
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_json"


@pytest.mark.parametrize("form", ["multipart", "text"])
def test_number_refuses_uploads_and_other_types(client, form):
    if form == "multipart":
        files = {"file": ("seven.png", drawings.png(), "image/png")}
        response = client.post("/predict/number", files=files)
    else:
        headers = {"content-type": "text/plain"}
        response = client.post("/predict/number", content=b"7", headers=headers)
    assert response.status_code == 415, response.text
    assert response.json() == error(
        "unsupported_media_type", "Send the strokes as JSON"
    )


def test_number_refuses_a_body_over_the_limit(constant_client):
    client = constant_client([0] * 10, max_body_bytes=100)
    response = client.post("/predict/number", json=ELEVEN | {"pad": "x" * 200})
    assert response.status_code == 413, response.text
    assert response.json() == error(
        "body_too_large", "Request bodies are limited to 100 bytes"
    )


def test_docs_number_example_works(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/predict/number"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json"}
    for example in NUMBER_EXAMPLES.values():
        response = client.post("/predict/number", json=example["value"])
        assert response.status_code == 200, response.text

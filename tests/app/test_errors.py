"""/predict refusing bodies: malformed JSON, wrong types, bad numbers, limits."""

import logging

import pytest
from fastapi.testclient import TestClient

from app.predictor import Predictor
from tests.app import drawings


def error(code, detail):
    return {"detail": detail, "code": code}


BAD_POINT = "Point coordinates must be finite, |x| <= 1e+06"
BAD_CANVAS = "Canvas width and height must be positive and at most 1e+06"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b"{",
            error(
                "invalid_json",
                "Malformed JSON: EOF while parsing an object at line 1 column 1",
            ),
        ),
        (
            b"",
            error(
                "invalid_json",
                "Malformed JSON: EOF while parsing a value at line 1 column 0",
            ),
        ),
        (
            b"strokes",
            error("invalid_json", "Malformed JSON: expected value at line 1 column 1"),
        ),
        (
            b'{"pixels": [1,]}',
            error("invalid_json", "Malformed JSON: trailing comma at line 1 column 15"),
        ),
        (
            b"[" * 100_000,
            error(
                "invalid_json",
                "Malformed JSON: recursion limit exceeded at line 1 column 202",
            ),
        ),
        (
            b'{"strokes": [[[1' + b"0" * 5000 + b", 2]]]}",
            error(
                "invalid_json",
                "Malformed JSON: number out of range at line 1 column 4317",
            ),
        ),
        (
            b'{"image": "\xff"}',
            error(
                "invalid_json",
                "Malformed JSON: invalid unicode code point at line 1 column 12",
            ),
        ),
    ],
    ids=[
        "unclosed",
        "empty",
        "bare_word",
        "trailing_comma",
        "deep",
        "huge_int",
        "not_utf8",
    ],
)
def test_predict_rejects_malformed_json(client, body, expected):
    response = client.post(
        "/predict", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json() == expected


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "Send exactly one of strokes, image or pixels"),
        ({"strokes": None}, "Send exactly one of strokes, image or pixels"),
        (
            {"strokes": drawings.SEVEN, "pixels": drawings.pixels()},
            "Send exactly one of strokes, image or pixels",
        ),
        ({"image": "x", "width": 280}, "width and height go with strokes only"),
        ({"digit": 3}, "digit: Extra inputs are not permitted"),
        ([], "Input should be an object"),
        ("strokes", "Input should be an object"),
        ({"strokes": "abc"}, "strokes: Input should be a valid array"),
        ({"strokes": [[["1", 2]]]}, "strokes.0.0.0: Input should be a valid number"),
        ({"strokes": [[[True, 2]]]}, "strokes.0.0.0: Input should be a valid number"),
        (
            {"strokes": [[[1, 2, 3]]]},
            "strokes.0.0: Tuple should have at most 2 items after validation, not 3",
        ),
        (
            {"strokes": [[1, 2]]},
            "strokes.0.0: Input should be a valid array (and 1 more)",
        ),
        (
            {"strokes": drawings.SEVEN, "width": "280"},
            "width: Input should be a valid number",
        ),
        ({"image": 5}, "image: Input should be a valid string"),
        ({"image": ["iVBOR"]}, "image: Input should be a valid string"),
        (
            {"pixels": [["a"] * 28] * 28},
            "pixels.0.0: Input should be a valid number (and 783 more)",
        ),
        ({"pixels": 0.5}, "pixels: Input should be a valid array"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_predict_rejects_wrong_types(client, body, detail):
    response = client.post("/predict", json=body)
    assert response.status_code == 422, response.text
    assert response.json() == error("invalid_request", detail)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"strokes": [[[NaN, 1], [2, 3]]]}', error("invalid_strokes", BAD_POINT)),
        (b'{"strokes": [[[1, Infinity]]]}', error("invalid_strokes", BAD_POINT)),
        (b'{"strokes": [[[-Infinity, 1]]]}', error("invalid_strokes", BAD_POINT)),
        (b'{"strokes": [[[1e999, 1]]]}', error("invalid_strokes", BAD_POINT)),
        (b'{"strokes": [[[1e7, 1]]]}', error("invalid_strokes", BAD_POINT)),
        (
            b'{"strokes": [[[1, 1]]], "width": NaN}',
            error("invalid_strokes", BAD_CANVAS),
        ),
        (
            b'{"strokes": [[[1, 1]]], "height": -280}',
            error("invalid_strokes", BAD_CANVAS),
        ),
        (
            b'{"strokes": [[[1, 1]]], "width": 1e300}',
            error("invalid_strokes", BAD_CANVAS),
        ),
        (
            b'{"pixels": [[NaN]]}',
            error("invalid_pixels", "Pixels must be 28 rows of 28 numbers"),
        ),
    ],
    ids=[
        "nan",
        "inf",
        "minus_inf",
        "overflow",
        "absurd",
        "nan_width",
        "negative_height",
        "absurd_width",
        "nan_pixels",
    ],
)
def test_predict_rejects_bad_numbers(client, body, expected):
    # raw bodies: NaN and Infinity are not JSON, but parsers accept them
    response = client.post(
        "/predict", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json() == expected


def test_predict_rejects_nan_among_pixels(client):
    row = ", ".join(["0.5"] * 27 + ["NaN"])
    body = '{"pixels": [' + ", ".join([f"[{row}]"] * 28) + "]}"
    response = client.post(
        "/predict", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json() == error(
        "invalid_pixels", "Pixels must be numbers in [0, 1]"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"strokes": [[[0, 0]]] * 101},
            error("invalid_strokes", "Too many strokes: 101 > 100"),
        ),
        (
            {"strokes": [[[i, i] for i in range(10_001)]]},
            error("invalid_strokes", "Too many points: > 10000"),
        ),
        (
            {"pixels": [[0.5] * 28] * 27},
            error("invalid_pixels", "Pixels must be 28 rows of 28 numbers"),
        ),
        (
            {"pixels": [[0.5] * 29] * 28},
            error("invalid_pixels", "Pixels must be 28 rows of 28 numbers"),
        ),
        (
            {"pixels": [[2.0] * 28] * 28},
            error("invalid_pixels", "Pixels must be numbers in [0, 1]"),
        ),
        (
            {"pixels": [[-0.1] * 28] * 28},
            error("invalid_pixels", "Pixels must be numbers in [0, 1]"),
        ),
    ],
    ids=["strokes", "points", "rows", "columns", "over_one", "negative"],
)
def test_predict_rejects_out_of_range_drawings(client, body, expected):
    response = client.post("/predict", json=body)
    assert response.status_code == 422, response.text
    assert response.json() == expected


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "image/png", "application/xml"],
)
def test_predict_rejects_other_content_types(client, content_type):
    response = client.post(
        "/predict", content=drawings.png(), headers={"content-type": content_type}
    )
    assert response.status_code == 415, response.text
    assert response.json() == error(
        "unsupported_media_type",
        "Send application/json, or multipart/form-data with a 'file' field",
    )


def test_predict_rejects_body_over_limit(client):
    body = b'{"image": "' + b"A" * (2 * 2**20) + b'"}'
    response = client.post(
        "/predict", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.json() == error(
        "body_too_large", "Request bodies are limited to 2097152 bytes"
    )


@pytest.mark.parametrize(
    ("method", "path", "status", "expected"),
    [
        ("GET", "/nowhere", 404, error("not_found", "Not Found")),
        ("GET", "/static/nothing.js", 404, error("not_found", "Not Found")),
        ("GET", "/predict", 405, error("method_not_allowed", "Method Not Allowed")),
        ("DELETE", "/health", 405, error("method_not_allowed", "Method Not Allowed")),
    ],
)
def test_app_answers_unknown_routes_with_json(client, method, path, status, expected):
    response = client.request(method, path)
    assert response.status_code == status, response.text
    assert response.json() == expected


def test_predict_method_not_allowed_names_allowed_method(client):
    response = client.get("/predict")
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"


def test_predict_unexpected_error_is_bare_500(client, monkeypatch):
    # nothing should reach this path; if something does, no detail leaks
    def fail(self, drawing, started):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Predictor, "predict", fail)
    with TestClient(client.app, raise_server_exceptions=False) as quiet:
        response = quiet.post("/predict", json={"strokes": drawings.SEVEN})
    assert response.status_code == 500, response.text
    assert response.json() == error("internal_error", "Internal error")
    assert "secret" not in response.text


def test_predict_logs_one_warning_per_refusal_without_payload(client, caplog):
    caplog.set_level(logging.WARNING, logger="app")
    client.post("/predict", json={"image": "data:image/png,PAYLOAD-MARKER"})
    client.post("/predict", json={"strokes": [], "PAYLOAD-MARKER": 1})
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "invalid_image" in warnings[0].getMessage()
    assert "invalid_request" in warnings[1].getMessage()
    assert "PAYLOAD-MARKER" not in warnings[0].getMessage()


def test_keys_a_client_sent_are_escaped_and_cut_short(client, caplog):
    caplog.set_level(logging.WARNING, logger="app")
    forged = "x\nWARNING: rejected POST /forged\x1b[31m"
    client.post("/predict", json={"strokes": drawings.SEVEN, forged: 1})
    response = client.post("/predict", json={"strokes": drawings.SEVEN, "k" * 10**5: 1})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    assert len(response.json()["detail"]) < 100
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert all(m.isprintable() and len(m) < 400 for m in messages)
    assert "\\nWARNING" in messages[0]


def test_a_typed_backslash_cannot_pass_for_an_escape(client):
    response = client.post("/predict", json={"strokes": [], "a\\nb": 1})
    assert response.json()["detail"].startswith("a\\\\nb: ")


def test_paths_are_escaped_in_the_log(client, caplog):
    caplog.set_level(logging.WARNING, logger="app")
    response = client.get("/nowhere%0AWARNING:%20forged" + "x" * 1000)
    assert response.status_code == 404, response.text
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.isprintable() and len(message) < 400

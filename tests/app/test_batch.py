"""POST /predict/batch: each item answered or refused on its own, in order."""

import logging

import numpy as np
import pytest

from tests.app import drawings


def error(code, detail):
    return {"detail": detail, "code": code}


def test_batch_answers_each_item_in_order(client):
    items = [
        {"strokes": drawings.SEVEN},
        {"strokes": []},
        {"pixels": drawings.pixels(drawings.FOUR)},
        5,
        {"image": "@@@@"},
        {"strokes": drawings.SEVEN, "image": "x"},
    ]
    response = client.post("/predict/batch", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(items)
    for index in (0, 2):
        assert set(results[index]) >= {"digit", "probabilities", "image"}
        total = sum(results[index]["probabilities"])
        np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-9)
    assert results[1] == {"error": error("empty_drawing", "The drawing is empty")}
    assert results[3] == {
        "error": error("invalid_request", "Input should be an object")
    }
    assert results[4] == {
        "error": error("invalid_image", "The image is not valid base64")
    }
    assert results[5] == {
        "error": error(
            "invalid_request", "Send exactly one of strokes, image or pixels"
        )
    }


def test_batch_item_gets_the_same_answer_as_predict(client):
    body = {"pixels": drawings.pixels()}
    single = client.post("/predict", json=body).json()
    batch = client.post("/predict/batch", json={"items": [body, body]}).json()
    for result in batch["results"]:
        assert result["probabilities"] == single["probabilities"]
        assert result["image"] == single["image"]


def test_batch_accepts_the_limit(client):
    items = [{"pixels": drawings.pixels()}] * 32
    response = client.post("/predict/batch", json={"items": items})
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]) == 32


def test_batch_rejects_more_than_the_limit(client):
    items = [{"pixels": drawings.pixels()}] * 33
    response = client.post("/predict/batch", json={"items": items})
    assert response.status_code == 422, response.text
    assert response.json() == error(
        "batch_too_large", "A batch holds at most 32 items, got 33"
    )


def test_batch_limit_follows_settings(constant_client):
    client = constant_client([0] * 10, max_batch=2)
    items = [{"strokes": drawings.SEVEN}] * 3
    response = client.post("/predict/batch", json={"items": items})
    assert response.status_code == 422, response.text
    assert response.json() == error(
        "batch_too_large", "A batch holds at most 2 items, got 3"
    )


def test_batch_of_nothing_has_no_results(client):
    response = client.post("/predict/batch", json={"items": []})
    assert response.status_code == 200, response.text
    assert response.json() == {"results": []}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, error("invalid_request", "items: Field required")),
        (
            {"items": 5},
            error("invalid_request", "items: Input should be a valid array"),
        ),
        (
            {"items": [], "extra": 1},
            error("invalid_request", "extra: Extra inputs are not permitted"),
        ),
        (
            [{"strokes": drawings.SEVEN}],
            error("invalid_request", "Input should be an object"),
        ),
    ],
    ids=["no_items", "items_not_list", "extra_key", "bare_list"],
)
def test_batch_rejects_bad_envelope(client, body, expected):
    response = client.post("/predict/batch", json=body)
    assert response.status_code == 422, response.text
    assert response.json() == expected


def test_batch_rejects_malformed_json(client):
    response = client.post(
        "/predict/batch",
        content=b'{"items": [',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json() == error(
        "invalid_json", "Malformed JSON: EOF while parsing a list at line 1 column 11"
    )


@pytest.mark.parametrize("form", ["multipart", "text"])
def test_batch_rejects_multipart_and_other_types(client, form):
    if form == "multipart":
        files = {"file": ("seven.png", drawings.png())}
        response = client.post("/predict/batch", files=files)
    else:
        headers = {"content-type": "text/plain"}
        response = client.post("/predict/batch", content=b"[]", headers=headers)
    assert response.status_code == 415, response.text
    assert response.json() == error("unsupported_media_type", "Send the batch as JSON")


def test_batch_logs_one_warning_for_its_refused_items(client, caplog):
    caplog.set_level(logging.WARNING, logger="app")
    items = [{"strokes": []}, {"image": "@"}, {"strokes": drawings.SEVEN}]
    client.post("/predict/batch", json={"items": items})
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["batch: 2 of 3 items refused (empty_drawing, invalid_image)"]

"""/predict?explain=true: the saliency map of the digit read, on request only."""

import numpy as np
import pytest

from model.explain import explain
from model.weights import load_weights
from tests.app import drawings
from tests.app.test_api import ANSWER_KEYS, PNG, check_answer

BODIES = {
    "strokes": {"json": {"strokes": drawings.FOUR, "width": 280, "height": 280}},
    "pixels": {"json": {"pixels": drawings.pixels()}},
    "upload": {"files": {"file": ("seven.png", PNG, "image/png")}},
}


def check_saliency(saliency):
    saliency = np.array(saliency)
    assert saliency.shape == (28, 28)
    assert -1 <= saliency.min() and saliency.max() <= 1
    np.testing.assert_array_equal(saliency, saliency.round(3))
    # scaled by its largest magnitude, so some pixel reaches +-1
    assert np.abs(saliency).max() == 1


@pytest.mark.parametrize("query", ["", "?explain=false", "?explain=0"])
def test_predict_leaves_saliency_out_by_default(client, query):
    response = client.post("/predict" + query, json={"strokes": drawings.SEVEN})
    assert response.status_code == 200, response.text
    check_answer(response.json())
    assert "saliency" not in response.json()


@pytest.mark.parametrize("form", sorted(BODIES))
def test_predict_explain_adds_saliency(client, form):
    response = client.post("/predict?explain=true", **BODIES[form])
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == ANSWER_KEYS | {"saliency"}
    check_saliency(answer["saliency"])
    timing = answer["timing_ms"]
    assert list(timing) == ["preprocess", "inference", "explain", "total"]
    assert timing["total"] >= timing["explain"]


def test_predict_explain_keeps_the_answer(client):
    body = {"strokes": drawings.SEVEN}
    plain = client.post("/predict", json=body).json()
    explained = client.post("/predict?explain=true", json=body).json()
    for key in ("digit", "probabilities", "uncertain", "image", "warnings"):
        assert explained[key] == plain[key]


def test_predict_saliency_matches_model_explain(client, weights_path):
    # pixels are used as they are, so the model saw exactly this image
    pixels = drawings.pixels(drawings.FOUR)
    response = client.post("/predict?explain=1", json={"pixels": pixels})
    assert response.status_code == 200, response.text
    answer = response.json()
    model = load_weights(weights_path)
    expected = explain(model, np.array(pixels, dtype=np.float32))
    assert expected["digit"] == answer["digit"]
    np.testing.assert_allclose(
        answer["saliency"], expected["saliency"], rtol=0, atol=5e-4
    )


def test_predict_saliency_of_a_constant_model_is_zero(constant_client):
    # no pixel changes the answer: an all-zero map, not a division by zero
    client = constant_client([0, 0, 0, 20, 0, 0, 0, 0, 0, 0])
    response = client.post("/predict?explain=true", json={"strokes": drawings.SEVEN})
    assert response.status_code == 200, response.text
    assert response.json()["saliency"] == [[0.0] * 28] * 28


def test_predict_explain_rejects_a_non_boolean(client):
    response = client.post("/predict?explain=maybe", json={"strokes": drawings.SEVEN})
    assert response.status_code == 422, response.text
    assert response.json() == {
        "detail": "query.explain: Input should be a valid boolean, "
        "unable to interpret input",
        "code": "invalid_request",
    }


def test_predict_explain_still_refuses_an_empty_drawing(client):
    response = client.post("/predict?explain=true", json={"strokes": []})
    assert response.status_code == 422, response.text
    assert response.json() == {
        "detail": "The drawing is empty",
        "code": "empty_drawing",
    }


def test_docs_describe_the_explain_parameter(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    spec = response.json()
    (parameter,) = spec["paths"]["/predict"]["post"]["parameters"]
    assert parameter["name"] == "explain" and parameter["in"] == "query"
    assert parameter["schema"]["default"] is False
    assert parameter["examples"]["on"]["value"] is True
    saliency = spec["components"]["schemas"]["PredictResponse"]["properties"]
    assert "[-1, 1]" in saliency["saliency"]["description"]

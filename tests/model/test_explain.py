import numpy as np
import pytest

from model.explain import explain, input_gradient, saliency
from model.network import init_params, log_softmax
from model.weights import Model


def small_network(sizes=(784, 12, 8, 10), seed=0):
    """float64 params with non-zero biases and a float64 image in [0, 1]."""
    rng = np.random.default_rng(seed)
    params = {k: v.astype(np.float64) for k, v in init_params(sizes, rng).items()}
    for name in params:
        if name.startswith("b"):
            params[name] = rng.normal(0, 0.1, params[name].shape)
    image = rng.random((28, 28))
    return params, image


def score(params, image, digit, temperature, kind):
    # the network by hand, so the check does not lean on network.forward
    h = image.reshape(1, 784)
    n_layers = len(params) // 2
    for k in range(1, n_layers):
        h = np.maximum(h @ params[f"w{k}"] + params[f"b{k}"], 0)
    logits = h @ params[f"w{n_layers}"] + params[f"b{n_layers}"]
    if kind == "logit":
        return logits[0, digit]
    return log_softmax(logits / temperature)[0, digit]


def numerical_gradient(params, image, digit, temperature, kind, eps=1e-6):
    image = image.copy()
    grad = np.zeros_like(image)
    for index in np.ndindex(image.shape):
        saved = image[index]
        image[index] = saved + eps
        plus = score(params, image, digit, temperature, kind)
        image[index] = saved - eps
        minus = score(params, image, digit, temperature, kind)
        image[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("kind", ["log_prob", "logit"])
@pytest.mark.parametrize("temperature", [1.0, 1.7])
def test_input_gradient_matches_numerical_gradient(kind, temperature):
    # central differences in float64 over every pixel agree with backprop
    params, image = small_network()
    digit = 3
    gradient = input_gradient(params, image, digit, temperature, kind)
    expected = numerical_gradient(params, image, digit, temperature, kind)
    assert gradient.shape == (28, 28)
    assert gradient.dtype == np.float64
    error = np.abs(gradient - expected).max() / np.abs(expected).max()
    assert error < 1e-6


@pytest.mark.parametrize("kind", ["log_prob", "logit"])
def test_input_gradient_sign_follows_ink(kind):
    # a one-layer network where pixel 0 votes for digit 2 and pixel 1 against
    params = {
        "w1": np.zeros((784, 10), dtype=np.float32),
        "b1": np.zeros(10, dtype=np.float32),
    }
    params["w1"][0, 2] = 1.0
    params["w1"][1, 2] = -1.0
    image = np.zeros((28, 28), dtype=np.float32)
    gradient = input_gradient(params, image, 2, kind=kind)
    assert gradient[0, 0] > 0
    assert gradient[0, 1] < 0
    np.testing.assert_allclose(gradient.ravel()[2:], 0, atol=1e-7)
    # the same step along the gradient raises the score, against it lowers it
    step = 0.1 * gradient
    up = score(params, image + step, 2, 1.0, kind)
    down = score(params, image - step, 2, 1.0, kind)
    assert up > score(params, image, 2, 1.0, kind) > down


def test_input_gradient_is_float32_for_float32_params():
    rng = np.random.default_rng(2)
    params = init_params((784, 16, 10), rng)
    image = rng.random((28, 28), dtype=np.float32)
    assert input_gradient(params, image, 0).dtype == np.float32


def test_input_gradient_log_prob_sums_to_zero_over_classes():
    # sum_k p_k * d log p_k / dx = d (sum_k p_k) / dx = 0
    params, image = small_network(seed=4)
    gradients = np.stack([input_gradient(params, image, k) for k in range(10)])
    logits = score(params, image, slice(None), 1.0, "logit")
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    total = np.tensordot(probs, gradients, axes=1)
    np.testing.assert_allclose(total, 0, atol=1e-12)


@pytest.mark.parametrize(
    "image, digit, temperature, kind",
    [
        (np.zeros((28, 27)), 0, 1.0, "logit"),
        (np.zeros((28, 28), dtype=np.uint8), 0, 1.0, "logit"),
        (np.zeros((28, 28)), 10, 1.0, "logit"),
        (np.zeros((28, 28)), True, 1.0, "logit"),
        (np.zeros((28, 28)), 0, 0.0, "logit"),
        (np.zeros((28, 28)), 0, 1.0, "prob"),
    ],
)
def test_input_gradient_rejects_bad_arguments(image, digit, temperature, kind):
    params, _ = small_network()
    with pytest.raises(ValueError):
        input_gradient(params, image, digit, temperature, kind)


def test_saliency_scales_to_unit_peak_keeping_signs():
    gradient = np.array([[0.5, -2.0], [1.0, 0.0]])
    result = saliency(gradient)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, [[0.25, -1.0], [0.5, 0.0]], rtol=1e-6)


def test_saliency_of_zero_map_is_zero():
    np.testing.assert_array_equal(saliency(np.zeros((28, 28))), 0)


def test_saliency_rejects_non_finite_map():
    with pytest.raises(ValueError):
        saliency(np.array([[np.nan, 1.0]]))


def test_explain_defaults_to_the_models_answer():
    rng = np.random.default_rng(5)
    model = Model(init_params((784, 16, 10), rng), 1.0, {})
    image = rng.random((28, 28), dtype=np.float32)
    result = explain(model, image)
    assert result["digit"] == int(model.predict(image[None])[0].argmax())
    assert result["saliency"].shape == (28, 28)
    assert np.abs(result["saliency"]).max() == pytest.approx(1.0)
    assert explain(model, image, digit=7)["digit"] == 7

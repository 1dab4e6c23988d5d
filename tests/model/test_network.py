import warnings

import numpy as np
import pytest

from model.network import (
    backward,
    cross_entropy,
    forward,
    init_params,
    input_backward,
    layer_sizes,
    log_softmax,
    predict_probs,
    softmax,
    sparse_logits,
)


def small_network(sizes=(6, 5, 4, 3), seed=0, batch_size=7):
    """A float64 network, a batch x and labels y, all seeded."""
    rng = np.random.default_rng(seed)
    params = {k: v.astype(np.float64) for k, v in init_params(sizes, rng).items()}
    # non-zero biases so that their gradients are exercised too
    for name in params:
        if name.startswith("b"):
            params[name] = rng.normal(0, 0.1, params[name].shape)
    x = rng.normal(size=(batch_size, sizes[0]))
    y = rng.integers(0, sizes[-1], batch_size)
    return params, x, y


def loss_of(params, x, y, dropout=0.0, seed=1):
    logits, _ = forward(params, x, dropout, np.random.default_rng(seed))
    return cross_entropy(logits, y)[0]


def numerical_gradient(params, name, x, y, dropout=0.0, eps=1e-6):
    grad = np.zeros_like(params[name])
    for index in np.ndindex(grad.shape):
        saved = params[name][index]
        params[name][index] = saved + eps
        plus = loss_of(params, x, y, dropout)
        params[name][index] = saved - eps
        minus = loss_of(params, x, y, dropout)
        params[name][index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-12)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("sizes", [(6, 3), (6, 5, 3), (6, 5, 4, 3)])
def test_backward_matches_numerical_gradient(sizes, dropout):
    # central differences in float64 agree with backprop for every tensor
    params, x, y = small_network(sizes)
    logits, activations = forward(params, x, dropout, np.random.default_rng(1))
    _, d_logits = cross_entropy(logits, y)
    grads = backward(params, activations, d_logits, dropout)
    assert set(grads) == set(params)
    for name in params:
        expected = numerical_gradient(params, name, x, y, dropout)
        assert grads[name].shape == params[name].shape
        assert relative_error(grads[name], expected) < 1e-6, name


def test_backward_input_gradient_matches_numerical_gradient():
    params, x, y = small_network()
    logits, activations = forward(params, x)
    _, d_logits = cross_entropy(logits, y)
    _, d_x = backward(params, activations, d_logits, need_d_x=True)
    params["x"] = x
    expected = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + 1e-6
        plus = loss_of({k: v for k, v in params.items() if k != "x"}, x, y)
        x[index] = saved - 1e-6
        minus = loss_of({k: v for k, v in params.items() if k != "x"}, x, y)
        x[index] = saved
        expected[index] = (plus - minus) / 2e-6
    assert relative_error(d_x, expected) < 1e-6


def test_cross_entropy_gradient_is_probs_minus_onehot_over_batch():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(5, 10))
    y = rng.integers(0, 10, 5)
    _, d_logits = cross_entropy(logits, y)
    expected = (softmax(logits) - np.eye(10)[y]) / 5
    np.testing.assert_allclose(d_logits, expected, rtol=0, atol=1e-12)


def test_cross_entropy_gradient_equals_per_row_jacobian_product():
    # the per-sample Jacobian (diag(s) - s s^T) applied row by row gives
    # the same gradient as the fused form, at far higher cost
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(4, 10))
    y = rng.integers(0, 10, 4)
    _, d_logits = cross_entropy(logits, y)
    probs = softmax(logits)
    for row in range(4):
        s = probs[row]
        jacobian = np.diagflat(s) - np.outer(s, s)
        d_probs = -np.eye(10)[y[row]] / s / 4
        np.testing.assert_allclose(jacobian @ d_probs, d_logits[row], atol=1e-12)


def test_cross_entropy_hand_worked_example():
    # logits (0, ln 3) give probs (1/4, 3/4); with label 1 the loss is
    # -ln(3/4) = 0.287682 and d_logits = (1/4, 3/4 - 1) = (0.25, -0.25)
    logits = np.array([[0.0, np.log(3.0)]])
    loss, d_logits = cross_entropy(logits, np.array([1]))
    assert loss == pytest.approx(0.2876821, abs=1e-7)
    np.testing.assert_allclose(d_logits, [[0.25, -0.25]], atol=1e-12)


def test_forward_hand_worked_example():
    # x = (1, 2); hidden z = (1*1 + 2*-1, 1*2 + 2*1) + (0, 1) = (-1, 5);
    # ReLU gives (0, 5); logits = 0*w + 5 * (1, -1) + (0.5, 0) = (5.5, -5)
    params = {
        "w1": np.array([[1.0, 2.0], [-1.0, 1.0]]),
        "b1": np.array([0.0, 1.0]),
        "w2": np.array([[3.0, 3.0], [1.0, -1.0]]),
        "b2": np.array([0.5, 0.0]),
    }
    logits, activations = forward(params, np.array([[1.0, 2.0]]))
    np.testing.assert_allclose(activations[1], [[0.0, 5.0]])
    np.testing.assert_allclose(logits, [[5.5, -5.0]])
    # d_logits = (p0 - 1, p1) with p1 = 1 / (1 + e^10.5) for label 0
    _, d_logits = cross_entropy(logits, np.array([0]))
    grads = backward(params, activations, d_logits)
    p1 = 1 / (1 + np.exp(10.5))
    np.testing.assert_allclose(grads["b2"], [-p1, p1], rtol=1e-9)
    np.testing.assert_allclose(grads["w2"], [[0, 0], [-5 * p1, 5 * p1]], rtol=1e-9)
    # only the active hidden unit passes gradient back to w1
    np.testing.assert_allclose(grads["w1"][:, 0], [0, 0])


@pytest.mark.parametrize(
    "row",
    [
        [1000.0] + [0.0] * 9,
        [-800.0, 800.0] + [0.0] * 8,
        [0.0] * 10,
        [89.0, -104.0] + [0.0] * 8,
    ],
)
def test_softmax_extreme_logits_stay_finite(row):
    logits = np.array([row], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        probs = softmax(logits)
        loss, d_logits = cross_entropy(logits, np.array([1]))
    assert np.isfinite(probs).all()
    assert np.isfinite(loss)
    assert np.isfinite(d_logits).all()
    np.testing.assert_allclose(probs.sum(), 1.0, atol=1e-6)


def test_softmax_rows_sum_to_one_and_are_non_negative():
    logits = np.random.default_rng(4).normal(0, 30, size=(50, 10))
    probs = softmax(logits)
    assert (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(logits)), probs, atol=1e-12)


def test_softmax_ignores_a_constant_added_to_a_row():
    logits = np.random.default_rng(5).normal(size=(3, 10))
    shifted = logits + np.array([[100.0], [-50.0], [0.25]])
    np.testing.assert_allclose(softmax(shifted), softmax(logits), atol=1e-12)


def test_cross_entropy_rows_behave_as_if_alone():
    # each row's gradient in a batch of n is its lone-row gradient / n
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(4, 10))
    logits[0] = [1000.0] + [0.0] * 9
    y = rng.integers(0, 10, 4)
    _, d_batch = cross_entropy(logits, y)
    for row in range(4):
        _, d_alone = cross_entropy(logits[row : row + 1], y[row : row + 1])
        np.testing.assert_allclose(d_batch[row] * 4, d_alone[0], atol=1e-12)


def test_cross_entropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="expected logits"):
        cross_entropy(np.zeros((3, 10)), np.zeros(4, dtype=int))


def test_init_params_shapes_dtype_and_seed():
    params = init_params((784, 64, 32, 10), np.random.default_rng(0))
    assert layer_sizes(params) == (784, 64, 32, 10)
    assert all(p.dtype == np.float32 for p in params.values())
    again = init_params((784, 64, 32, 10), np.random.default_rng(0))
    for name in params:
        np.testing.assert_array_equal(params[name], again[name])


@pytest.mark.parametrize("sizes", [(784,), (784, 0, 10), ()])
def test_init_params_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes"):
        init_params(sizes, np.random.default_rng(0))


def test_predict_probs_float32_rows_sum_to_one():
    params = init_params((784, 16, 10), np.random.default_rng(0))
    x = np.random.default_rng(1).random((5, 784), dtype=np.float32)
    probs = predict_probs(params, x, temperature=1.5)
    assert probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_one_sparse_image_reads_as_in_a_batch():
    rng = np.random.default_rng(2)
    params = init_params((784, 32, 16, 10), rng)
    for p in params.values():
        p += rng.normal(0, 0.1, p.shape).astype(np.float32)
    x = np.zeros((3, 784), dtype=np.float32)
    x[:, 200:330] = rng.random((3, 130), dtype=np.float32)
    batch = predict_probs(params, x, temperature=1.3)
    for row in range(3):
        alone = predict_probs(params, x[row : row + 1], temperature=1.3)
        np.testing.assert_allclose(alone[0], batch[row], rtol=0, atol=1e-6)
    logits, _ = forward(params, x[:1])
    sparse = sparse_logits(params, x[0])
    np.testing.assert_allclose(sparse, logits[0], rtol=1e-5, atol=1e-5)
    # a blank input reads no row of w1: the biases alone decide
    blank = np.zeros((1, 784), dtype=np.float32)
    np.testing.assert_allclose(
        sparse_logits(params, blank[0]), forward(params, blank)[0][0], atol=1e-6
    )


def test_input_backward_equals_backward_input_gradient():
    params, x, y = small_network()
    logits, activations = forward(params, x)
    _, d_logits = cross_entropy(logits, y)
    _, expected = backward(params, activations, d_logits, need_d_x=True)
    np.testing.assert_allclose(
        input_backward(params, activations, d_logits), expected, rtol=1e-12
    )

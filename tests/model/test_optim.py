import numpy as np
import pytest

from model.optim import TINY, Adam, Momentum, learning_rate_at, make_optimizer


def one_param():
    return {"w1": np.array([[1.0, -2.0]], dtype=np.float32)}


def test_momentum_matches_hand_computed_steps():
    # plain momentum: v = 0.9 v + g + wd w; w -= lr v
    params = one_param()
    optimizer = Momentum(params, momentum=0.9, weight_decay=0.1, nesterov=False)
    grad = np.array([[0.5, 0.5]], dtype=np.float32)
    optimizer.step(params, {"w1": grad.copy()}, 0.1)
    v1 = grad + 0.1 * np.array([[1.0, -2.0]])
    w1 = np.array([[1.0, -2.0]]) - 0.1 * v1
    np.testing.assert_allclose(params["w1"], w1, rtol=1e-6)
    optimizer.step(params, {"w1": grad.copy()}, 0.1)
    v2 = 0.9 * v1 + grad + 0.1 * w1
    np.testing.assert_allclose(params["w1"], w1 - 0.1 * v2, rtol=1e-6)


def test_adam_first_step_moves_each_weight_by_learning_rate():
    # after bias correction the first Adam step is lr * sign(g)
    params = one_param()
    optimizer = Adam(params)
    optimizer.step(params, {"w1": np.array([[3.0, -0.01]], dtype=np.float32)}, 0.01)
    np.testing.assert_allclose(params["w1"], [[0.99, -1.99]], rtol=1e-5)


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_optimizer_minimises_a_quadratic(name):
    params = {"w1": np.array([[4.0, -3.0]], dtype=np.float32)}
    optimizer = make_optimizer(name, params, weight_decay=0.0)
    for _ in range(300):
        optimizer.step(params, {"w1": params["w1"].copy()}, 0.05)
    np.testing.assert_allclose(params["w1"], 0, atol=1e-2)


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_flush_tiny_leaves_no_subnormal_buffers(name):
    params = {"w1": np.ones((1, 3), dtype=np.float32)}
    optimizer = make_optimizer(name, params, weight_decay=0.0)
    optimizer.step(params, {"w1": np.full((1, 3), 1e-36, dtype=np.float32)}, 0.1)
    optimizer.flush_tiny()
    buffers = vars(optimizer)
    for value in buffers.values():
        if isinstance(value, dict) and value is not optimizer.scratch:
            for array in value.values():
                assert not ((array != 0) & (np.abs(array) < TINY)).any()


def test_make_optimizer_rejects_unknown_name():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("sgd2", one_param(), 0.0)


def test_learning_rate_warms_up_then_decays_to_zero():
    rates = [learning_rate_at(step, 100, 1.0, 10) for step in range(101)]
    assert rates[0] == pytest.approx(0.1)
    assert rates[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(rates[9:], rates[10:], strict=False))
    assert rates[100] == pytest.approx(0.0, abs=1e-12)

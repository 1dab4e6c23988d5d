import numpy as np
import pytest

from model.network import init_params
from model.weights import WeightsError, load_weights, save_weights


@pytest.fixture
def params():
    return init_params((784, 16, 10), np.random.default_rng(0))


def test_weights_round_trip(tmp_path, params):
    path = tmp_path / "w.npz"
    save_weights(path, params, 1.25, {"test_accuracy": 0.99})
    model = load_weights(path)
    assert model.sizes == (784, 16, 10)
    assert model.temperature == pytest.approx(1.25)
    assert model.meta["test_accuracy"] == 0.99
    # float16 storage: weights within its relative precision
    for name in params:
        np.testing.assert_allclose(
            model.params[name], params[name], rtol=1e-3, atol=1e-4
        )
        assert model.params[name].dtype == np.float32
    assert path.with_suffix(".json").is_file()


def test_weights_predict_rows_sum_to_one(tmp_path, params):
    save_weights(tmp_path / "w.npz", params, 1.0, {})
    model = load_weights(tmp_path / "w.npz")
    images = np.random.default_rng(1).random((3, 28, 28), dtype=np.float32)
    probs = model.predict(images)
    assert probs.shape == (3, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_load_weights_missing_file(tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        load_weights(tmp_path / "absent.npz")


def test_load_weights_rejects_truncated_file(tmp_path, params):
    path = tmp_path / "w.npz"
    save_weights(path, params, 1.0, {})
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(WeightsError, match="not a readable weights file"):
        load_weights(path)


def test_load_weights_rejects_garbage(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(b"\x00" * 1000)
    with pytest.raises(WeightsError):
        load_weights(path)


def test_load_weights_rejects_mismatched_shapes(tmp_path, params):
    path = tmp_path / "w.npz"
    save_weights(path, params, 1.0, {})
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays["b1"] = np.zeros(17, dtype=np.float16)
    np.savez(path, **arrays)
    with pytest.raises(WeightsError, match="layer 1"):
        load_weights(path)


def test_save_weights_rejects_wrong_output_size(tmp_path):
    params = init_params((784, 16, 9), np.random.default_rng(0))
    with pytest.raises(WeightsError, match="9 outputs"):
        save_weights(tmp_path / "w.npz", params, 1.0, {})


def test_load_weights_never_unpickles(tmp_path, params):
    path = tmp_path / "w.npz"
    save_weights(path, params, 1.0, {})
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays["meta"] = np.array([{"evil": 1}], dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(WeightsError):
        load_weights(path)

import json

import numpy as np
import pytest

from model import train as train_cli
from model.trainer import Config, train
from model.weights import load_weights
from tests.model.test_data import write_fake_mnist


def blobs(n, seed):
    """Ten well separated classes: each lights its own 8-pixel band."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    images = rng.random((n, 28, 28), dtype=np.float32) * 0.2
    for digit in range(10):
        images[y == digit, 2 + 2 * digit : 4 + 2 * digit, 4:12] += 0.8
    return images, y


TINY = Config(hidden=(32,), epochs=3, batch_size=32, learning_rate=0.05, seed=3)


def test_train_reduces_loss_and_learns_separable_data():
    images, y = blobs(640, 0)
    val_images, val_y = blobs(200, 1)
    _, history = train(TINY, images, y, val_images, val_y)
    assert history[-1]["loss"] < history[0]["loss"]
    assert history[-1]["val_accuracy"] > 0.95


def test_train_same_seed_same_parameters():
    images, y = blobs(320, 0)
    first, _ = train(TINY, images, y, images[:50], y[:50])
    second, _ = train(TINY, images, y, images[:50], y[:50])
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])


@pytest.mark.slow
def test_train_cli_writes_weights_curve_and_metadata(tmp_path):
    write_fake_mnist(tmp_path, compress=False)
    out = tmp_path / "w.npz"
    code = train_cli.main(
        [
            "--data-dir",
            str(tmp_path),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--hidden",
            "16",
            "--no-augment",
            "--seed",
            "5",
            "--no-download",
        ]
    )
    assert code == 0
    model = load_weights(out)
    assert model.sizes == (784, 16, 10)
    assert model.meta["config"]["seed"] == 5
    assert set(model.meta["data_sha256"]) == {
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    }
    assert 0 <= model.meta["test_accuracy"] <= 1
    curve = out.with_suffix(".curve.csv").read_text().splitlines()
    assert curve[0].startswith("epoch,loss,val_accuracy")
    assert len(curve) == 2
    assert json.loads(out.with_suffix(".json").read_text())["sizes"] == [784, 16, 10]


def test_train_cli_without_data_names_the_problem(tmp_path, caplog):
    code = train_cli.main(
        ["--data-dir", str(tmp_path), "--out", str(tmp_path / "w.npz"), "--no-download"]
    )
    assert code == 2
    assert "not found" in caplog.text

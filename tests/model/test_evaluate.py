import gzip
import json

import numpy as np
import pytest

from model import evaluate
from model.network import init_params
from model.stroke_images import (
    STROKE_COPIES,
    render_samples,
    stroke_training_sets,
)
from model.weights import save_weights


def stroke_file(path, n_writers=6, per_writer=5):
    """A small stroke file in the shared format: vertical bars and boxes."""
    samples = []
    for w in range(n_writers):
        for k in range(per_writer):
            label = k % 2
            if label == 1:
                strokes = [[[50, 0], [52, 300]]]
            else:
                strokes = [[[0, 0], [200, 0], [200, 300], [0, 300], [0, 0]]]
            samples.append({"label": label, "writer": f"abc/w{w}", "strokes": strokes})
    path.write_bytes(gzip.compress(json.dumps({"samples": samples}).encode()))
    return path


@pytest.fixture
def weights(tmp_path):
    params = init_params((784, 8, 10), np.random.default_rng(0))
    path = tmp_path / "w.npz"
    save_weights(path, params, 1.0, {"strokes_val_writers": ["abc/w0", "abc/w1"]})
    return path


def test_render_samples_gives_model_inputs(tmp_path):
    from model.strokes import load_stroke_file

    samples = load_stroke_file(stroke_file(tmp_path / "s.json.gz"))
    images, labels, writers = render_samples(samples)
    assert images.shape == (30, 28, 28)
    assert images.dtype == np.float32
    assert 0 <= images.min() and images.max() <= 1
    assert labels.tolist() == [s["label"] for s in samples]
    assert len(set(writers.tolist())) == 6


def test_stroke_training_sets_keep_writers_apart(tmp_path):
    sets = stroke_training_sets(stroke_file(tmp_path / "s.json.gz"), seed=0)
    val_writers = set(sets["meta"]["strokes_val_writers"])
    assert val_writers and len(val_writers) < 6
    # STROKE_COPIES jittered renderings of every training drawing
    copies = sets["meta"]["strokes_copies"]
    assert copies == STROKE_COPIES
    assert len(sets["train_images"]) == copies * sets["meta"]["strokes_train_samples"]
    assert len(sets["val_images"]) == sets["meta"]["strokes_val_samples"]


def test_stroke_training_sets_copies_change_only_the_training_part(tmp_path):
    path = stroke_file(tmp_path / "s.json.gz")
    default = stroke_training_sets(path, seed=0)
    two = stroke_training_sets(path, seed=0, copies=2)
    assert two["meta"]["strokes_copies"] == 2
    assert len(two["train_images"]) == 2 * two["meta"]["strokes_train_samples"]
    # the writers held out, and their images, do not depend on the copies
    assert two["meta"]["strokes_val_writers"] == default["meta"]["strokes_val_writers"]
    np.testing.assert_array_equal(two["val_images"], default["val_images"])


def test_evaluate_json_on_strokes(tmp_path, weights, capsys):
    path = stroke_file(tmp_path / "s.json.gz")
    code = evaluate.main(["--strokes", str(path), "--weights", str(weights), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("accuracy", "n", "log_loss", "ece"):
        assert key in result
    assert result["n"] == 30
    held_out = result["strokes"]["held_out_writers"]
    assert held_out["n"] == 10
    assert held_out["writers"] == 2
    assert len(result["strokes"]["confusion_matrix"]) == 10


def test_evaluate_text_report(tmp_path, weights, capsys):
    path = stroke_file(tmp_path / "s.json.gz")
    assert evaluate.main(["--strokes", str(path), "--weights", str(weights)]) == 0
    out = capsys.readouterr().out
    assert "writer-balanced accuracy" in out
    assert "held-out writers" in out


def test_evaluate_missing_weights_fails_cleanly(tmp_path, caplog):
    path = stroke_file(tmp_path / "s.json.gz")
    code = evaluate.main(["--strokes", str(path), "--weights", str(tmp_path / "x")])
    assert code == 2
    assert "not found" in caplog.text

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from model.strokes import fit_to_canvas, load_stroke_file, split_by_writer

DEV_FILE = Path("/work/shared/strokes/unipen-dev.json.gz")
SAMPLE = {"label": 3, "writer": "abc/w1", "strokes": [[[0, 0], [10, 20]], [[5, 5]]]}


def write(path, data, compress=True):
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as f:
        json.dump(data, f)
    return path


@pytest.mark.parametrize("compress", [True, False])
def test_load_stroke_file_reads_samples(tmp_path, compress):
    name = "s.json.gz" if compress else "s.json"
    path = write(tmp_path / name, {"samples": [SAMPLE, SAMPLE]}, compress)
    assert load_stroke_file(path) == [SAMPLE, SAMPLE]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([SAMPLE], "'samples' list"),
        ({"samples": [[1]]}, "sample 0: expected an object"),
        ({"samples": [{**SAMPLE, "label": 10}]}, "label must be"),
        ({"samples": [{**SAMPLE, "label": True}]}, "label must be"),
        ({"samples": [{**SAMPLE, "writer": ""}]}, "writer"),
        ({"samples": [SAMPLE, {**SAMPLE, "strokes": [[[0, "x"]]]}]}, "sample 1"),
        ({"samples": [{**SAMPLE, "strokes": []}]}, "empty"),
    ],
)
def test_load_stroke_file_rejects_bad_format(tmp_path, data, message):
    path = write(tmp_path / "s.json.gz", data)
    with pytest.raises(ValueError, match=message):
        load_stroke_file(path)


def test_load_stroke_file_rejects_non_json(tmp_path):
    path = tmp_path / "s.json.gz"
    path.write_bytes(b"not gzip")
    with pytest.raises(ValueError, match="not a readable JSON"):
        load_stroke_file(path)


@pytest.mark.skipif(not DEV_FILE.exists(), reason="shared dev strokes not present")
def test_load_stroke_file_reads_dev_set():
    samples = load_stroke_file(DEV_FILE)
    assert len(samples) == 4102
    assert {s["label"] for s in samples} == set(range(10))


@pytest.mark.parametrize(
    ("strokes", "size"),
    [
        ([[[0, 0], [30, 100]]], (60, 200)),
        ([[[0, 0], [1000, 0]], [[200, 100]]], (200, 20)),
    ],
)
def test_fit_to_canvas_fills_and_centres(strokes, size):
    points = np.concatenate(fit_to_canvas(strokes, size=280, fill=0.7))
    lo, hi = points.min(axis=0), points.max(axis=0)
    assert max(hi - lo) == pytest.approx(196)
    np.testing.assert_allclose((lo + hi) / 2, (140, 140), atol=1e-9)
    np.testing.assert_allclose(
        (hi - lo) / max(hi - lo), np.array(size) / 200, atol=1e-9
    )


def test_fit_to_canvas_puts_a_dot_in_the_middle():
    assert fit_to_canvas([[[5, 9]]]) == [[[140.0, 140.0]]]


def make_samples():
    # 20 writers with 1 to 20 samples each.
    return [
        {"label": i % 10, "writer": f"w{w}", "strokes": [[[0, 0]]]}
        for w in range(20)
        for i in range(w + 1)
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_by_writer_keeps_writers_apart(seed):
    samples = make_samples()
    train, val = split_by_writer(samples, 0.2, seed)
    assert len(train) + len(val) == len(samples)
    assert not {s["writer"] for s in train} & {s["writer"] for s in val}
    assert 0.2 <= len(val) / len(samples) < 0.3


def test_split_by_writer_is_deterministic():
    samples = make_samples()
    assert split_by_writer(samples, 0.25, 7) == split_by_writer(samples, 0.25, 7)
    assert split_by_writer(samples, 0.25, 7) != split_by_writer(samples, 0.25, 8)


def test_split_by_writer_zero_fraction_has_no_val():
    samples = make_samples()
    assert split_by_writer(samples, 0.0, 0) == (samples, [])


@pytest.mark.parametrize("fraction", [-0.1, 1.0])
def test_split_by_writer_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="val_fraction"):
        split_by_writer(make_samples(), fraction, 0)

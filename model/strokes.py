"""Read the pen-stroke digit set (/work/shared/strokes format) and split it.

Samples are dicts ``{"label": int, "writer": str, "strokes": [[[x, y], ...]]}``.
``fit_to_canvas`` places a digit on a square canvas the way a person would
draw it, so stroke data can go through ``prepare_strokes`` like browser input.
"""

import gzip
import json
from pathlib import Path

import numpy as np

from model import render
from model.errors import InputError


def load_stroke_file(path) -> list[dict]:
    """Load and check a stroke file (gzip JSON or plain JSON) -> list of samples.

    Raises ValueError naming the file and the first bad sample.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a readable JSON stroke file: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("samples"), list):
        raise ValueError(f"{path}: expected an object with a 'samples' list")
    return [
        _check_sample(sample, f"{path}: sample {i}")
        for i, sample in enumerate(data["samples"])
    ]


def _check_sample(sample, where: str) -> dict:
    if not isinstance(sample, dict):
        raise ValueError(f"{where}: expected an object")
    label, writer, strokes = (sample.get(k) for k in ("label", "writer", "strokes"))
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise ValueError(f"{where}: label must be an int 0-9, got {label!r}")
    if not isinstance(writer, str) or not writer:
        raise ValueError(f"{where}: writer must be a non-empty string")
    try:
        render.validate_strokes(strokes)
    except InputError as error:
        raise ValueError(f"{where} ({writer}): {error.detail}") from error
    return {"label": label, "writer": writer, "strokes": strokes}


def fit_to_canvas(strokes, size: int = 280, fill: float = 0.7) -> list:
    """Scale strokes so the longer side is ``fill * size``, centred on the canvas.

    For most digits the longer side is the height, so this mimics someone
    writing a digit ~70 % of the height of a ``size`` x ``size`` canvas.
    Returns new ``[[[x, y], ...], ...]`` lists of floats.
    """
    points = render.validate_strokes(strokes)
    lo = np.min([p.min(axis=0) for p in points], axis=0)
    hi = np.max([p.max(axis=0) for p in points], axis=0)
    extent = (hi - lo).max()
    scale = fill * size / extent if extent > 0 else 1.0
    offset = size / 2 - (lo + hi) / 2 * scale
    return [(p * scale + offset).tolist() for p in points]


def split_by_writer(samples: list[dict], val_fraction: float, seed: int):
    """Split samples into (train, val) with no writer on both sides.

    Writers are shuffled with ``seed`` and moved to val until val holds about
    ``val_fraction`` of the samples (writers are uneven, so it is approximate).
    The same inputs always give the same split.
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    writers = sorted({s["writer"] for s in samples})
    order = np.random.default_rng(seed).permutation(len(writers))
    counts = {}
    for s in samples:
        counts[s["writer"]] = counts.get(s["writer"], 0) + 1
    val_writers = set()
    n_val = 0
    for i in order:
        if n_val >= val_fraction * len(samples):
            break
        val_writers.add(writers[i])
        n_val += counts[writers[i]]
    train = [s for s in samples if s["writer"] not in val_writers]
    val = [s for s in samples if s["writer"] in val_writers]
    return train, val

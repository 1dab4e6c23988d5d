"""Pen-drawn stroke samples turned into model inputs, as the server does.

Each digit is placed on a 280x280 canvas the way a person draws it and
goes through `prepare_strokes`, the same function the server calls.
"""

import numpy as np

from model.preprocess import prepare_strokes
from model.render import PEN_WIDTH
from model.strokes import fit_to_canvas, load_stroke_file, split_by_writer

CANVAS = 280
# share of the pen-drawn writers held out of training to validate on
STROKE_VAL_FRACTION = 0.3


def render_samples(samples, pen_width=PEN_WIDTH):
    """images (n, 28, 28) float32, labels (n,) int64, writers (n,) str."""
    images = np.empty((len(samples), 28, 28), dtype=np.float32)
    for k, sample in enumerate(samples):
        strokes = fit_to_canvas(sample["strokes"], CANVAS)
        prepared = prepare_strokes(strokes, CANVAS, CANVAS, pen_width)
        images[k] = prepared.image
    labels = np.array([sample["label"] for sample in samples], dtype=np.int64)
    writers = np.array([sample["writer"] for sample in samples])
    return images, labels, writers


def stroke_training_sets(path, seed, val_fraction=STROKE_VAL_FRACTION):
    """Stroke images split by writer into a training and a validation part.

    The training part is rendered at three pen widths, so that the
    network sees thin and bold versions of each drawing.
    """
    samples = load_stroke_file(path)
    train, val = split_by_writer(samples, val_fraction, seed)
    parts = [render_samples(train, PEN_WIDTH * scale) for scale in (0.75, 1, 1.3)]
    val_images, val_labels, val_writers = render_samples(val)
    return {
        "train_images": np.concatenate([p[0] for p in parts]),
        "train_labels": np.concatenate([p[1] for p in parts]),
        "val_images": val_images,
        "val_labels": val_labels,
        "val_writers": val_writers,
        "meta": {
            "strokes_val_writers": sorted(set(val_writers.tolist())),
            "strokes_train_samples": len(train),
            "strokes_val_samples": len(val),
        },
    }

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
# jittered renderings of each training digit; each is distorted anew per epoch
STROKE_COPIES = 10


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


def jitter_strokes(strokes, rng, rotation=10.0, shear=0.25, stretch=0.15):
    """The strokes under a random rotation, shear and change of proportions.

    Distorting the pen path before drawing keeps the stroke width even,
    as a person's pen does, where image distortions would smear it.
    """
    angle = np.radians(rng.uniform(-rotation, rotation))
    cos, sin = np.cos(angle), np.sin(angle)
    matrix = np.array([[cos, -sin], [sin, cos]]) @ np.array(
        [[1 + rng.uniform(-stretch, stretch), rng.uniform(-shear, shear)], [0, 1]]
    )
    return [(np.asarray(stroke, float) @ matrix.T).tolist() for stroke in strokes]


def render_variants(samples, copies, rng):
    """`copies` randomly jittered renderings of each sample, pen width too."""
    images, labels = [], []
    for _ in range(copies):
        jittered = [
            {**sample, "strokes": jitter_strokes(sample["strokes"], rng)}
            for sample in samples
        ]
        pen_width = PEN_WIDTH * rng.uniform(0.7, 1.4)
        part_images, part_labels, _ = render_samples(jittered, pen_width)
        images.append(part_images)
        labels.append(part_labels)
    return np.concatenate(images), np.concatenate(labels)


def stroke_training_sets(
    path, seed, val_fraction=STROKE_VAL_FRACTION, copies=STROKE_COPIES
):
    """Stroke images split by writer into a training and a validation part.

    The training part holds `copies` jittered renderings of each drawing;
    the validation part is rendered as the server would, once.
    """
    samples = load_stroke_file(path)
    train, val = split_by_writer(samples, val_fraction, seed)
    rng = np.random.default_rng([seed, len(samples)])
    train_images, train_labels = render_variants(train, copies, rng)
    val_images, val_labels, val_writers = render_samples(val)
    return {
        "train_images": train_images,
        "train_labels": train_labels,
        "val_images": val_images,
        "val_labels": val_labels,
        "val_writers": val_writers,
        "meta": {
            "strokes_val_writers": sorted(set(val_writers.tolist())),
            "strokes_train_samples": len(train),
            "strokes_val_samples": len(val),
            "strokes_copies": copies,
        },
    }

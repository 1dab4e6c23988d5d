"""Train the MLP on MNIST and write the weights file the app ships.

    python -m model.train --data-dir ../shared/mnist --out runs/quick.npz
    python -m model.train --profile full --data-dir ../shared/mnist \\
        --strokes ../shared/strokes/unipen-dev.json.gz --out model/weights/mlp.npz

The validation split (taken from the training set) chooses the epoch and
the softmax temperature; the test set is read once, for the final figure.
"""

import argparse
import dataclasses
import datetime
import json
import logging
import platform
import sys
import time
from pathlib import Path

import numpy as np

from model.data import DataError, load_mnist
from model.metrics import fit_temperature, group_balanced_accuracy, summary
from model.network import softmax
from model.stroke_images import STROKE_COPIES, stroke_training_sets
from model.trainer import Config, logits_of, train
from model.weights import save_weights

logger = logging.getLogger("model.train")

PROFILES = {
    "quick": Config(hidden=(512, 256), epochs=12, augment=False, learning_rate=0.1),
    "full": Config(),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--strokes", type=Path, help="pen-drawn digits to add")
    parser.add_argument(
        "--stroke-copies",
        type=int,
        default=STROKE_COPIES,
        help="jittered renderings of each pen-drawn training digit",
    )
    parser.add_argument("--val-size", type=int, default=5000)
    parser.add_argument("--no-download", action="store_true")
    for field in dataclasses.fields(Config):
        flag = "--" + field.name.replace("_", "-")
        if field.type is tuple:
            parser.add_argument(flag, type=parse_sizes, help="e.g. 1024,1024")
        elif field.type is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction)
        else:
            parser.add_argument(flag, type=field.type)
    return parser.parse_args(argv)


def parse_sizes(text):
    return tuple(int(n) for n in text.split(","))


def make_config(args):
    """The profile's config with any option given on the command line."""
    overrides = {}
    for field in dataclasses.fields(Config):
        value = getattr(args, field.name)
        if value is not None:
            overrides[field.name] = value
    return dataclasses.replace(PROFILES[args.profile], **overrides)


def split_validation(images, labels, val_size, seed):
    """A seeded random split of the training set into train and validation."""
    order = np.random.default_rng(seed).permutation(len(images))
    val, rest = order[:val_size], order[val_size:]
    return images[rest], labels[rest], images[val], labels[val]


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    config = make_config(args)
    logger.info("config %s", json.dumps(dataclasses.asdict(config)))
    started = time.perf_counter()
    try:
        data = load_mnist(args.data_dir, allow_download=not args.no_download)
    except DataError as error:
        logger.error("%s", error)
        return 2
    sets = training_sets(
        data, config.seed, args.val_size, args.strokes, args.stroke_copies
    )
    extra_val = sets["strokes"] and sets["strokes"]["val"]
    params, history = train(config, *sets["train"], *sets["val"], extra_val)

    # calibrate on validation data, then measure once on the test set
    temperature = fit_temperature(
        logits_of(params, flat(sets["val"][0])), sets["val"][1]
    )
    figures = measure(params, temperature, data, sets["strokes"])
    figures["train_seconds"] = round(time.perf_counter() - started)
    logger.info(
        "temperature %.3f | test accuracy %.4f | ece %.4f | %d s",
        temperature,
        figures["test_accuracy"],
        figures["test_ece"],
        figures["train_seconds"],
    )
    meta = {
        "config": dataclasses.asdict(config),
        "profile": args.profile,
        "data_sha256": data["sha256"],
        "val_accuracy": max(record["val_accuracy"] for record in history),
        **figures,
        "trained_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    if sets["strokes"]:
        meta.update(sets["strokes"]["meta"])
    save_weights(args.out, params, temperature, meta)
    write_curve(args.out.with_suffix(".curve.csv"), history)
    logger.info("saved %s", args.out)
    return 0


def training_sets(data, seed, val_size, strokes_path, stroke_copies=STROKE_COPIES):
    """(images, labels) for train and val, plus the pen-drawn sets if any."""
    train_images, train_labels, val_images, val_labels = split_validation(
        data["train_images"], data["train_labels"], val_size, seed
    )
    strokes = None
    if strokes_path:
        strokes = stroke_training_sets(strokes_path, seed, copies=stroke_copies)
        train_images = np.concatenate([train_images, strokes["train_images"]])
        train_labels = np.concatenate([train_labels, strokes["train_labels"]])
        strokes["val"] = (strokes["val_images"], strokes["val_labels"])
    logger.info(
        "train %d, validation %d, test %d images",
        len(train_images),
        len(val_images),
        len(data["test_images"]),
    )
    return {
        "train": (train_images, train_labels),
        "val": (val_images, val_labels),
        "strokes": strokes,
    }


def measure(params, temperature, data, strokes):
    """Test-set figures, and pen-drawn figures on writers left out of training."""
    test_logits = logits_of(params, flat(data["test_images"])) / temperature
    test = summary(softmax(test_logits), data["test_labels"])
    figures = {
        "test_accuracy": test["accuracy"],
        "test_log_loss": test["log_loss"],
        "test_ece": test["ece"],
    }
    if strokes:
        logits = logits_of(params, flat(strokes["val_images"])) / temperature
        probs = softmax(logits)
        held_out = summary(probs, strokes["val_labels"])
        figures["strokes_accuracy"] = held_out["accuracy"]
        figures["strokes_writer_balanced_accuracy"] = group_balanced_accuracy(
            probs, strokes["val_labels"], strokes["val_writers"]
        )
        figures["strokes_ece"] = held_out["ece"]
    return figures


def flat(images):
    return images.reshape(len(images), -1)


def write_curve(path, history):
    """The per-epoch history as CSV, beside the weights."""
    columns = list(history[0])
    lines = [",".join(columns)]
    for record in history:
        lines.append(",".join(f"{record[c]:.6g}" for c in columns))
    Path(path).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())

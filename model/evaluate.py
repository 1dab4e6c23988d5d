"""Measure a weights file on the MNIST test set and on pen-drawn strokes.

    python -m model.evaluate --data-dir ../shared/mnist
    python -m model.evaluate --strokes ../shared/strokes/unipen-dev.json.gz --json

Reports accuracy, per-class accuracy, the confusion matrix, mean log-loss
and expected calibration error (15 bins). Strokes go through the same
`prepare_strokes` as the server's requests.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from model.data import DataError, load_mnist
from model.metrics import group_balanced_accuracy, summary
from model.stroke_images import render_samples
from model.strokes import load_stroke_file
from model.weights import DEFAULT_WEIGHTS, WeightsError, load_weights

logger = logging.getLogger("model.evaluate")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, help="MNIST IDX files")
    parser.add_argument("--strokes", type=Path, help="a stroke file to read")
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    if args.data_dir is None and args.strokes is None:
        parser.error("give --data-dir, --strokes or both")
    return args


def evaluate_mnist(model, data_dir):
    data = load_mnist(data_dir, allow_download=False)
    probs = model.predict(data["test_images"])
    return summary(probs, data["test_labels"])


def evaluate_strokes(model, path):
    """Figures on every writer, and on the writers training never saw."""
    samples = load_stroke_file(path)
    images, labels, writers = render_samples(samples)
    probs = model.predict(images)
    result = summary(probs, labels)
    result["writer_balanced_accuracy"] = group_balanced_accuracy(probs, labels, writers)
    result["writers"] = len(set(writers.tolist()))
    held_out = model.meta.get("strokes_val_writers")
    if held_out:
        # writers whose drawings were in training would flatter the figure
        keep = np.isin(writers, held_out)
        part = summary(probs[keep], labels[keep])
        part["writer_balanced_accuracy"] = group_balanced_accuracy(
            probs[keep], labels[keep], writers[keep]
        )
        part["writers"] = len(set(writers[keep].tolist()))
        result["held_out_writers"] = part
    return result


def format_report(name, result):
    lines = [
        f"{name}: accuracy {result['accuracy']:.4f} on {result['n']}"
        f" | log-loss {result['log_loss']:.4f} | ece {result['ece']:.4f}"
    ]
    if "writer_balanced_accuracy" in result:
        lines.append(
            f"  writer-balanced accuracy {result['writer_balanced_accuracy']:.4f}"
            f" over {result['writers']} writers"
        )
    per_class = " ".join(f"{a:.3f}" for a in result["per_class_accuracy"])
    lines.append(f"  per-class accuracy (0-9): {per_class}")
    lines.append("  confusion matrix (rows true, columns predicted):")
    for digit, row in enumerate(result["confusion_matrix"]):
        lines.append(f"    {digit}: " + " ".join(f"{n:5d}" for n in row))
    return "\n".join(lines)


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    try:
        model = load_weights(args.weights)
        results = {"weights": str(args.weights)}
        if args.data_dir:
            results["mnist_test"] = evaluate_mnist(model, args.data_dir)
        if args.strokes:
            results["strokes"] = evaluate_strokes(model, args.strokes)
    except (WeightsError, DataError, ValueError) as error:
        logger.error("%s", error)
        return 2
    if args.json:
        # the first figure set is also at the top level for simple readers
        first = results.get("mnist_test") or results["strokes"]
        for key in ("accuracy", "n", "log_loss", "ece"):
            results[key] = first[key]
        sys.stdout.write(json.dumps(results) + "\n")
        return 0
    for name in ("mnist_test", "strokes"):
        if name in results:
            sys.stdout.write(format_report(name, results[name]) + "\n")
        held_out = results.get(name, {}).get("held_out_writers")
        if held_out:
            sys.stdout.write(
                format_report("strokes, held-out writers", held_out) + "\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The "not sure" rule: how many drawings get a confident answer, how many right.

    python -m bench.uncertainty

Pen-drawn digits of the writers the weights held out of training (meta
``strokes_val_writers``) are rendered as the server renders strokes
(``model.stroke_images.render_samples``) and read. An answer is confident when
the preprocessing raised no warning and its score reaches a threshold; the
score is the top probability, or its margin over the runner-up. For each
threshold: coverage (share of drawings answered confidently) and accuracy of
those answers. The pick is the loosest threshold from which every stricter one
keeps the confident answers >= 99% right. Leave-one-writer-out picks without
each writer and scores that writer, an estimate for writers not seen at all.
The MNIST validation split that training held out is shown for comparison.
Target (issue 7): >= 99% right while covering >= 90% of the drawings.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from bench.numbers import DEV_STROKES, held_out_writers
from model import decision
from model.data import DataError, load_mnist
from model.preprocess import prepare_strokes
from model.stroke_images import CANVAS, render_samples
from model.strokes import fit_to_canvas, load_stroke_file
from model.weights import DEFAULT_WEIGHTS, load_weights

ROOT = Path(__file__).resolve().parents[1]
MNIST_DIR = ROOT.parent / "shared" / "mnist"
THRESHOLDS = np.round(np.arange(0, 1, 0.005), 3)
SHOWN = (0.0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99)
RULES = {"top": "top probability", "margin": "margin over the runner-up"}


def read_samples(model, samples):
    """probs (n, 10) float64, labels (n,), flagged (n,) bool, writers (n,)."""
    images, labels, writers = render_samples(samples)
    probs = model.predict(images).astype(np.float64)
    # the server renormalises in float64 before deciding; so do we
    probs /= probs.sum(axis=1, keepdims=True)
    flagged = np.array([bool(warnings_of(s["strokes"])) for s in samples])
    return probs, labels, flagged, writers


def warnings_of(strokes):
    """The preprocessing notes, which render_samples does not return."""
    fitted = fit_to_canvas(strokes, CANVAS)
    return prepare_strokes(fitted, CANVAS, CANVAS).warnings


def scores(probs):
    """Each rule's score per drawing: higher means surer."""
    ordered = np.sort(probs, axis=1)
    return {"top": ordered[:, -1], "margin": ordered[:, -1] - ordered[:, -2]}


def curve(score, right, flagged):
    """Rows (threshold, coverage, accuracy, confident, wrong) over THRESHOLDS."""
    rows = []
    for threshold in THRESHOLDS:
        confident = (score >= threshold) & ~flagged
        count = int(confident.sum())
        wrong = int((confident & ~right).sum())
        accuracy = 1 - wrong / count if count else 1.0
        rows.append((float(threshold), confident.mean(), accuracy, count, wrong))
    return rows


def pick(rows, target):
    """The loosest row from which every stricter row has accuracy >= target."""
    chosen = None
    for row in reversed(rows):
        if row[2] < target:
            break
        chosen = row
    return chosen


def leave_one_writer_out(score, right, flagged, writers, target):
    """Pooled (coverage, accuracy) of thresholds picked without each writer."""
    confident = np.zeros(len(score), dtype=bool)
    for writer in np.unique(writers):
        mine = writers == writer
        rows = curve(score[~mine], right[~mine], flagged[~mine])
        threshold = pick(rows, target)[0]
        confident[mine] = (score[mine] >= threshold) & ~flagged[mine]
    return confident.mean(), right[confident].mean()


def shipped(probs, labels, flagged):
    """model.decision.describe as the server runs it: coverage, accuracy, and
    of the unsure answers, the share naming one digit and naming the true one."""
    answers = [
        decision.describe(p, ("warned",) if f else ())
        for p, f in zip(probs, flagged, strict=True)
    ]
    sure = np.array([not a["uncertain"] for a in answers])
    right = probs.argmax(axis=1) == labels
    unsure = [(a, y) for a, y in zip(answers, labels, strict=True) if a["uncertain"]]
    single = np.mean([len(a["alternatives"]) == 1 for a, _ in unsure])
    named = np.mean([y in a["alternatives"] for a, y in unsure])
    return sure.mean(), right[sure].mean(), single, named


def mnist_val(model, data_dir):
    """probs and right of the MNIST validation split training held out."""
    from model.train import split_validation

    data = load_mnist(data_dir, allow_download=False)
    seed = model.meta.get("config", {}).get("seed", 0)
    *_, images, labels = split_validation(
        data["train_images"], data["train_labels"], 5000, seed
    )
    probs = model.predict(images).astype(np.float64)
    probs /= probs.sum(axis=1, keepdims=True)
    return probs, probs.argmax(axis=1) == labels


def print_curve(name, rows, chosen, mnist_rows=None):
    print(f"\nscore: {RULES[name]}")
    header = "threshold  coverage  accuracy  wrong/confident"
    print(header + ("  | MNIST val coverage  accuracy" if mnist_rows else ""))
    for k, (threshold, coverage, accuracy, count, wrong) in enumerate(rows):
        if threshold not in SHOWN and (chosen is None or threshold != chosen[0]):
            continue
        mark = "  <- pick" if chosen and threshold == chosen[0] else ""
        line = f"{threshold:>9.3f}  {coverage:>8.1%}  {accuracy:>8.2%}  "
        line += f"{wrong:>5}/{count:<5}"
        if mnist_rows:
            line += f"     | {mnist_rows[k][1]:>17.1%}  {mnist_rows[k][2]:>8.2%}"
        print(line + mark)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--strokes", type=Path, default=DEV_STROKES)
    parser.add_argument("--mnist", type=Path, default=MNIST_DIR)
    parser.add_argument("--target", type=float, default=0.99)
    args = parser.parse_args(argv)

    model = load_weights(args.weights)
    samples = load_stroke_file(args.strokes)
    writers, source = held_out_writers(samples, model.meta)
    samples = [s for s in samples if s["writer"] in writers]
    probs, labels, flagged, sample_writers = read_samples(model, samples)
    right = probs.argmax(axis=1) == labels
    print(
        f"weights: {args.weights} ({'-'.join(map(str, model.sizes))}); "
        f"{len(samples)} drawings of {len(writers)} writers held out ({source}); "
        f"read right {right.mean():.2%}; {flagged.sum()} with a warning"
    )
    try:
        mnist_probs, mnist_right = mnist_val(model, args.mnist)
        mnist_scores = scores(mnist_probs)
        print(f"MNIST validation split: 5000 images, {mnist_right.mean():.2%} right")
    except DataError as error:
        print(f"MNIST validation split skipped: {error}")
        mnist_scores = None

    picks = {}
    for name, score in scores(probs).items():
        rows = curve(score, right, flagged)
        chosen = picks[name] = pick(rows, args.target)
        mnist_rows = None
        if mnist_scores is not None:
            no_flags = np.zeros(len(mnist_right), dtype=bool)
            mnist_rows = curve(mnist_scores[name], mnist_right, no_flags)
        print_curve(name, rows, chosen, mnist_rows)
        coverage, accuracy = leave_one_writer_out(
            score, right, flagged, sample_writers, args.target
        )
        print(f"leave one writer out: coverage {coverage:.1%}, accuracy {accuracy:.2%}")

    best = max(picks, key=lambda name: (picks[name] or (0, 0))[1])
    threshold, coverage, accuracy, count, wrong = picks[best]
    print(
        f"\nchosen: {RULES[best]} >= {threshold:.3f}: coverage {coverage:.1%}, "
        f"accuracy {accuracy:.2%} ({wrong} wrong of {count})"
    )
    coverage, accuracy, single, named = shipped(probs, labels, flagged)
    print(
        f"model.decision as shipped (MIN_CONFIDENCE {decision.MIN_CONFIDENCE}, "
        f"MIN_MARGIN {decision.MIN_MARGIN}): coverage {coverage:.1%}, accuracy "
        f"{accuracy:.2%}; unsure answers naming one digit {single:.0%}, "
        f"naming the true digit {named:.0%} "
        f"(ALTERNATIVE_MIN {decision.ALTERNATIVE_MIN})"
    )
    print("rerun: python -m bench.uncertainty " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

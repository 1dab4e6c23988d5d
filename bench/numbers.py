"""Whole numbers of 2 to 6 pen-drawn digits, split and read by model.segment.

    python -m bench.numbers --numbers 300 --seed 0

Each number takes its digits from ONE writer among those the weights held
out of training (meta ``strokes_val_writers``; every dev writer if the model
saw no strokes). Digits are scaled to a common height and set side by side
with random gaps (0.1-0.5 of the height by default) and vertical offsets (up
to 0.1). Writers are picked equally often, or with ``--weighting samples`` in
proportion to their samples (one writer has 60% of them). A number is read
right when every digit is; the same digits read alone (as the single-digit
page does) show what recognition alone allows.
Target (issue 7): >= 90% of numbers read entirely right.
"""

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from model.segment import read_number, split_strokes
from model.stroke_images import render_samples
from model.strokes import load_stroke_file
from model.weights import DEFAULT_WEIGHTS, load_weights

ROOT = Path(__file__).resolve().parents[1]
DEV_STROKES = ROOT.parent / "shared" / "strokes" / "unipen-dev.json.gz"
LENGTHS = range(2, 7)
HEIGHT = 100.0
MAX_NUMBERS = 5000


def held_out_writers(samples, meta):
    """Writers the model never trained on, and where that list came from."""
    if "strokes_val_writers" in meta:
        return sorted(meta["strokes_val_writers"]), "strokes_val_writers"
    return sorted({s["writer"] for s in samples}), "all (no strokes in training)"


def compose(digits, rng, gap, max_offset):
    """Place digit samples side by side; returns strokes, truth groups, canvas."""
    strokes, groups = [], []
    cursor = 0.0
    for sample in digits:
        points = [np.asarray(s, dtype=np.float64) for s in sample["strokes"] if s]
        lo = np.min([p.min(axis=0) for p in points], axis=0)
        hi = np.max([p.max(axis=0) for p in points], axis=0)
        width, height = hi - lo
        # a flat digit is scaled by half its width, not blown up by its height
        scale = HEIGHT / max(height, width / 2)
        offset = np.array([cursor, rng.uniform(0, max_offset) * HEIGHT])
        groups.append(list(range(len(strokes), len(strokes) + len(points))))
        strokes += [(p - lo) * scale + offset for p in points]
        cursor += width * scale + rng.uniform(*gap) * HEIGHT
    margin = 0.2 * HEIGHT
    strokes = [(s + margin).tolist() for s in strokes]
    canvas = (cursor + 2 * margin, (1 + max_offset) * HEIGHT + 2 * margin)
    return strokes, groups, canvas


def draw_numbers(by_writer, count, rng, weighting="writers"):
    """``count`` lists of same-writer samples, lengths 2-6 in turn.

    weighting "writers" picks each writer equally often; "samples" picks
    writers in proportion to their samples, so each sample is used about
    equally often.
    """
    writers = sorted(w for w, items in by_writer.items() if len(items) >= max(LENGTHS))
    sizes = np.array([len(by_writer[w]) for w in writers], dtype=float)
    p = sizes / sizes.sum() if weighting == "samples" else None
    numbers = []
    for k in range(count):
        length = LENGTHS[k % len(LENGTHS)]
        items = by_writer[writers[rng.choice(len(writers), p=p)]]
        picks = rng.choice(len(items), size=length, replace=False)
        numbers.append([items[i] for i in picks])
    return numbers, len(writers)


def run(model, numbers, rng, gap, max_offset):
    """One row per number: length, and whether each check came out right."""
    rows = []
    for digits in numbers:
        strokes, truth, canvas = compose(digits, rng, gap, max_offset)
        start = time.perf_counter()
        results = read_number(strokes, model, *canvas)
        seconds = time.perf_counter() - start
        labels = [s["label"] for s in digits]
        rows.append(
            {
                "length": len(digits),
                "count": len(results) == len(digits),
                "split": [r["strokes"] for r in results] == truth,
                "read": [r["digit"] for r in results] == labels,
                "several": several_digits(digits),
                "seconds": seconds,
            }
        )
    return rows


def alone_right(model, numbers):
    """Per number: were all its digits right when read one by one?"""
    samples = [s for digits in numbers for s in digits]
    images, labels, _ = render_samples(samples)
    right = model.predict(images).argmax(axis=1) == labels
    ends = np.cumsum([len(digits) for digits in numbers])
    return [bool(part.all()) for part in np.split(right, ends[:-1])], right.mean()


def several_digits(digits):
    """Does a number hold a sample that is split even alone ("00" labelled 0)?"""
    return any(len(split_strokes(s["strokes"])) > 1 for s in digits)


def report(rows, alone, digit_accuracy):
    by_length = defaultdict(list)
    for row, ok in zip(rows, alone, strict=True):
        by_length[row["length"]].append({**row, "alone": ok})
    by_length["all"] = [r for k in LENGTHS for r in by_length[k]]
    print("length  numbers  count right  split right  read right  digits alone")
    for key, items in by_length.items():
        shares = [np.mean([r[c] for r in items]) for c in ("count", "split", "read")]
        shares.append(np.mean([r["alone"] for r in items]))
        cells = "  ".join(f"{s:>11.1%}" for s in shares)
        print(f"{key!s:>6}  {len(items):>7}  {cells}")
    split_ok = [r for r in rows if r["split"]]
    misread = sum(not r["read"] for r in split_ok)
    print(f"digits read alone: {digit_accuracy:.2%} right")
    print(
        f"wrong numbers: {sum(not r['split'] for r in rows)} split wrong, "
        f"{misread} split right but a digit misread"
    )
    clean = [r for r in rows if not r["several"]]
    print(
        f"numbers holding a sample of several digits under one label "
        f"(split even alone): {len(rows) - len(clean)}, of them "
        f"{sum(not r['split'] for r in rows if r['several'])} split wrong; "
        f"without them {np.mean([r['read'] for r in clean]):.1%} read right"
    )
    ms = 1000 * np.array([r["seconds"] for r in rows])
    print(f"read_number: median {np.median(ms):.1f} ms, max {ms.max():.1f} ms")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--strokes", type=Path, default=DEV_STROKES)
    parser.add_argument("--numbers", type=int, default=300, help="at most 5000")
    parser.add_argument("--gap", type=float, nargs=2, default=(0.1, 0.5))
    parser.add_argument("--max-offset", type=float, default=0.1)
    parser.add_argument(
        "--weighting", choices=["writers", "samples"], default="writers"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not 1 <= args.numbers <= MAX_NUMBERS:
        parser.error(f"--numbers must be in 1..{MAX_NUMBERS}")

    model = load_weights(args.weights)
    samples = load_stroke_file(args.strokes)
    writers, source = held_out_writers(samples, model.meta)
    by_writer = defaultdict(list)
    for sample in samples:
        if sample["writer"] in writers:
            by_writer[sample["writer"]].append(sample)
    rng = np.random.default_rng(args.seed)
    numbers, n_writers = draw_numbers(by_writer, args.numbers, rng, args.weighting)
    print(
        f"weights: {args.weights} ({'-'.join(map(str, model.sizes))}); "
        f"writers: {n_writers} held out, from {source}, weighted by {args.weighting}"
    )
    print(
        f"{len(numbers)} numbers, gaps {args.gap[0]}-{args.gap[1]} and offsets "
        f"up to {args.max_offset} of the digit height, seed {args.seed}"
    )

    rows = run(model, numbers, rng, args.gap, args.max_offset)
    alone, digit_accuracy = alone_right(model, numbers)
    report(rows, alone, digit_accuracy)
    print("rerun: python -m bench.numbers " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

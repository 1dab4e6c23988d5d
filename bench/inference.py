"""Latency of the model alone: one image, and batches, on the shipped weights.

    python -m bench.inference --repeats 2000 --seconds 20

Times ``Model.predict`` (forward pass, temperature, softmax) on pen-drawn
dev digits rendered as the server renders strokes (``--inputs digits``, the
default) or on seeded random 28x28 images, where every pixel is lit
(``--inputs random``, the worst case: one image cannot skip the first-layer
weights of dark pixels). Preprocessing and HTTP are not included (see
bench.serving).
Every size is bounded by --repeats calls and --seconds of wall time. BLAS
runs one thread, as in the server, unless OPENBLAS_NUM_THREADS says otherwise;
the setting is printed with the figures. Target (issue 6): one-image median
<= 0.1 ms.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

# Before NumPy loads, as app/__init__.py does for the server.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from bench.numbers import DEV_STROKES  # noqa: E402
from model.stroke_images import render_samples  # noqa: E402
from model.strokes import load_stroke_file  # noqa: E402
from model.weights import DEFAULT_WEIGHTS, load_weights  # noqa: E402

BATCH_SIZES = (1, 8, 32, 128)
DIGITS = 500
BATCHES = 50
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
TARGET_MS = 0.1


def time_predict(model, batches, repeats, seconds):
    """Wall times in seconds of ``model.predict``, cycling through ``batches``.

    20 warm-up calls first; every call gets another batch, as a server does.
    """
    for k in range(20):
        model.predict(batches[k % len(batches)])
    times = []
    deadline = time.perf_counter() + seconds
    while len(times) < repeats and time.perf_counter() < deadline:
        images = batches[len(times) % len(batches)]
        start = time.perf_counter()
        model.predict(images)
        times.append(time.perf_counter() - start)
    return np.array(times)


def input_pool(args, rng) -> np.ndarray:
    """(n, 28, 28) float32 images to draw batches from."""
    if args.inputs == "random":
        return rng.random((max(BATCH_SIZES), 28, 28), dtype=np.float32)
    samples = load_stroke_file(args.strokes)
    order = rng.permutation(len(samples))[:DIGITS]
    images, _, _ = render_samples([samples[i] for i in order])
    return images


def machine() -> str:
    threads = ", ".join(f"{n}={os.environ.get(n, 'unset')}" for n in THREAD_VARIABLES)
    load = open("/proc/loadavg").read().split()[:3]
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(load)}; numpy {np.__version__}; {threads}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", default=DEFAULT_WEIGHTS)
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=BATCH_SIZES)
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20.0, help="per batch size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--inputs", choices=("digits", "random"), default="digits")
    parser.add_argument("--strokes", type=Path, default=DEV_STROKES)
    args = parser.parse_args(argv)

    model = load_weights(args.weights)
    rng = np.random.default_rng(args.seed)
    pool = input_pool(args, rng)
    print(f"weights {args.weights}: {'-'.join(map(str, model.sizes))}")
    print(f"inputs: {args.inputs}, {len(pool)} images")
    print(machine())
    print("batch  calls  median ms  p99 ms  per image us")
    single = None
    for batch_size in args.batch_sizes:
        batches = [
            pool[rng.choice(len(pool), batch_size, replace=False)]
            for _ in range(BATCHES)
        ]
        times = time_predict(model, batches, args.repeats, args.seconds) * 1e3
        median, p99 = np.median(times), np.percentile(times, 99)
        single = median if batch_size == 1 else single
        print(
            f"{batch_size:5d}  {len(times):5d}  {median:9.3f}  {p99:6.3f}  "
            f"{median / batch_size * 1e3:12.1f}"
        )
    if single is not None:
        verdict = "met" if single <= TARGET_MS else "NOT met"
        print(f"one image: median {single:.3f} ms, target <= {TARGET_MS} ms {verdict}")
    print("rerun: python -m bench.inference " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

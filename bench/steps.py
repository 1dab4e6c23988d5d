"""One /predict of the serving bench's canvas PNG, step by step, in process.

    python -m bench.steps

No HTTP and no thread pool: the median time of decoding the PNG as the bare
endpoint of ``bench.serving`` does, of decoding plus preprocessing, of
decoding plus the model, of the answer's JSON and of the whole predict and
answer, with what preprocessing and the model add to the decode. The model is
timed right after a decode, as in the server, where the decode's buffers have
pushed part of its weights out of the cache.
"""

import argparse
import io
import os
import time

# Before NumPy loads, as app/__init__.py does for the server.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from app.predictor import load_predictor, to_json  # noqa: E402
from bench.serving import canvas_png  # noqa: E402
from model.preprocess import prepare_image  # noqa: E402
from model.weights import DEFAULT_WEIGHTS  # noqa: E402


def time_steps(rounds: int) -> dict:
    """Median ms of each step over ``rounds`` calls, the first tenth left out."""
    predictor = load_predictor(DEFAULT_WEIGHTS)
    png = canvas_png()
    image = prepare_image(png).image[np.newaxis]
    answer = predictor.predict(png, time.perf_counter())

    def decode():
        Image.open(io.BytesIO(png), formats=("PNG", "JPEG", "WEBP")).load()

    def whole():
        return to_json(predictor.predict(png, time.perf_counter()))

    steps = {
        "decode (as bare)": decode,
        "decode + preprocessing": lambda: prepare_image(png),
        "decode + model": lambda: (decode(), predictor.model.predict(image)),
        "answer JSON": lambda: to_json(answer),
        "whole predict + JSON": whole,
    }
    medians = {}
    for name, step in steps.items():
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        medians[name] = float(np.median(times[rounds // 10 :])) * 1e3
    return medians


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args(argv)
    threads = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"median ms over {args.rounds} calls, OPENBLAS_NUM_THREADS={threads}")
    medians = time_steps(args.rounds)
    for name, ms in medians.items():
        print(f"  {name:24} {ms:6.3f}")
    decode = medians["decode (as bare)"]
    print("added to the decode:")
    print(f"  {'preprocessing':24} {medians['decode + preprocessing'] - decode:6.3f}")
    print(f"  {'model':24} {medians['decode + model'] - decode:6.3f}")
    print("rerun: python -m bench.steps")


if __name__ == "__main__":
    main()

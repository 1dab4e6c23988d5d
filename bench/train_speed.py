"""Epoch time of the NumPy trainer next to PyTorch, measured side by side.

    pip install torch==2.13.0     # benchmark only, never a product dependency
    OPENBLAS_NUM_THREADS=2 python -m bench.train_speed --data-dir ../shared/mnist

Both train the same architecture with the same batch size, optimiser
(SGD, Nesterov momentum 0.9, weight decay 5e-4) and thread count on the
same 60000 MNIST images. Epochs alternate between the two so that a busy
machine slows both alike; the figure is the ratio of median epoch times.
PyTorch gets as many threads as OPENBLAS_NUM_THREADS gives NumPy (default:
the number of cores).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from model.data import load_mnist
from model.network import init_params
from model.optim import Momentum
from model.trainer import Config, train_epoch

ARCHITECTURES = ["256,128", "512,512", "1024,512", "1024,1024"]


def numpy_epoch_runner(hidden, x, y, batch_size, seed):
    config = Config(hidden=hidden, batch_size=batch_size, augment=False, seed=seed)
    rng = np.random.default_rng(seed)
    params = init_params((784, *hidden, 10), rng)
    optimizer = Momentum(params, 0.9, config.weight_decay)
    steps_per_epoch = len(x) // batch_size
    state = {"step": 0}

    def run():
        _, state["step"] = train_epoch(
            params, optimizer, x, y, config, state["step"], 100 * steps_per_epoch, rng
        )

    return run


def torch_epoch_runner(hidden, x, y, batch_size, seed):
    import torch

    torch.manual_seed(seed)
    sizes = (784, *hidden, 10)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1])
    optimizer = torch.optim.SGD(
        net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)
    generator = torch.Generator().manual_seed(seed)

    def run():
        order = torch.randperm(len(x_t), generator=generator)
        for k in range(len(x_t) // batch_size):
            batch = order[k * batch_size : (k + 1) * batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(net(x_t[batch]), y_t[batch])
            loss.backward()
            optimizer.step()

    return run


def timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def compare(hidden, x, y, batch_size, epochs, seed):
    runners = {
        "numpy": numpy_epoch_runner(hidden, x, y, batch_size, seed),
        "torch": torch_epoch_runner(hidden, x, y, batch_size, seed),
    }
    times = {name: [] for name in runners}
    for _ in range(epochs):
        for name, run in runners.items():
            times[name].append(timed(run))
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/mnist"))
    parser.add_argument("--hidden", nargs="*", default=ARCHITECTURES)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import torch

    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count()))
    torch.set_num_threads(threads)
    data = load_mnist(args.data_dir, allow_download=False)
    x = data["train_images"].reshape(-1, 784)
    y = data["train_labels"]
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"numpy {np.__version__}; batch {args.batch_size}; {len(x)} images"
    )
    print("architecture     numpy s/epoch  torch s/epoch  ratio  numpy last/first")
    for text in args.hidden:
        hidden = tuple(int(n) for n in text.split(","))
        times = compare(hidden, x, y, args.batch_size, args.epochs, args.seed)
        numpy_median = statistics.median(times["numpy"])
        torch_median = statistics.median(times["torch"])
        drift = times["numpy"][-1] / times["numpy"][0]
        name = "784-" + "-".join(map(str, hidden)) + "-10"
        print(
            f"{name:16} {numpy_median:13.2f}  {torch_median:13.2f}  "
            f"{numpy_median / torch_median:5.2f}  {drift:16.2f}"
        )
        # one epoch is a few seconds on a shared VM: the rows show whether a
        # late epoch is slow for both (the machine) or for NumPy alone
        for runner in ("numpy", "torch"):
            epochs = " ".join(f"{t:.2f}" for t in times[runner])
            print(f"  {runner} s per epoch: {epochs}")
    print(
        f"rerun: OPENBLAS_NUM_THREADS={threads} python -m bench.train_speed "
        + " ".join(sys.argv[1:])
    )


if __name__ == "__main__":
    main()

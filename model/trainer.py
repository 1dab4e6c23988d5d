"""The training loop: mini-batches, distortions, schedule, model selection.

`train` takes arrays and a config and returns the chosen parameters and a
per-epoch history; reading files and writing weights is the CLI's job.
"""

import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from model.augment import distort
from model.metrics import accuracy
from model.network import backward, cross_entropy, forward, init_params, softmax
from model.optim import learning_rate_at, make_optimizer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config:
    hidden: tuple = (1024, 512)
    epochs: int = 80
    batch_size: int = 128
    learning_rate: float = 0.05
    warmup_epochs: float = 1.0
    optimizer: str = "momentum"
    momentum: float = 0.9
    weight_decay: float = 5e-4
    dropout: float = 0.0
    augment: bool = True
    seed: int = 0


def logits_of(params, x, batch_size=2048):
    """Logits for a large x, in chunks to bound memory."""
    chunks = [
        forward(params, x[i : i + batch_size])[0] for i in range(0, len(x), batch_size)
    ]
    return np.concatenate(chunks)


def distort_all(images, rng, chunk=8192):
    """`distort` over a large set in chunks, to stay within the CPU caches."""
    parts = [distort(images[i : i + chunk], rng) for i in range(0, len(images), chunk)]
    return np.concatenate(parts)


def train_epoch(params, optimizer, x, y, config, step, total_steps, rng):
    """One pass over (x, y) in shuffled mini-batches; returns mean loss."""
    order = rng.permutation(len(x))
    n_batches = len(x) // config.batch_size
    warmup_steps = int(config.warmup_epochs * n_batches)
    losses = np.empty(n_batches)
    progress = Progress(n_batches)
    grads = {name: np.empty_like(p) for name, p in params.items()}
    for k in range(n_batches):
        batch = order[k * config.batch_size : (k + 1) * config.batch_size]
        x_batch, y_batch = x[batch], y[batch]

        # forward, loss and backward
        logits, activations = forward(params, x_batch, config.dropout, rng)
        losses[k], d_logits = cross_entropy(logits, y_batch)
        backward(params, activations, d_logits, config.dropout, grads=grads)

        # update
        rate = learning_rate_at(
            step + k, total_steps, config.learning_rate, warmup_steps
        )
        optimizer.step(params, grads, rate)
        progress.show(k + 1, losses[: k + 1].mean())
    progress.done()
    optimizer.flush_tiny()
    return float(losses.mean()), step + n_batches


def train(config, train_images, train_labels, val_images, val_labels, extra_val=None):
    """Train an MLP; keep the parameters of the best validation epoch.

    extra_val: optional (images, labels) reported each epoch but not used
    to choose the model (the pen-drawn strokes of held-out writers).
    """
    rng = np.random.default_rng(config.seed)
    sizes = (784, *config.hidden, 10)
    params = init_params(sizes, rng)
    optimizer = make_optimizer(
        config.optimizer, params, config.weight_decay, config.momentum
    )
    n_params = sum(p.size for p in params.values())
    logger.info("network %s, %d parameters", "-".join(map(str, sizes)), n_params)
    total_steps = config.epochs * (len(train_images) // config.batch_size)
    history, best, step = [], None, 0
    # the next epoch's distortions are made on the other core while this
    # epoch trains; NumPy releases the GIL inside its array operations
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(epoch_inputs, train_images, config, 1)
        for epoch in range(1, config.epochs + 1):
            start = time.perf_counter()
            x = upcoming.result()
            if epoch < config.epochs:
                upcoming = pool.submit(epoch_inputs, train_images, config, epoch + 1)
            loss, step = train_epoch(
                params, optimizer, x, train_labels, config, step, total_steps, rng
            )
            record = {"epoch": epoch, "loss": loss}
            record.update(validate(params, val_images, val_labels, extra_val))
            record["seconds"] = time.perf_counter() - start
            history.append(record)
            log_epoch(record, config.epochs)
            if best is None or record["val_accuracy"] >= best[0]:
                best = (record["val_accuracy"], copy_params(params), epoch)
    logger.info("chose epoch %d (validation accuracy %.4f)", best[2], best[0])
    return best[1], history


def epoch_inputs(train_images, config, epoch):
    """x for one epoch: a fresh distortion of every image, flattened."""
    images = train_images
    if config.augment:
        # a seed of its own per epoch: the result does not depend on which
        # thread made it, or when
        rng = np.random.default_rng([config.seed, epoch])
        images = distort_all(train_images, rng)
    return images.reshape(len(images), -1)


def validate(params, val_images, val_labels, extra_val):
    x_val = val_images.reshape(len(val_images), -1)
    result = {"val_accuracy": accuracy(softmax(logits_of(params, x_val)), val_labels)}
    if extra_val is not None:
        x_extra = extra_val[0].reshape(len(extra_val[0]), -1)
        probs = softmax(logits_of(params, x_extra))
        result["strokes_accuracy"] = accuracy(probs, extra_val[1])
    return result


def copy_params(params):
    return {name: p.copy() for name, p in params.items()}


def log_epoch(record, epochs):
    parts = [
        f"epoch {record['epoch']}/{epochs}",
        f"loss {record['loss']:.4f}",
        f"val {record['val_accuracy']:.4f}",
    ]
    if "strokes_accuracy" in record:
        parts.append(f"strokes {record['strokes_accuracy']:.4f}")
    parts.append(f"{record['seconds']:.1f} s")
    logger.info(" | ".join(parts))


class Progress:
    """A one-line progress bar on stderr, shown only on a terminal."""

    def __init__(self, total):
        self.total = total
        self.enabled = sys.stderr.isatty()

    def show(self, done, loss):
        if self.enabled and (done % 20 == 0 or done == self.total):
            filled = 30 * done // self.total
            bar = "#" * filled + "." * (30 - filled)
            sys.stderr.write(f"\r[{bar}] {done}/{self.total} loss {loss:.4f}")
            sys.stderr.flush()

    def done(self):
        if self.enabled:
            sys.stderr.write("\r" + " " * 60 + "\r")

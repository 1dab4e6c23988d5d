"""Figures of merit: accuracy, confusion, log-loss, calibration.

`probs` is (n, 10) with rows summing to 1, `y` is (n,) int labels.
"""

import numpy as np

from model.network import log_softmax

N_CLASSES = 10


def accuracy(probs, y):
    return float((probs.argmax(axis=1) == y).mean())


def confusion_matrix(probs, y):
    """(10, 10) counts: row = true digit, column = predicted digit."""
    matrix = np.zeros((N_CLASSES, N_CLASSES), dtype=np.int64)
    np.add.at(matrix, (y, probs.argmax(axis=1)), 1)
    return matrix


def per_class_accuracy(probs, y):
    matrix = confusion_matrix(probs, y)
    totals = matrix.sum(axis=1)
    return np.diag(matrix) / np.maximum(totals, 1)


def log_loss(probs, y):
    """Mean negative log-probability of the true digit."""
    # the clip keeps a probability that rounded to 0 from giving inf
    true_probs = np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0)
    return float(-np.log(true_probs).mean())


def expected_calibration_error(probs, y, n_bins=15):
    """Mean |accuracy - confidence| over equal-width confidence bins,
    weighted by the share of samples in each bin (Guo et al., 2017)."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y
    edges = np.linspace(0, 1, n_bins + 1)
    bins = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, None)
    error = 0.0
    for k in range(n_bins):
        in_bin = bins == k
        if in_bin.any():
            gap = abs(correct[in_bin].mean() - confidence[in_bin].mean())
            error += in_bin.mean() * gap
    return float(error)


def group_balanced_accuracy(probs, y, groups):
    """Accuracy averaged over groups (writers), each group counting once."""
    correct = probs.argmax(axis=1) == y
    groups = np.asarray(groups)
    return float(np.mean([correct[groups == g].mean() for g in np.unique(groups)]))


def fit_temperature(logits, y):
    """The softmax temperature that minimises log-loss on (logits, y).

    A golden-section search over log(T) in [log 0.05, log 20]; the loss is
    convex in 1/T, so the search finds the single minimum.
    """
    logits = logits.astype(np.float64)
    rows = np.arange(len(y))

    def loss(log_t):
        return -log_softmax(logits / np.exp(log_t))[rows, y].mean()

    low, high = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a = high - ratio * (high - low)
        b = low + ratio * (high - low)
        if loss(a) < loss(b):
            high = b
        else:
            low = a
    return float(np.exp((low + high) / 2))


def summary(probs, y):
    """The figures `model.evaluate` reports, as plain Python values."""
    return {
        "n": int(len(y)),
        "accuracy": accuracy(probs, y),
        "log_loss": log_loss(probs, y),
        "ece": expected_calibration_error(probs, y),
        "per_class_accuracy": per_class_accuracy(probs, y).round(6).tolist(),
        "confusion_matrix": confusion_matrix(probs, y).tolist(),
    }

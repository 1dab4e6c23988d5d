import numpy as np
import pytest

from model.metrics import (
    accuracy,
    confusion_matrix,
    expected_calibration_error,
    fit_temperature,
    group_balanced_accuracy,
    log_loss,
    per_class_accuracy,
)
from model.network import softmax


def one_hot_probs(digits, confidence):
    probs = np.full((len(digits), 10), (1 - confidence) / 9)
    probs[np.arange(len(digits)), digits] = confidence
    return probs


def test_accuracy_and_confusion_matrix():
    probs = one_hot_probs([1, 2, 3, 3], 0.9)
    y = np.array([1, 2, 3, 4])
    assert accuracy(probs, y) == 0.75
    matrix = confusion_matrix(probs, y)
    assert matrix.sum() == 4
    assert matrix[4, 3] == 1
    assert per_class_accuracy(probs, y)[4] == 0.0


def test_log_loss_hand_worked():
    probs = one_hot_probs([0, 0], 0.5)
    assert log_loss(probs, np.array([0, 1])) == pytest.approx(
        (np.log(2) - np.log(0.5 / 9)) / 2
    )


def test_expected_calibration_error_hand_worked():
    # 10 samples at confidence 0.8, 6 right: |0.6 - 0.8| = 0.2
    probs = one_hot_probs(np.zeros(10, dtype=int), 0.8)
    y = np.array([0] * 6 + [1] * 4)
    assert expected_calibration_error(probs, y) == pytest.approx(0.2)


def test_expected_calibration_error_zero_when_calibrated():
    probs = one_hot_probs(np.zeros(10, dtype=int), 0.7)
    y = np.array([0] * 7 + [1] * 3)
    assert expected_calibration_error(probs, y) == pytest.approx(0.0, abs=1e-12)


def test_fit_temperature_recovers_known_temperature():
    # labels drawn from softmax(logits / 2) are best explained by T = 2
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, size=(20000, 10))
    probs = softmax(logits / 2.0)
    y = np.array([rng.choice(10, p=p) for p in probs])
    assert fit_temperature(logits, y) == pytest.approx(2.0, rel=0.05)


def test_group_balanced_accuracy_counts_each_group_once():
    probs = one_hot_probs([1, 1, 1, 2], 0.9)
    y = np.array([1, 1, 1, 3])
    groups = ["a", "a", "a", "b"]
    assert group_balanced_accuracy(probs, y, groups) == pytest.approx(0.5)

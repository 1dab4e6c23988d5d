"""model.decision.describe: digit, confidence, uncertainty and alternatives."""

import numpy as np
import pytest

from model import decision
from model.decision import describe


def probs_with(**digits):
    """Probabilities with the given digits set and the rest shared evenly."""
    probs = np.zeros(10)
    for name, value in digits.items():
        probs[int(name[1:])] = value
    rest = [d for d in range(10) if f"d{d}" not in digits]
    probs[rest] = (1 - probs.sum()) / len(rest)
    return probs


def test_describe_confident_answer():
    answer = describe(probs_with(d7=0.95))
    assert answer == {
        "digit": 7,
        "confidence": pytest.approx(0.95, abs=1e-12),
        "uncertain": False,
        "alternatives": [],
    }


@pytest.mark.parametrize(
    ("probs", "alternatives"),
    [
        (probs_with(d4=0.5, d9=0.45), [4, 9]),
        (probs_with(d4=0.6, d9=0.1, d1=0.3), [4, 1, 9]),
        (probs_with(d4=0.69, d9=0.2), [4, 9]),
        (probs_with(d4=0.8, d9=0.04), [4]),
        (probs_with(d2=0.3, d3=0.25, d5=0.2, d8=0.15), [2, 3, 5]),
    ],
    ids=[
        "close_pair",
        "three_in_running",
        "low_top",
        "runner_up_too_faint",
        "capped_at_three",
    ],
)
def test_describe_uncertain_lists_alternatives(probs, alternatives):
    answer = describe(probs)
    assert answer["uncertain"] is True
    assert answer["alternatives"] == alternatives


@pytest.mark.parametrize(("step", "uncertain"), [(-0.01, True), (0.01, False)])
def test_describe_margin_threshold_decides(step, uncertain):
    # a runner-up MIN_MARGIN + step behind the top digit, nothing else
    top = (1 + decision.MIN_MARGIN + step) / 2
    answer = describe(probs_with(d1=top, d7=1 - top))
    assert answer["uncertain"] is uncertain
    assert answer["alternatives"] == ([1, 7] if uncertain else [])


@pytest.mark.parametrize(("top", "uncertain"), [(0.96, True), (0.98, False)])
def test_describe_confidence_rule_when_turned_on(monkeypatch, top, uncertain):
    monkeypatch.setattr(decision, "MIN_CONFIDENCE", 0.97)
    monkeypatch.setattr(decision, "MIN_MARGIN", 0.0)
    assert describe(probs_with(d2=top))["uncertain"] is uncertain


def test_describe_rules_turned_off_trust_any_clean_answer(monkeypatch):
    monkeypatch.setattr(decision, "MIN_CONFIDENCE", 0.0)
    monkeypatch.setattr(decision, "MIN_MARGIN", 0.0)
    assert describe(np.full(10, 0.1))["uncertain"] is False
    assert describe(np.full(10, 0.1), ("scribble",))["uncertain"] is True


@pytest.mark.parametrize("warning", ["several_marks", "scribble", "tiny_drawing"])
def test_describe_warning_makes_uncertain(warning):
    answer = describe(probs_with(d3=0.99), (warning,))
    assert answer["uncertain"] is True
    assert answer["alternatives"] == [3]


def test_describe_tie_goes_to_smaller_digit():
    assert describe(np.full(10, 0.1))["digit"] == 0


def test_describe_accepts_float32_and_lists():
    probs = probs_with(d5=0.9)
    assert describe(probs.astype(np.float32).tolist())["digit"] == 5


@pytest.mark.parametrize(
    "probs",
    [
        np.full(9, 1 / 9),
        np.full(10, 0.2),
        np.r_[np.nan, np.full(9, 0.1)],
        np.r_[-0.1, 0.2, np.full(8, 0.1125)],
    ],
    ids=["nine", "sum_two", "nan", "negative"],
)
def test_describe_rejects_non_probabilities(probs):
    with pytest.raises(ValueError, match="probabilities"):
        describe(probs)

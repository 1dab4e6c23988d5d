"""Turn the model's probabilities into the answer a person sees.

The server and the evaluation both call ``describe``, so "uncertain" means the
same thing in the API and in the measured figures. The thresholds are fixed
guesses for now, not fitted on data.
"""

import numpy as np

N_CLASSES = 10
# Uncertain below this top probability, or when the runner-up is this close.
# NOTE: with 0.7 the margin rule never decides (a runner-up has at most 0.3);
# it matters once MIN_CONFIDENCE is tuned below 0.6.
MIN_CONFIDENCE = 0.7
MIN_MARGIN = 0.2
# When uncertain, the digits still in the running: at least this probable,
# at most this many, the top digit first.
ALTERNATIVE_MIN = 0.1
MAX_ALTERNATIVES = 3


def describe(probs, warnings=()) -> dict:
    """The digit, its probability and whether to trust it, from ``probs``.

    probs: 10 probabilities summing to 1. warnings: the preprocessing notes
    (``several_marks``, ``scribble``, ``tiny_drawing`` ...); any of them makes
    the answer uncertain, since the drawing is then not one clean digit.
    Returns ``{"digit", "confidence", "uncertain", "alternatives"}``, where
    ``alternatives`` lists the likely digits, most probable first, and is empty
    when the answer is certain. Ties go to the smaller digit.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape != (N_CLASSES,) or not np.isfinite(probs).all():
        raise ValueError(f"expected {N_CLASSES} finite probabilities, got {probs}")
    if probs.min() < 0 or abs(probs.sum() - 1) > 1e-3:
        raise ValueError(f"probabilities must be >= 0 and sum to 1, got {probs}")

    order = np.argsort(-probs, kind="stable")
    digit = int(order[0])
    confidence = float(probs[digit])
    margin = confidence - float(probs[order[1]])
    uncertain = confidence < MIN_CONFIDENCE or margin < MIN_MARGIN or bool(warnings)
    alternatives = []
    if uncertain:
        top = order[:MAX_ALTERNATIVES]
        alternatives = [int(d) for d in top if probs[d] >= ALTERNATIVE_MIN]
    return {
        "digit": digit,
        "confidence": confidence,
        "uncertain": uncertain,
        "alternatives": alternatives,
    }

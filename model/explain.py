"""The why-view: which pixels pushed the network towards a digit.

The map is the gradient of one class's log-probability (or logit) with
respect to the 28x28 input, from one forward and one backward pass of the
network's own code. Deliberately left out: smoothed or integrated gradients,
which need many passes per drawing.
"""

import numpy as np

from model.network import forward, input_backward, softmax

SIZE = 28
N_CLASSES = 10
KINDS = ("log_prob", "logit")


def input_gradient(params, image, digit, temperature=1.0, kind="log_prob"):
    """d score / d image for score = log p(digit) or the digit's logit.

    image: (28, 28) in [0, 1], white on black. ``kind="log_prob"`` uses the
    probabilities calibrated by ``temperature``; ``kind="logit"`` uses the
    raw logit, which ``temperature`` does not change. Returns (28, 28), float32
    for a loaded model (float64 params and image give float64). A positive
    value means more ink on that pixel would raise the score.
    """
    image = _check(image, digit, temperature, kind)
    dtype = np.result_type(params["w1"], image)
    x = image.reshape(1, SIZE * SIZE).astype(dtype, copy=False)
    logits, activations = forward(params, x)

    # backward takes d loss / d logits; with loss = -score it returns
    # d_x = -d score / d x. For score = log_softmax(logits / T)[digit],
    # d score / d logits = (onehot - probs) / T, so d loss = (probs - onehot) / T.
    d_logits = np.zeros_like(logits)
    if kind == "log_prob":
        d_logits += softmax(logits / dtype.type(temperature))
        d_logits[0, digit] -= 1
        d_logits /= dtype.type(temperature)
    else:
        d_logits[0, digit] = -1
    d_x = input_backward(params, activations, d_logits)
    return (-d_x).reshape(SIZE, SIZE)


def _check(image, digit, temperature, kind):
    image = np.asarray(image)
    if image.shape != (SIZE, SIZE) or image.dtype.kind != "f":
        raise ValueError(
            f"expected a (28, 28) float image, got {image.shape} {image.dtype}"
        )
    if isinstance(digit, bool) or not isinstance(digit, int | np.integer):
        raise ValueError(f"digit must be an int 0-9, got {digit!r}")
    if not 0 <= digit < N_CLASSES:
        raise ValueError(f"digit must be an int 0-9, got {digit!r}")
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be positive, got {temperature}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return image


def saliency(image_gradient):
    """Scale a gradient map to [-1, 1] by its largest magnitude, for display.

    Signs are kept: +1 where more ink would help the class most, -1 where
    ink hurts it most. An all-zero map stays zero. Returns float32.
    """
    image_gradient = np.asarray(image_gradient, dtype=np.float32)
    peak = float(np.abs(image_gradient).max(initial=0.0))
    if not np.isfinite(peak):
        raise ValueError("the gradient map has non-finite values")
    if peak == 0:
        return np.zeros_like(image_gradient)
    return image_gradient / np.float32(peak)


def explain(model, image, digit=None, kind="log_prob"):
    """The saliency map for ``digit`` (default: the model's answer).

    model: a ``model.weights.Model``. Returns ``{"digit", "saliency"}`` with
    the saliency (28, 28) float32 in [-1, 1], positive = more ink here would
    make ``digit`` more likely.
    """
    if digit is None:
        digit = int(model.predict(np.asarray(image)[None])[0].argmax())
    gradient = input_gradient(model.params, image, digit, model.temperature, kind)
    return {"digit": digit, "saliency": saliency(gradient)}

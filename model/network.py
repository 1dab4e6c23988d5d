"""The multilayer perceptron: parameters, forward and backward passes, loss.

Batches are rows: `x` is (batch_size, 784) float32 and every `w` is shaped
(fan_in, fan_out). Hidden layers use ReLU; the output is softmax.
Deliberately left out: convolutions, batch norm, anything not a plain MLP.
"""

import numpy as np


def init_params(sizes, rng):
    """He-initialised weights and zero biases for layer `sizes`.

    `sizes` such as (784, 256, 10) gives w1 (784, 256), b1 (256,), w2, b2.
    """
    if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
        raise ValueError(f"sizes needs two or more positive ints, got {sizes}")
    params = {}
    for k, (fan_in, fan_out) in enumerate(
        zip(sizes[:-1], sizes[1:], strict=True), start=1
    ):
        # sqrt(2 / fan_in) keeps the variance of ReLU activations steady
        scale = np.sqrt(2.0 / fan_in)
        w = rng.standard_normal((fan_in, fan_out)) * scale
        params[f"w{k}"] = w.astype(np.float32)
        params[f"b{k}"] = np.zeros(fan_out, dtype=np.float32)
    return params


def layer_count(params):
    return len(params) // 2


def layer_sizes(params):
    """The sizes tuple that `init_params` would take to build `params`."""
    n_layers = layer_count(params)
    sizes = [params["w1"].shape[0]]
    sizes += [params[f"w{k}"].shape[1] for k in range(1, n_layers + 1)]
    return tuple(sizes)


def forward(params, x, dropout=0.0, rng=None):
    """Logits for a batch, plus the activations that `backward` needs.

    x: (batch_size, fan_in) float. With dropout > 0 (training only), hidden
    units are zeroed with that probability and the rest scaled up, so that
    inference needs no change.
    """
    activations = [x]
    h = x
    n_layers = layer_count(params)
    for k in range(1, n_layers):
        z = h @ params[f"w{k}"]
        z += params[f"b{k}"]
        h = np.maximum(z, 0, out=z)
        if dropout > 0:
            keep = rng.random(h.shape, dtype=np.float32) >= dropout
            h *= keep
            h *= np.float32(1.0 / (1.0 - dropout))
        activations.append(h)
    logits = h @ params[f"w{n_layers}"]
    logits += params[f"b{n_layers}"]
    return logits, activations


def backward(params, activations, d_logits, dropout=0.0, need_d_x=False, grads=None):
    """Gradients of the loss for every parameter, given d_logits.

    The hidden activations are post-ReLU (and post-dropout), so a unit is
    active exactly where its activation is non-zero: the same mask serves
    both ReLU and dropout. Pass the `dropout` used in `forward`. Returns
    `grads` keyed like `params`, and d_x (the gradient for the input
    batch) when `need_d_x` is set. Given `grads` (arrays shaped like
    `params`), it writes into them instead of allocating: a trainer reuses
    the same megabytes every step.
    """
    if grads is None:
        grads = {name: np.empty_like(p) for name, p in params.items()}
    d_h = d_logits
    for k in range(layer_count(params), 0, -1):
        h_prev = activations[k - 1]
        np.matmul(h_prev.T, d_h, out=grads[f"w{k}"])
        np.sum(d_h, axis=0, out=grads[f"b{k}"])
        if k == 1 and not need_d_x:
            break
        d_h = d_h @ params[f"w{k}"].T
        if k > 1:
            # ReLU passes the gradient only where the unit was active
            d_h *= h_prev > 0
            if dropout > 0:
                d_h *= np.float32(1.0 / (1.0 - dropout))
    if need_d_x:
        return grads, d_h
    return grads


def input_backward(params, activations, d_logits):
    """The gradient for the input batch only, skipping weight gradients.

    Used to explain a prediction, where the weight gradients (most of the
    cost of `backward`) would be thrown away.
    """
    d_h = d_logits
    for k in range(layer_count(params), 0, -1):
        d_h = d_h @ params[f"w{k}"].T
        if k > 1:
            d_h *= activations[k - 1] > 0
    return d_h


def log_softmax(logits):
    """Row-wise log-probabilities, stable for any finite logits."""
    # subtracting the row max keeps exp() from overflowing; the result is
    # unchanged because softmax ignores a constant added to a row
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted - log_sum


def softmax(logits):
    """Row-wise probabilities; each row sums to 1."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def cross_entropy(logits, y):
    """Mean cross-entropy loss over the batch and its gradient d_logits.

    y: (batch_size,) int labels. Softmax and cross-entropy are fused: for
    one row, d loss / d logits = probs - y_onehot, so the batch mean gives
    (probs - y_onehot) / batch_size, with no softmax Jacobian needed.
    """
    if logits.ndim != 2 or y.shape != (logits.shape[0],):
        raise ValueError(
            f"expected logits (n, k) and y (n,), got {logits.shape} and {y.shape}"
        )
    batch_size = logits.shape[0]
    rows = np.arange(batch_size)
    log_probs = log_softmax(logits)
    loss = -log_probs[rows, y].mean()
    d_logits = np.exp(log_probs)
    d_logits[rows, y] -= 1
    d_logits /= batch_size
    return float(loss), d_logits


# Below this share of non-zero inputs, one image takes `sparse_logits`: an
# MNIST digit lights about a fifth of its pixels.
SPARSE_SHARE = 0.5


def predict_probs(params, x, temperature=1.0):
    """Calibrated probabilities (batch_size, 10) for a batch of inputs."""
    if len(x) == 1 and np.count_nonzero(x) < SPARSE_SHARE * x.size:
        logits = sparse_logits(params, x[0])[np.newaxis]
    else:
        logits, _ = forward(params, x)
    if temperature != 1.0:
        logits /= np.float32(temperature)
    return softmax(logits)


def sparse_logits(params, x):
    """Logits (10,) for one input, reading only the rows of w1 it needs.

    One image is bound by reading the weights, not by arithmetic, and a
    drawing leaves most pixels at zero: their rows of w1 add nothing.
    Equal to `forward` up to float32 rounding (the sums run in another order).
    """
    active = np.flatnonzero(x)
    h = x[active] @ params["w1"][active]
    h += params["b1"]
    np.maximum(h, 0, out=h)
    n_layers = layer_count(params)
    for k in range(2, n_layers + 1):
        h = h @ params[f"w{k}"]
        h += params[f"b{k}"]
        if k < n_layers:
            np.maximum(h, 0, out=h)
    return h

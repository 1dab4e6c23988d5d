"""Optimisers and the learning-rate schedule, updating params in place.

Every update works in float32 buffers allocated once, so a step allocates
nothing the size of a weight matrix.
"""

import math

import numpy as np

# float32 values below this are flushed to zero once an epoch: a buffer
# that decays geometrically (momentum of an input pixel that is always 0)
# would otherwise reach subnormal numbers, which the CPU handles slowly
TINY = np.float32(1e-30)


class Momentum:
    """SGD with (Nesterov) momentum and L2 weight decay on the weights."""

    def __init__(self, params, momentum=0.9, weight_decay=0.0, nesterov=True):
        self.momentum = np.float32(momentum)
        self.weight_decay = np.float32(weight_decay)
        self.nesterov = nesterov
        self.velocity = {name: np.zeros_like(p) for name, p in params.items()}
        self.scratch = {name: np.empty_like(p) for name, p in params.items()}

    def step(self, params, grads, learning_rate):
        learning_rate = np.float32(learning_rate)
        for name, p in params.items():
            g, v, scratch = grads[name], self.velocity[name], self.scratch[name]
            if self.weight_decay and name.startswith("w"):
                np.multiply(p, self.weight_decay, out=scratch)
                g += scratch
            v *= self.momentum
            v += g
            if self.nesterov:
                np.multiply(v, self.momentum, out=scratch)
                scratch += g
            else:
                np.copyto(scratch, v)
            scratch *= learning_rate
            p -= scratch

    def flush_tiny(self):
        for v in self.velocity.values():
            v[np.abs(v) < TINY] = 0


class Adam:
    """Adam with decoupled weight decay (AdamW) on the weights."""

    def __init__(self, params, beta1=0.9, beta2=0.999, weight_decay=0.0):
        self.beta1 = np.float32(beta1)
        self.beta2 = np.float32(beta2)
        self.weight_decay = np.float32(weight_decay)
        self.eps = np.float32(1e-8)
        self.t = 0
        self.m = {name: np.zeros_like(p) for name, p in params.items()}
        self.v = {name: np.zeros_like(p) for name, p in params.items()}
        self.scratch = {name: np.empty_like(p) for name, p in params.items()}

    def step(self, params, grads, learning_rate):
        self.t += 1
        # bias corrections folded into the step size and epsilon
        correction1 = 1 - float(self.beta1) ** self.t
        correction2 = 1 - float(self.beta2) ** self.t
        step_size = np.float32(learning_rate * math.sqrt(correction2) / correction1)
        eps = np.float32(float(self.eps) * math.sqrt(correction2))
        decay = np.float32(1 - learning_rate * float(self.weight_decay))
        for name, p in params.items():
            g, m, v, scratch = (
                grads[name],
                self.m[name],
                self.v[name],
                self.scratch[name],
            )
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            np.multiply(g, g, out=scratch)
            scratch *= 1 - self.beta2
            v += scratch
            np.sqrt(v, out=scratch)
            scratch += eps
            np.divide(m, scratch, out=scratch)
            scratch *= step_size
            if self.weight_decay and name.startswith("w"):
                p *= decay
            p -= scratch

    def flush_tiny(self):
        for buffers in (self.m, self.v):
            for buffer in buffers.values():
                buffer[np.abs(buffer) < TINY] = 0


def make_optimizer(name, params, weight_decay, momentum=0.9):
    if name == "momentum":
        return Momentum(params, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return Adam(params, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}, expected momentum or adam")


def learning_rate_at(step, total_steps, peak, warmup_steps):
    """Linear warm-up to `peak`, then cosine decay to zero at total_steps."""
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

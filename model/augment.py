"""Random distortions of training images, in NumPy, batched.

Drawn digits differ from MNIST in slant, proportions, wobble and pen
width, so every epoch sees each image under a fresh random affine map
(rotation, scale per axis, shear, shift), an elastic distortion (Simard et
al., ICDAR 2003) and a thicker or thinner stroke.
"""

from dataclasses import dataclass

import numpy as np

SIDE = 28
CENTER = (SIDE - 1) / 2


@dataclass(frozen=True)
class Distortion:
    """Ranges of the random distortions; angles in degrees, sizes in px."""

    rotation: float = 12.0
    scale: float = 0.12
    shear: float = 0.25
    shift: float = 1.5
    elastic_alpha: float = 1.0
    elastic_sigma: float = 4.0
    thickness: float = 0.6


def gaussian_matrix(sigma):
    """(28, 28) matrix M such that M @ field blurs field's rows (zero pad)."""
    offsets = np.arange(SIDE)[:, None] - np.arange(SIDE)[None, :]
    matrix = np.exp(-0.5 * (offsets / sigma) ** 2)
    return (matrix / matrix.sum(axis=1, keepdims=True)).astype(np.float32)


def elastic_fields(n, alpha, sigma, rng):
    """Smooth random displacements (n, 28, 28) for rows and for columns."""
    blur = gaussian_matrix(sigma)
    fields = []
    for _ in range(2):
        noise = rng.random((n, SIDE, SIDE), dtype=np.float32) - np.float32(0.5)
        smooth = blur @ noise @ blur.T
        # rescale so alpha is the typical displacement in pixels
        smooth /= np.float32(smooth.std() + 1e-8)
        fields.append(smooth * np.float32(alpha))
    return fields


def affine_matrices(n, distortion, rng):
    """(n, 2, 2) random linear maps from output to source offsets."""
    angle = np.radians(rng.uniform(-1, 1, n) * distortion.rotation)
    scale_rows = 1 + rng.uniform(-1, 1, n) * distortion.scale
    scale_cols = 1 + rng.uniform(-1, 1, n) * distortion.scale
    shear = rng.uniform(-1, 1, n) * distortion.shear
    cos, sin = np.cos(angle), np.sin(angle)
    rotate = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    shape = np.zeros((n, 2, 2))
    shape[:, 0, 0] = 1 / scale_rows
    shape[:, 1, 1] = 1 / scale_cols
    shape[:, 1, 0] = shear
    return (rotate @ shape).astype(np.float32)


def bilinear_sample(images, rows, cols):
    """images sampled at fractional (rows, cols), zero outside the image."""
    n = images.shape[0]
    side = SIDE + 2
    padded = np.zeros((n, side, side), dtype=np.float32)
    padded[:, 1:-1, 1:-1] = images
    # one zero pixel of padding makes every out-of-range sample read zero
    rows = np.clip(rows + np.float32(1), 0, np.float32(SIDE + 0.999))
    cols = np.clip(cols + np.float32(1), 0, np.float32(SIDE + 0.999))
    r0 = rows.astype(np.int64)
    c0 = cols.astype(np.int64)
    fr = rows - r0
    fc = cols - c0
    index = r0 * side + c0
    index += (np.arange(n) * side * side)[:, None, None]
    flat = padded.ravel()
    top = flat[index]
    top += (flat[index + 1] - top) * fc
    bottom = flat[index + side]
    bottom += (flat[index + side + 1] - bottom) * fc
    top += (bottom - top) * fr
    return top


def change_thickness(images, amount):
    """Blend each image toward its grey dilation (amount > 0) or erosion."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    shifted = [
        padded[:, 1 + dr : 1 + dr + SIDE, 1 + dc : 1 + dc + SIDE]
        for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0))
    ]
    grown = np.maximum.reduce([images, *shifted])
    shrunk = np.minimum.reduce([images, *shifted])
    amount = amount.astype(np.float32)[:, None, None]
    target = np.where(amount > 0, grown, shrunk)
    target -= images
    target *= np.abs(amount)
    return target + images


def distort(images, rng, distortion=Distortion()):
    """Randomly distorted copies of images (n, 28, 28) float32 in [0, 1]."""
    n = images.shape[0]
    grid = np.indices((SIDE, SIDE), dtype=np.float32) - np.float32(CENTER)
    matrices = affine_matrices(n, distortion, rng)
    offsets = np.einsum("nij,jrc->nirc", matrices, grid)
    shift = rng.uniform(-1, 1, (n, 2, 1, 1)).astype(np.float32)
    offsets += shift * np.float32(distortion.shift)
    d_rows, d_cols = elastic_fields(
        n, distortion.elastic_alpha, distortion.elastic_sigma, rng
    )
    rows = offsets[:, 0] + np.float32(CENTER) + d_rows
    cols = offsets[:, 1] + np.float32(CENTER) + d_cols
    warped = bilinear_sample(images, rows, cols)
    amount = rng.uniform(-1, 1, n) * distortion.thickness
    return np.clip(change_thickness(warped, amount), 0, 1)

"""Connected components of a binary mask, for specks and separate marks.

Works on runs of set pixels per row (8-connectivity): the Python loop is over
pairs of touching runs, not pixels; callers pass a mask of at most ~100x100.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Component:
    """One connected mark: pixel count and bbox (bottom and right exclusive)."""

    size: int
    top: int
    bottom: int
    left: int
    right: int


def find_components(mask: np.ndarray) -> list[Component]:
    """8-connected components of a 2-D bool mask, largest first."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {mask.shape}")
    rows, starts, ends = _runs(mask)
    if len(rows) == 0:
        return []
    above, below = _touching_runs(rows, starts, ends)
    labels = _merge_labels(len(rows), above, below)
    return _summarise(labels, rows, starts, ends)


def _runs(mask: np.ndarray):
    """Row, first column and end column (exclusive) of each run of set pixels."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)
    return rows, starts, ends


def _touching_runs(rows, starts, ends):
    """Index pairs (run above, run below) of runs that touch, diagonals included.

    Runs come sorted by row then column, so the runs of the row above that touch
    run b (end >= b's start and start <= b's end) are one contiguous slice,
    found with two binary searches on keys row * width + column.
    """
    width = int(ends.max()) + 2
    start_keys = rows * width + starts
    end_keys = rows * width + ends
    row_above = (rows - 1) * width
    first = np.searchsorted(end_keys, row_above + starts, side="left")
    stop = np.searchsorted(start_keys, row_above + ends, side="right")
    counts = np.maximum(stop - first, 0)
    below = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    above = np.repeat(first, counts) + offsets
    return above, below


def _merge_labels(count: int, above: np.ndarray, below: np.ndarray) -> np.ndarray:
    """Label each run with the smallest run index of its component (union-find).

    A root always points to a smaller index, so one forward pass at the end
    resolves every run to its root. A Python loop over pairs beat whole-array
    label propagation here: ~100 pairs for a drawing, ~3,000 for pure noise.
    """
    parents = list(range(count))
    for a, b in zip(above.tolist(), below.tolist(), strict=True):
        while parents[a] != a:
            a = parents[a]
        while parents[b] != b:
            parents[b] = parents[parents[b]]
            b = parents[b]
        if a < b:
            parents[b] = a
        elif b < a:
            parents[a] = b
    for i in range(count):
        parents[i] = parents[parents[i]]
    return np.array(parents)


def _summarise(labels, rows, starts, ends) -> list[Component]:
    # A label is the index of its component's first run, which is in the top row.
    firsts = np.flatnonzero(labels == np.arange(len(labels)))
    index = np.searchsorted(firsts, labels)
    count = len(firsts)
    size = np.bincount(index, weights=ends - starts, minlength=count)
    top = rows[firsts]
    bottom = np.zeros(count, dtype=np.intp)
    left = np.full(count, ends.max())
    right = np.zeros(count, dtype=np.intp)
    np.maximum.at(bottom, index, rows + 1)
    np.minimum.at(left, index, starts)
    np.maximum.at(right, index, ends)
    stats = np.stack([size, top, bottom, left, right], axis=1).astype(int)
    components = [Component(*map(int, row)) for row in stats]
    return sorted(components, key=lambda c: -c.size)


def reduce_mask(mask: np.ndarray, factor: int) -> np.ndarray:
    """Shrink a bool mask by ``factor``: a block is set if any pixel in it is."""
    if factor == 1:
        return mask
    height, width = mask.shape
    padded = np.zeros((height + -height % factor, width + -width % factor), bool)
    padded[:height, :width] = mask
    mask = padded
    # OR of strided views: much faster than .any() over axes of a 4-D reshape.
    reduced = mask[::factor, ::factor].copy()
    for i in range(factor):
        for j in range(factor):
            reduced |= mask[i::factor, j::factor]
    return reduced

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
    height, width = mask.shape
    # A clear column either side, so that every run starts and ends in its row
    # and the edges, taken over the flattened mask, alternate start and end.
    padded = np.zeros((height, width + 2), dtype=bool)
    padded[:, 1:-1] = mask
    flat = padded.ravel()
    edges = np.flatnonzero(flat[1:] != flat[:-1])
    rows = edges[0::2] // (width + 2)
    row_starts = rows * (width + 2)
    return rows, edges[0::2] - row_starts, edges[1::2] - row_starts


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
    # Runs grouped by label, in order: each component's first run is in its
    # top row, and segment extremes come from one reduceat call per statistic.
    order = np.argsort(labels, kind="stable")
    labels, rows, starts, ends = labels[order], rows[order], starts[order], ends[order]
    firsts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    stats = np.stack(
        [
            np.add.reduceat(ends - starts, firsts),
            np.minimum.reduceat(rows, firsts),
            np.maximum.reduceat(rows, firsts) + 1,
            np.minimum.reduceat(starts, firsts),
            np.maximum.reduceat(ends, firsts),
        ],
        axis=1,
    )
    components = [Component(*row) for row in stats.tolist()]
    return sorted(components, key=lambda c: -c.size)


def reduce_mask(mask: np.ndarray, factor: int) -> np.ndarray:
    """Shrink a bool mask by ``factor``: a block is set if any pixel in it is.

    Blocks cut short by the edge count only the pixels they have.
    """
    if factor == 1:
        return mask
    return _or_rows(_or_rows(mask, factor).T, factor).T


def _or_rows(mask: np.ndarray, factor: int) -> np.ndarray:
    """OR of every ``factor`` consecutive rows."""
    # Strided views make one call per row offset; reduceat makes one call in
    # all, but each costs more, and it only wins for large factors.
    if factor > 8:
        starts = np.arange(0, len(mask), factor)
        return np.logical_or.reduceat(mask, starts, axis=0)
    rows = mask[::factor].copy()
    for i in range(1, factor):
        part = mask[i::factor]
        rows[: len(part)] |= part
    return rows

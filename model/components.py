"""Connected components of a binary mask, for specks and separate marks.

Works on runs of set pixels per row (8-connectivity), so the Python loop is
over runs rather than pixels; callers pass a mask of at most ~100x100.
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
    parents = list(range(len(rows)))
    for a, b in _touching_runs(rows, starts, ends):
        root_a, root_b = _root(parents, a), _root(parents, b)
        if root_a != root_b:
            parents[max(root_a, root_b)] = min(root_a, root_b)
    roots = np.array([_root(parents, i) for i in range(len(rows))], dtype=np.intp)
    return _summarise(roots, rows, starts, ends)


def _runs(mask: np.ndarray):
    """Row, first column and end column (exclusive) of each run of set pixels."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)
    return rows, starts, ends


def _touching_runs(rows, starts, ends):
    """Pairs of runs in neighbouring rows that touch, diagonals included."""
    first = np.searchsorted(rows, np.arange(rows.max() + 2 if len(rows) else 1))
    pairs = []
    for row in range(len(first) - 2):
        a, a_end = first[row], first[row + 1]
        b, b_end = a_end, first[row + 2]
        if rows[b:b_end].size == 0 or rows[b] != row + 1:
            continue
        # Both rows' runs are sorted by column: walk them like a merge.
        while a < a_end and b < b_end:
            if starts[a] <= ends[b] and starts[b] <= ends[a]:
                pairs.append((a, b))
            if ends[a] < ends[b]:
                a += 1
            else:
                b += 1
    return pairs


def _root(parents: list[int], i: int) -> int:
    while parents[i] != i:
        parents[i] = parents[parents[i]]
        i = parents[i]
    return i


def _summarise(roots, rows, starts, ends) -> list[Component]:
    if len(roots) == 0:
        return []
    labels, index = np.unique(roots, return_inverse=True)
    count = len(labels)
    size = np.bincount(index, weights=ends - starts, minlength=count)
    top = np.full(count, rows.max())
    bottom = np.zeros(count, dtype=np.intp)
    left = np.full(count, ends.max())
    right = np.zeros(count, dtype=np.intp)
    np.minimum.at(top, index, rows)
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
    mask = np.pad(mask, ((0, -height % factor), (0, -width % factor)))
    blocks = mask.reshape(
        mask.shape[0] // factor, factor, mask.shape[1] // factor, factor
    )
    return blocks.any(axis=(1, 3))

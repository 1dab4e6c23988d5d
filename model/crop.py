"""A frame kept as one rectangle plus the single value around it.

Most of a drawing canvas is bare paper. Decoding keeps only the bbox of what
is not paper (``array``) and the paper value outside it, so the per-pixel
float work covers the drawing, not the frame, while frame-wide figures (size,
border, block grids) still come from the frame's ``shape``. Every operation
gives exactly what it would on the frame built out in full (``full``).
"""

from dataclasses import dataclass

import numpy as np

from model.components import reduce_mask


@dataclass(frozen=True)
class Crop:
    """``array`` placed at (top, left) in a frame of ``shape``.

    ``outside`` is a 1-element array holding every pixel outside ``array``,
    or None when ``array`` is the whole frame.
    """

    array: np.ndarray
    top: int = 0
    left: int = 0
    shape: tuple[int, int] | None = None
    outside: np.ndarray | None = None

    @classmethod
    def whole(cls, array: np.ndarray) -> "Crop":
        return cls(array, 0, 0, array.shape, None)

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]

    def full(self) -> np.ndarray:
        if self.outside is None:
            return self.array
        frame = np.full(self.shape, self.outside[0], dtype=self.array.dtype)
        height, width = self.array.shape
        frame[self.top : self.top + height, self.left : self.left + width] = self.array
        return frame

    def map(self, function) -> "Crop":
        """An elementwise ``function`` applied to every pixel of the frame."""
        outside = None if self.outside is None else function(self.outside)
        return Crop(function(self.array), self.top, self.left, self.shape, outside)

    def corner(self):
        if self.outside is None or (self.top, self.left) == (0, 0):
            return self.array[0, 0]
        return self.outside[0]

    def max(self):
        if self.outside is None:
            return self.array.max()
        return max(self.array.max(), self.outside[0])

    def min(self):
        if self.outside is None:
            return self.array.min()
        return min(self.array.min(), self.outside[0])

    def count(self, test) -> int:
        """Number of pixels where the elementwise ``test`` holds."""
        count = np.count_nonzero(test(self.array))
        if self.outside is not None and test(self.outside)[0]:
            count += self.size - self.array.size
        return count

    def reduce_mask(self, test, factor: int) -> np.ndarray:
        """``reduce_mask(test(self.full()), factor)``, built from the rectangle."""
        if self.outside is None or test(self.outside)[0]:
            return reduce_mask(test(self.full()), factor)
        # Pad to the frame's block grid, so the rectangle's blocks are the frame's.
        mask = pad_before(test(self.array), self.top % factor, self.left % factor)
        small = reduce_mask(mask, factor)
        rows, cols = (-(-side // factor) for side in self.shape)
        grid = np.zeros((rows, cols), dtype=bool)
        top, left = self.top // factor, self.left // factor
        grid[top : top + small.shape[0], left : left + small.shape[1]] = small
        return grid

    def border(self) -> np.ndarray:
        """Pixels with the median and spread of the frame's border (``border``)."""
        height, width = self.array.shape
        side = border_width(self.shape)
        inside = (
            min(self.top, self.left) >= side
            and self.top + height <= self.shape[0] - side
            and self.left + width <= self.shape[1] - side
        )
        if self.outside is not None and inside:
            return self.outside
        return border(self.full())


def pad_before(mask: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``mask`` after ``rows`` clear rows and ``cols`` clear columns."""
    if rows == cols == 0:
        return mask
    # np.pad costs several times as much for this one case.
    height, width = mask.shape
    padded = np.zeros((rows + height, cols + width), dtype=mask.dtype)
    padded[rows:, cols:] = mask
    return padded


def border_width(shape) -> int:
    return max(1, min(shape) // 50)


def border(array: np.ndarray) -> np.ndarray:
    """The strips along the four edges, corners counted twice."""
    width = border_width(array.shape)
    return np.concatenate(
        [
            array[:width].ravel(),
            array[-width:].ravel(),
            array[:, :width].ravel(),
            array[:, -width:].ravel(),
        ]
    )


def nonzero_box(mask: np.ndarray):
    """(top, bottom, left, right) of the set pixels of a 2-D mask, or None."""
    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) == 0:
        return None
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1

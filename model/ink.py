"""Turn luminance into an ink map: find the paper, take it away, check the rest.

Works on luminance from any source, not only a decoded file: dark ink on light
paper and light ink on dark, a plain canvas or a photo of paper with uneven
light. The polarity and the paper level come from a coarse copy, and the
background is estimated locally and subtracted, so that a lighting gradient
goes with the paper. A canvas of one exact paper level, which is what a drawing
pad sends, is recognised first on boolean masks, which costs a fraction of the
estimate. What is left is stretched to [0, 1]; a blank image is rejected as
``empty_drawing``, and one with a busy border or with "ink" over most of the
frame as ``not_a_drawing``.
"""

import numpy as np
from PIL import Image

from model.components import reduce_mask
from model.crop import Crop, border
from model.errors import InputError

# Side of the coarse copy used for polarity and the background estimate.
COARSE_SIDE = 128
# A background estimate varying less than this is taken as one flat level.
FLAT_BACKGROUND = 0.02
# Light ink on a plain dark canvas takes the fast path only this far above the
# paper, so that some coarse pixel is surely lighter than the paper too.
PLAIN_MARGIN = 1e-3
# Below this contrast between ink and background the image counts as blank.
MIN_CONTRAST = 0.08
# Beyond these, the picture is not a drawing: the share of the frame above
# half the peak ink, and the spread of the border once the background is gone
# (a plain canvas or sheet of paper has almost none).
MAX_COVERAGE = 0.5
MAX_BORDER_SPREAD = 0.1


def extract_ink(luminance: Crop) -> Crop:
    """Luminance in [0, 1] -> ink in [0, 1], ink high, the paper at 0.

    Raises InputError ``empty_drawing`` or ``not_a_drawing``.
    """
    found = _plain_background(luminance)
    if found is None:
        luminance = Crop.whole(luminance.full())
        found = _background(luminance.array)
    dark_ink, background = found
    # For dark ink, (1 - luminance) - background in one pass.
    if dark_ink:
        ink = luminance.map(lambda pixels: (1 - background) - pixels)
    else:
        ink = luminance.map(lambda pixels: pixels - background)

    border = ink.border()
    border_level = median(border)
    spread = 1.4826 * median(np.abs(border - border_level))
    if spread > MAX_BORDER_SPREAD:
        raise InputError(
            "not_a_drawing", "The background is not plain: this looks like a photo"
        )
    peak = float(ink.max())
    if peak < MIN_CONTRAST:
        raise InputError("empty_drawing", "The image is blank")
    floor = max(border_level + 3 * spread, 0.05 * peak)
    if peak - floor < MIN_CONTRAST:
        raise InputError("empty_drawing", "The image is blank")

    def stretch(pixels):
        pixels -= floor
        pixels *= 1 / (peak - floor)
        return np.clip(pixels, 0, 1, out=pixels)

    ink = ink.map(stretch)
    if ink.count(lambda pixels: pixels > 0.5) > MAX_COVERAGE * ink.size:
        raise InputError(
            "not_a_drawing",
            "Ink covers most of the picture: this is not a drawn digit",
        )
    return ink


def _background(luminance: np.ndarray):
    """(dark_ink, background): the polarity and the paper level, per pixel or flat.

    Background is in ink units: what ``1 - luminance`` (dark ink) or
    ``luminance`` (light ink) is where there is no ink.
    """
    height, width = luminance.shape
    factor = _coarse_factor(luminance.shape)
    coarse = np.asarray(Image.fromarray(luminance, mode="F").reduce(factor))
    level = median(border(coarse))
    dark_ink = level - coarse.min() >= coarse.max() - level
    if dark_ink:
        coarse = 1 - coarse

    # Ink is what rises above the local background, so a lighting gradient
    # across a photo of paper is removed along with a grey canvas.
    grid = _block_min(coarse, _block_side(coarse.shape))
    grid = _neighbourhood_min(grid)
    if grid.max() - grid.min() < FLAT_BACKGROUND:
        return dark_ink, np.float32(grid.mean())
    background = Image.fromarray(grid.astype(np.float32), mode="F")
    background = background.resize((width, height), Image.Resampling.BILINEAR)
    return dark_ink, np.asarray(background)


def _plain_background(luminance):
    """What ``_background`` finds for a canvas of one exact paper level, or None.

    ``luminance`` is an array or a Crop. Paper is the corner's level, which
    must be the lightest (dark ink) or the darkest (light ink) in the image,
    and most of the border. Where every neighbourhood of the coarse grid holds
    a coarse pixel made only of paper, the grid is that level throughout:
    checked on boolean masks, this costs a fraction of the estimate.
    """
    if isinstance(luminance, np.ndarray):
        luminance = Crop.whole(luminance)
    paper = luminance.corner()
    lightest = luminance.max()
    if paper == lightest:
        dark_ink = True
    elif paper == luminance.min() and lightest - paper > PLAIN_MARGIN:
        dark_ink = False
    else:
        return None
    # A coarse pixel (a mean over factor x factor) is paper if all its pixels
    # are. The median of the coarse border is paper if enough of it is.
    factor = _coarse_factor(luminance.shape)
    ink = luminance.reduce_mask(lambda pixels: pixels != paper, factor)
    edge = border(ink)
    needed = edge.size - edge.size // 2 if dark_ink else edge.size // 2 + 1
    if edge.size - np.count_nonzero(edge) < needed:
        return None
    no_paper = ~reduce_mask(~ink, _block_side(ink.shape))
    if _neighbourhood_min(no_paper).any():
        return None
    level = 1 - paper if dark_ink else paper
    grid = np.full(no_paper.shape, level, dtype=np.float32)
    return dark_ink, np.float32(grid.mean())


def _coarse_factor(shape) -> int:
    return max(1, max(shape) // COARSE_SIDE)


def _block_side(shape) -> int:
    return max(1, max(shape) // 8)


def _block_min(array: np.ndarray, size: int) -> np.ndarray:
    """Minimum of each ``size`` x ``size`` block, padding edges by repetition."""
    if size == 1:
        return array
    height, width = array.shape
    pad = (-height % size, -width % size)
    array = np.pad(array, ((0, pad[0]), (0, pad[1])), mode="edge")
    blocks = array.reshape(array.shape[0] // size, size, array.shape[1] // size, size)
    return blocks.min(axis=(1, 3))


def _neighbourhood_min(grid: np.ndarray) -> np.ndarray:
    """3x3 minimum filter, edges repeated, as a column pass then a row pass."""
    out = grid.copy()
    np.minimum(out[1:], grid[:-1], out=out[1:])
    np.minimum(out[:-1], grid[1:], out=out[:-1])
    rows = out.copy()
    np.minimum(out[:, 1:], rows[:, :-1], out=out[:, 1:])
    np.minimum(out[:, :-1], rows[:, 1:], out=out[:, :-1])
    return out


def median(array: np.ndarray) -> float:
    # np.partition alone: np.median's extra checks cost more than the work on
    # a border of a few thousand pixels.
    middle = array.size // 2
    return float(np.partition(array, middle)[middle])

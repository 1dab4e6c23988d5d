"""The MNIST normalisation shared by training, evaluation and the server.

Strokes, image bytes or 28x28 pixels become one ``image``: (28, 28) float32 in
[0, 1], white ink on black, framed the way MNIST was built (LeCun et al.,
http://yann.lecun.com/exdb/mnist/): the ink's bbox is scaled so its longer side
is 20 px with the aspect kept, then pasted into 28x28 and shifted by whole
pixels so the center_of_mass lands on pixel (14, 14). Measured on the MNIST
training set, its centres of mass average (14.00, 14.01) with a spread of 0.29
px, the spread of whole-pixel shifts; (13.5, 13.5) would be the geometric centre.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np
from PIL import Image

from model import decode, render
from model.components import find_components, reduce_mask
from model.crop import Crop, pad_before
from model.errors import InputError
from model.render import PEN_WIDTH

PREPROCESS_VERSION = "1"
SIZE = 28
BOX = 20
CENTER = 14.0
# Share of the peak above which a pixel counts as ink for the bbox; fainter
# anti-aliased edges are kept inside the crop but do not widen it.
INK_THRESHOLD = 0.1
# Area averaging when shrinking to the 20 px box; BILINEAR avoids blocks when
# enlarging a small crop.
SHRINK_FILTER = Image.Resampling.BOX
# Below this extent, in CSS px or as a share of the canvas, a drawing is a tap.
# Images count the pen too, so their share is larger.
TINY_PX = 3.0
TINY_SHARE = 0.02
TINY_IMAGE_SHARE = 0.06
# Marks are found on a mask shrunk to at most this side. A mark with less than
# SPECK_SHARE of the largest mark's pixels is a speck and left out of the bbox.
COMPONENT_SIDE = 96
SPECK_SHARE = 0.05
# Side-by-side marks at least this tall (share of the bbox height) and this big
# (share of the largest) make "several_marks": "12" drawn as one digit.
MARK_HEIGHT = 0.6
MARK_SHARE = 0.15
# A "scribble" fills more than this share of a 20 px box at least 10 px wide;
# 12 of the 60,000 MNIST training digits do.
SCRIBBLE_COVERAGE = 0.7
SCRIBBLE_MIN_SIDE = 10


@dataclass(frozen=True)
class Prepared:
    """The model's input plus notes on the drawing (``several_marks`` ...)."""

    image: np.ndarray
    warnings: tuple[str, ...] = ()


def normalize_ink(ink: np.ndarray) -> np.ndarray:
    """MNIST-frame an ink map of any size (2-D, ink > 0 on 0) into a 28x28 image.

    Returns (28, 28) float32 in [0, 1] with the peak at 1; specks are left out
    of the bbox. Raises InputError ``empty_drawing`` if there is no ink and
    ``invalid_pixels`` if ``ink`` is not a finite 2-D array.
    """
    return _frame(ink)[0]


def _frame(ink, origin=(0, 0), side=None) -> tuple[np.ndarray, list[str], int]:
    """normalize_ink, plus warnings and the bbox's longer side in ink pixels.

    ``ink`` may be the part at ``origin`` of a frame of zeros whose longer side
    is ``side``: the result is the same as for the frame.
    """
    try:
        # Values beyond float32 become inf and are rejected just below.
        with np.errstate(over="ignore"):
            ink = np.asarray(ink, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise InputError("invalid_pixels", "Ink must be an array of numbers") from error
    if ink.ndim != 2 or ink.size == 0 or not np.isfinite(ink).all():
        raise InputError("invalid_pixels", "Ink must be a finite 2-D array")
    peak = ink.max()
    if not peak > 0:
        raise InputError("empty_drawing", "The drawing is empty")
    if peak != 1 or ink.min() < 0:
        ink = np.clip(ink / peak, 0, 1)

    mask = ink > INK_THRESHOLD
    factor = max(1, math.ceil((side or max(mask.shape)) / COMPONENT_SIDE))
    # Marks are found on the frame's grid of factor x factor blocks.
    pad = (origin[0] % factor, origin[1] % factor)
    mask = pad_before(mask, *pad)
    top, bottom, left, right, warnings = _marks(mask, factor)
    crop = ink[top - pad[0] : bottom - pad[0], left - pad[1] : right - pad[1]]
    height, width = crop.shape
    longer = max(height, width)
    size = (max(1, round(width * BOX / longer)), max(1, round(height * BOX / longer)))
    resample = SHRINK_FILTER if longer >= BOX else Image.Resampling.BILINEAR
    small = np.asarray(_as_image(crop).resize(size, resample))
    small = np.clip(small / small.max(), 0, 1)
    image = _center_by_mass(small)
    if _is_scribble(small):
        warnings.append("scribble")
    return image, warnings, longer


def _as_image(ink: np.ndarray) -> Image.Image:
    # frombuffer on a contiguous copy costs half of fromarray on a view.
    ink = np.ascontiguousarray(ink)
    height, width = ink.shape
    return Image.frombuffer("F", (width, height), ink, "raw", "F", 0, 1)


def _marks(mask: np.ndarray, factor: int):
    """bbox of the marks that are not specks, and the "several_marks" warning."""
    components = find_components(reduce_mask(mask, factor))
    largest = components[0].size
    kept = [c for c in components if c.size >= SPECK_SHARE * largest]
    top = min(c.top for c in kept) * factor
    bottom = max(c.bottom for c in kept) * factor
    left = min(c.left for c in kept) * factor
    right = max(c.right for c in kept) * factor
    # The shrunk mask's bbox is up to factor - 1 px too large on each side.
    inner = _bbox(mask[top:bottom, left:right])
    box = (top + inner[0], top + inner[1], left + inner[2], left + inner[3])

    height = max(c.bottom for c in kept) - min(c.top for c in kept)
    marks = [
        c
        for c in kept
        if c.bottom - c.top >= MARK_HEIGHT * height and c.size >= MARK_SHARE * largest
    ]
    apart = any(a.right <= b.left for a in marks for b in marks)
    return (*box, ["several_marks"] if apart else [])


def _is_scribble(small: np.ndarray) -> bool:
    if min(small.shape) < SCRIBBLE_MIN_SIDE:
        return False
    return float((small > 0.5).mean()) > SCRIBBLE_COVERAGE


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _center_by_mass(small: np.ndarray) -> np.ndarray:
    height, width = small.shape
    top, left = (SIZE - height) // 2, (SIZE - width) // 2
    total = small.sum(dtype=np.float64)
    center_y = small.sum(axis=1) @ np.arange(height) / total + top
    center_x = small.sum(axis=0) @ np.arange(width) / total + left
    # Whole-pixel shift, as MNIST did, clipped so no ink leaves the frame.
    shift_y = min(max(round(CENTER - center_y), -top), SIZE - height - top)
    shift_x = min(max(round(CENTER - center_x), -left), SIZE - width - left)
    image = np.zeros((SIZE, SIZE), dtype=np.float32)
    top, left = top + shift_y, left + shift_x
    image[top : top + height, left : left + width] = small
    return image


def prepare_strokes(strokes, width=None, height=None, pen_width=PEN_WIDTH):
    """Strokes ``[[[x, y], ...], ...]`` in canvas CSS px (y down) -> Prepared.

    ``width`` and ``height`` are the canvas size, used only to flag a tap as
    ``tiny_drawing``. Raises InputError ``invalid_strokes`` or ``empty_drawing``.
    """
    points = render.validate_strokes(strokes)
    canvas = _canvas_side(width, height)
    image, warnings, _ = _frame(render.render_strokes(points, pen_width))
    extent = render.drawing_extent(points)
    tiny = extent < TINY_PX or (canvas and extent < TINY_SHARE * canvas)
    return Prepared(image, _warnings(warnings, tiny))


def _warnings(warnings: list[str], tiny: bool) -> tuple[str, ...]:
    # A tap comes out as a filled disc; "scribble" would only confuse.
    if tiny:
        return (*(w for w in warnings if w != "scribble"), "tiny_drawing")
    return tuple(warnings)


def _canvas_side(width, height) -> float | None:
    sides = [s for s in (width, height) if s is not None]
    for side in sides:
        if isinstance(side, bool) or not isinstance(side, numbers.Real):
            raise InputError("invalid_strokes", "Canvas width and height are numbers")
        if not 0 < side <= render.MAX_COORD:
            raise InputError(
                "invalid_strokes",
                "Canvas width and height must be positive and at most "
                f"{render.MAX_COORD:g}",
            )
    return max(sides) if sides else None


def prepare_image(data: bytes) -> Prepared:
    """PNG, JPEG or WebP bytes of a drawing -> Prepared.

    Raises InputError (see ``model.decode.decode_ink`` for the codes).
    """
    ink = decode.decode_ink_crop(data)
    if ink.outside is not None and ink.outside[0] != 0:
        ink = Crop.whole(ink.full())
    side = max(ink.shape)
    image, warnings, extent = _frame(ink.array, (ink.top, ink.left), side)
    tiny = extent < TINY_IMAGE_SHARE * side
    return Prepared(image, _warnings(warnings, tiny))


def prepare_pixels(pixels) -> Prepared:
    """28 rows of 28 numbers in [0, 1], white ink on black, used as they are.

    Raises InputError ``invalid_pixels`` or, if no pixel reaches one grey level
    of an 8-bit image (1/255), ``empty_drawing``.
    """
    try:
        image = np.asarray(pixels)
    except (TypeError, ValueError, OverflowError):
        image = None
    if image is None or image.shape != (SIZE, SIZE) or image.dtype.kind not in "iuf":
        raise InputError("invalid_pixels", "Pixels must be 28 rows of 28 numbers")
    if not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
        raise InputError("invalid_pixels", "Pixels must be numbers in [0, 1]")
    # fainter ink than one 8-bit grey level cannot be seen: it is no drawing
    if image.max() < 1 / 255:
        raise InputError("empty_drawing", "The drawing is empty")
    image = image.astype(np.float32)
    # Used as they are, but a filled square is flagged as drawings are.
    top, bottom, left, right = _bbox(image > INK_THRESHOLD * image.max())
    scribble = _is_scribble(image[top:bottom, left:right] / image.max())
    return Prepared(image, ("scribble",) if scribble else ())

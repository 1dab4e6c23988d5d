"""Turn canvas strokes into an anti-aliased ink map for ``normalize_ink``.

The pen width is a fraction of the drawing's longer side, so the 28x28 image
does not depend on the pen the browser used. Pressure and speed are ignored.
"""

import numpy as np
from PIL import Image, ImageDraw

from model.errors import InputError

MAX_STROKES = 100
MAX_POINTS = 10_000
MAX_COORD = 1e6
# Fraction of the drawing's longer side. Calibrated on every 4th dev pen digit
# (1,026; fit_to_canvas, prepare_strokes, rounded to 8 bits): mean ink per
# image 102.5 and 105 pixels above 0.5, against 102.5 and 104 for the MNIST
# training set. Edges are crisper than MNIST's: 140 non-zero pixels, not 150.
PEN_WIDTH = 0.13
# The drawing's longer side in render pixels: 4x the 20 px MNIST box, so the
# area-averaging resize in normalize_ink anti-aliases the aliased PIL lines.
RENDER_SIZE = 80
# Drawings smaller than this, in input units, are drawn as a single dot; it
# also keeps RENDER_SIZE / extent finite for subnormal extents.
MIN_EXTENT = 1e-6


def validate_strokes(strokes) -> list[np.ndarray]:
    """Check ``[[[x, y], ...], ...]`` and return one (n, 2) float64 array per stroke.

    Empty strokes are dropped. Raises InputError ``invalid_strokes`` on a bad
    structure or value and ``empty_drawing`` when no point is left.
    """
    if not isinstance(strokes, list | tuple):
        raise InputError("invalid_strokes", "Strokes must be a list of strokes")
    if len(strokes) > MAX_STROKES:
        raise InputError(
            "invalid_strokes", f"Too many strokes: {len(strokes)} > {MAX_STROKES}"
        )
    arrays = []
    total = 0
    for stroke in strokes:
        if not isinstance(stroke, list | tuple | np.ndarray):
            raise InputError("invalid_strokes", "Each stroke must be a list of points")
        total += len(stroke)
        if total > MAX_POINTS:
            raise InputError("invalid_strokes", f"Too many points: > {MAX_POINTS}")
        if len(stroke) > 0:
            arrays.append(_to_points(stroke))
    if not arrays:
        raise InputError("empty_drawing", "The drawing is empty")
    return arrays


def _to_points(stroke) -> np.ndarray:
    try:
        points = np.asarray(stroke)
    except (TypeError, ValueError, OverflowError):
        points = None
    if points is None or points.ndim != 2 or points.shape[1] != 2:
        raise InputError("invalid_strokes", "Each point must be a pair [x, y]")
    if points.dtype.kind not in "iuf":
        raise InputError("invalid_strokes", "Point coordinates must be numbers")
    points = points.astype(np.float64)
    if not np.isfinite(points).all() or np.abs(points).max() > MAX_COORD:
        raise InputError(
            "invalid_strokes", f"Point coordinates must be finite, |x| <= {MAX_COORD:g}"
        )
    return points


def drawing_extent(points: list[np.ndarray]) -> float:
    """The longer side of the points' bounding box, in input units."""
    lo = np.min([p.min(axis=0) for p in points], axis=0)
    hi = np.max([p.max(axis=0) for p in points], axis=0)
    return float((hi - lo).max())


def render_strokes(points: list[np.ndarray], pen_width: float = PEN_WIDTH):
    """Draw validated strokes; returns a float32 ink map, ink 1 on 0.

    The drawing's longer side becomes RENDER_SIZE pixels and the pen is
    ``pen_width`` times that, with round caps and joins. A single point, or a
    drawing under MIN_EXTENT, is a dot.
    """
    if not 0 < pen_width <= 1:
        raise ValueError(f"pen_width must be in (0, 1], got {pen_width}")
    lo = np.min([p.min(axis=0) for p in points], axis=0)
    extent = drawing_extent(points)
    scale = RENDER_SIZE / extent if extent > MIN_EXTENT else 0.0
    pen = max(pen_width * RENDER_SIZE, 1.0)
    radius = pen / 2
    margin = radius + 1
    hi = np.max([p.max(axis=0) for p in points], axis=0)
    width, height = np.ceil((hi - lo) * scale + 2 * margin).astype(int) + 1

    canvas = Image.new("L", (int(width), int(height)))
    draw = ImageDraw.Draw(canvas)
    for stroke in points:
        xy = ((stroke - lo) * scale + margin).tolist()
        if len(xy) > 1:
            draw.line([tuple(p) for p in xy], fill=255, width=round(pen))
        for x, y in xy:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(canvas, dtype=np.float32) / np.float32(255)

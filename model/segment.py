"""Whole numbers: split a drawing of digits side by side, then read each one.

Strokes are grouped by their horizontal extents: strokes whose extents
overlap or nearly touch form one digit. A group that is only part of a digit
beside its taller neighbour (a dot, the flag of a 5, the corner of an open 4)
then joins the nearer neighbour. Deliberately left out: several rows, digits
that overlap horizontally (kerning), and signs such as "-" or ".".
"""

import numpy as np

from model import render
from model.errors import InputError
from model.preprocess import prepare_strokes

# Extents closer than this share of the tallest stroke's height are touching.
TOUCH_GAP = 0.02
# A group is part of a digit, not a digit, beside a taller neighbour when it is
# less tall than PART_HEIGHT of the neighbour (a dot, the flag of a 5); when it
# overlaps the neighbour vertically by less than OVERLAP of the shorter height
# (a 4 whose bar starts low); or when it is less tall than FLOAT_HEIGHT of the
# neighbour with its bottom FLOAT_GAP of that height above the neighbour's.
PART_HEIGHT = 0.75
OVERLAP = 0.6
FLOAT_HEIGHT = 0.9
FLOAT_GAP = 0.12


def split_strokes(strokes) -> list[list[int]]:
    """Group stroke indices into digits, left to right.

    strokes: ``[[[x, y], ...], ...]`` in canvas px, y down. Each group lists
    the indices of its strokes in drawing order. Strokes without points are
    in no group; a drawing without any point is one group of all indices.
    Raises InputError ``invalid_strokes`` on a malformed drawing.
    """
    boxes = _stroke_boxes(strokes)
    if not boxes:
        return [list(range(len(strokes)))]
    tallest = max(y1 - y0 for _, y0, _, y1 in boxes.values())
    groups = _sweep(boxes, TOUCH_GAP * tallest)
    groups = _join_parts(groups)
    return [sorted(group["strokes"]) for group in groups]


def _stroke_boxes(strokes) -> dict[int, tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) of every stroke that has points, by stroke index."""
    try:
        render.validate_strokes(strokes)
    except InputError as error:
        if error.code != "empty_drawing":
            raise
        return {}
    boxes = {}
    for index, stroke in enumerate(strokes):
        if len(stroke) > 0:
            points = np.asarray(stroke, dtype=np.float64)
            x0, y0 = points.min(axis=0)
            x1, y1 = points.max(axis=0)
            boxes[index] = (float(x0), float(y0), float(x1), float(y1))
    return boxes


def _sweep(boxes, reach) -> list[dict]:
    """Merge strokes whose extents overlap or are within ``reach``, left to right."""
    groups = []
    for index in sorted(boxes, key=lambda i: boxes[i][0]):
        x0, y0, x1, y1 = boxes[index]
        if groups and x0 <= groups[-1]["box"][2] + reach:
            _add(groups[-1], [index], boxes[index])
        else:
            groups.append({"strokes": [index], "box": [x0, y0, x1, y1]})
    return groups


def _add(group, strokes, box):
    group["strokes"] += strokes
    old = group["box"]
    group["box"] = [
        min(old[0], box[0]),
        min(old[1], box[1]),
        max(old[2], box[2]),
        max(old[3], box[3]),
    ]


def _join_parts(groups) -> list[dict]:
    """Merge each group that is only part of a digit into its nearer neighbour.

    The smallest part (relative to its taller neighbour) goes first, so a
    dot beside an open 4 waits until the 4 is whole.
    """
    while len(groups) > 1:
        ratios = [_part_ratio(groups, k) for k in range(len(groups))]
        k = int(np.argmin(ratios))
        if ratios[k] == np.inf:
            break
        part = groups.pop(k)
        left = groups[k - 1] if k > 0 else None
        right = groups[k] if k < len(groups) else None
        if right is None or (
            left is not None and _gap(left, part) <= _gap(part, right)
        ):
            _add(left, part["strokes"], part["box"])
        else:
            _add(right, part["strokes"], part["box"])
    return groups


def _part_ratio(groups, k) -> float:
    """Height of group k over its taller neighbour's, or inf if it is a digit."""
    neighbours = groups[max(k - 1, 0) : k] + groups[k + 1 : k + 2]
    tall = max(neighbours, key=_height)
    (_, top, _, bottom), (_, tall_top, _, tall_bottom) = groups[k]["box"], tall["box"]
    height, tall_height = bottom - top, max(tall_bottom - tall_top, 1e-12)
    ratio = height / tall_height
    overlap = min(bottom, tall_bottom) - max(top, tall_top)
    floats = tall_bottom - bottom >= FLOAT_GAP * tall_height
    if (
        ratio < PART_HEIGHT
        or overlap < OVERLAP * min(height, tall_height)
        or (ratio < FLOAT_HEIGHT and floats)
    ):
        return ratio
    return np.inf


def _height(group) -> float:
    return group["box"][3] - group["box"][1]


def _gap(left, right) -> float:
    return right["box"][0] - left["box"][2]


def read_number(strokes, model, width=None, height=None) -> list[dict]:
    """Split a drawing into digits and read them all in one batch.

    model: a ``model.weights.Model``; ``width``, ``height``: the canvas size,
    passed to ``prepare_strokes``. Returns one dict per digit, left to right:
    ``digit``, ``probabilities`` (10 floats), ``box`` ``[x0, y0, x1, y1]`` of
    its points in input coordinates, ``strokes`` (indices) and ``warnings``
    (from ``prepare_strokes``). Raises InputError like ``prepare_strokes``.
    """
    groups = split_strokes(strokes)
    prepared = [
        prepare_strokes([strokes[i] for i in group], width, height) for group in groups
    ]
    probs = model.predict(np.stack([p.image for p in prepared]))
    results = []
    for group, item, row in zip(groups, prepared, probs, strict=True):
        results.append(
            {
                "digit": int(row.argmax()),
                "probabilities": [float(p) for p in row],
                "box": _box([strokes[i] for i in group]),
                "strokes": group,
                "warnings": list(item.warnings),
            }
        )
    return results


def _box(strokes) -> list[float]:
    points = np.concatenate(
        [np.asarray(s, dtype=np.float64) for s in strokes if len(s)]
    )
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return [float(x0), float(y0), float(x1), float(y1)]

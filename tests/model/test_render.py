import numpy as np
import pytest

from model.errors import InputError
from model.render import (
    MAX_POINTS,
    MAX_STROKES,
    PEN_WIDTH,
    RENDER_SIZE,
    drawing_extent,
    render_strokes,
    validate_strokes,
)


def ink_bbox(ink):
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_validate_strokes_returns_float_arrays_without_empty_strokes():
    points = validate_strokes([[[0, 0], [1, 2]], [], [[3.5, 4]]])
    assert [p.shape for p in points] == [(2, 2), (1, 2)]
    assert all(p.dtype == np.float64 for p in points)


def test_validate_strokes_accepts_limits():
    strokes = [[[i, i]] for i in range(MAX_STROKES - 1)]
    strokes.append([[0, 0]] * (MAX_POINTS - MAX_STROKES + 1))
    assert len(validate_strokes(strokes)) == MAX_STROKES


@pytest.mark.parametrize(
    "strokes",
    [[[[0, 0]]] * (MAX_STROKES + 1), [[[0, 0]] * 5000, [[1, 1]] * 5001]],
)
def test_validate_strokes_rejects_over_limits(strokes):
    with pytest.raises(InputError) as error:
        validate_strokes(strokes)
    assert error.value.code == "invalid_strokes"


def test_drawing_extent_is_longer_side():
    assert drawing_extent(validate_strokes([[[1, 1], [5, 31]], [[-3, 2]]])) == 30


def test_render_strokes_longer_side_is_render_size_plus_pen():
    ink = render_strokes(validate_strokes([[[0, 0], [30, 100]]]))
    assert ink.dtype == np.float32
    assert set(np.unique(ink)) <= {0.0, 1.0}
    pen = PEN_WIDTH * RENDER_SIZE
    np.testing.assert_allclose(max(ink_bbox(ink > 0)), RENDER_SIZE + pen, atol=2)


@pytest.mark.parametrize("pen_width", [0.05, 0.1, 0.2])
def test_render_strokes_pen_is_share_of_drawing(pen_width):
    # A vertical bar is as wide as the pen, whatever the drawing's scale.
    for scale in (1, 40):
        ink = render_strokes(validate_strokes([[[0, 0], [0, 5 * scale]]]), pen_width)
        width = ink_bbox(ink > 0)[1]
        np.testing.assert_allclose(width, pen_width * RENDER_SIZE, atol=1.5)


def test_render_strokes_dot_is_round():
    ink = render_strokes(validate_strokes([[[7, 7]]]))
    height, width = ink_bbox(ink > 0)
    assert abs(height - width) <= 1
    area = np.pi * (PEN_WIDTH * RENDER_SIZE / 2) ** 2
    np.testing.assert_allclose(ink.sum(), area, rtol=0.25)


@pytest.mark.parametrize("extent", [0, 5e-324, 1e-310, 1e-7])
def test_render_strokes_draws_tiny_extent_as_dot(extent):
    ink = render_strokes(validate_strokes([[[3, 3], [3 + extent, 3 + extent]]]))
    dot = render_strokes(validate_strokes([[[3, 3]]]))
    np.testing.assert_array_equal(ink, dot)


@pytest.mark.parametrize("pen_width", [0, -0.1, 1.5])
def test_render_strokes_rejects_bad_pen_width(pen_width):
    with pytest.raises(ValueError, match="pen_width"):
        render_strokes(validate_strokes([[[0, 0], [1, 1]]]), pen_width)

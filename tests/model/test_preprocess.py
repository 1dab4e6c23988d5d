import numpy as np
import pytest

from model.errors import InputError
from model.preprocess import (
    CENTER,
    PREPROCESS_VERSION,
    Prepared,
    normalize_ink,
    prepare_pixels,
    prepare_strokes,
)

SEVEN = [[[0, 0], [60, 0], [20, 100]], [[10, 50], [50, 50]]]
FOUR = [[[40, 0], [0, 70], [60, 70]], [[45, 20], [45, 110]]]


def ink_bbox(image, threshold=0.0):
    """(height, width) of the pixels above ``threshold``."""
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def center_of_mass(image):
    index = np.arange(image.shape[0])
    total = image.sum()
    return image.sum(axis=1) @ index / total, image.sum(axis=0) @ index / total


def rectangle(height, width, pad=7):
    ink = np.zeros((height + 2 * pad, width + 2 * pad), dtype=np.float32)
    ink[pad : pad + height, pad : pad + width] = 1
    return ink


def blob(seed):
    rng = np.random.default_rng(seed)
    ink = np.zeros((90, 70), dtype=np.float32)
    ink[rng.integers(10, 80, 40), rng.integers(10, 60, 40)] = rng.uniform(0.3, 1, 40)
    ink[15:75, 30:36] = 0.8
    return ink


INKS = {
    "tall": rectangle(100, 30),
    "wide": rectangle(12, 60),
    "square": rectangle(40, 40),
    "small": rectangle(5, 3),
    "blob": blob(0),
}


def test_preprocess_version_is_a_string():
    assert isinstance(PREPROCESS_VERSION, str) and PREPROCESS_VERSION


@pytest.mark.parametrize("name", INKS)
def test_normalize_ink_shape_dtype_range(name):
    image = normalize_ink(INKS[name])
    assert image.shape == (28, 28)
    assert image.dtype == np.float32
    assert image.min() >= 0
    np.testing.assert_allclose(image.max(), 1.0, atol=1e-6)


@pytest.mark.parametrize("name", INKS)
def test_normalize_ink_longer_side_is_20(name):
    assert max(ink_bbox(normalize_ink(INKS[name]))) == 20


@pytest.mark.parametrize(
    ("height", "width", "expected"),
    [(100, 30, (20, 6)), (12, 60, (4, 20)), (100, 10, (20, 2)), (200, 4, (20, 1))],
)
def test_normalize_ink_keeps_aspect(height, width, expected):
    assert ink_bbox(normalize_ink(rectangle(height, width))) == expected


@pytest.mark.parametrize("name", INKS)
def test_normalize_ink_center_of_mass_at_14(name):
    # MNIST's convention: whole-pixel shifts put the mass centre within half
    # a pixel of pixel (14, 14), not of the geometric centre 13.5.
    center = center_of_mass(normalize_ink(INKS[name]))
    np.testing.assert_allclose(center, (CENTER, CENTER), atol=0.5)


def test_normalize_ink_scales_peak_to_one():
    image = normalize_ink(rectangle(40, 40) * 0.2)
    np.testing.assert_allclose(image, normalize_ink(rectangle(40, 40)), atol=1e-6)


def test_normalize_ink_keeps_off_center_mass_inside_frame():
    # An L whose mass sits in one corner: the shift is clipped, no ink is lost.
    ink = np.zeros((100, 100), dtype=np.float32)
    ink[:, :30] = 1
    ink[70:, :] = 1
    image = normalize_ink(ink)
    assert max(ink_bbox(image)) == 20
    np.testing.assert_allclose(image.sum(), (ink.sum() / 25), rtol=0.05)


@pytest.mark.parametrize("ink", [np.zeros((10, 10)), -np.ones((5, 5))])
def test_normalize_ink_rejects_empty(ink):
    with pytest.raises(InputError) as error:
        normalize_ink(ink)
    assert error.value.code == "empty_drawing"


@pytest.mark.parametrize(
    "ink",
    [
        np.full((5, 5), np.nan),
        np.full((5, 5), np.inf),
        np.full((5, 5), 1e39),
        np.ones((3, 3, 3)),
        [],
        [["a", "b"]],
        [[1, 2], [3]],
        None,
    ],
)
def test_normalize_ink_rejects_invalid(ink):
    with pytest.raises(InputError) as error:
        normalize_ink(ink)
    assert error.value.code == "invalid_pixels"


def test_prepare_strokes_returns_prepared():
    prepared = prepare_strokes(SEVEN, 280, 280)
    assert isinstance(prepared, Prepared)
    assert prepared.image.shape == (28, 28)
    assert prepared.image.dtype == np.float32
    assert prepared.warnings == ()


def test_prepare_strokes_one_stays_narrow():
    image = prepare_strokes([[[100, 40], [102, 240]]]).image
    height, width = ink_bbox(image, 0.1)
    assert height == 20
    assert width <= 4


@pytest.mark.parametrize("strokes", [SEVEN, FOUR], ids=["seven", "four"])
@pytest.mark.parametrize("seed", range(5))
def test_prepare_strokes_translation_and_scale_invariant(strokes, seed):
    # The same drawing moved and resized on the canvas gives the same image,
    # up to where render pixel edges fall.
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.05, 20)
    offset = rng.uniform(-1000, 1000, size=2)
    moved = [(np.array(s) * scale + offset).tolist() for s in strokes]
    reference = prepare_strokes(strokes).image
    image = prepare_strokes(moved).image
    np.testing.assert_allclose(image, reference, atol=0.3)
    np.testing.assert_allclose(np.abs(image - reference).mean(), 0, atol=0.005)


def test_prepare_strokes_pen_width_sets_thickness():
    thin = prepare_strokes(SEVEN, pen_width=0.06).image
    thick = prepare_strokes(SEVEN, pen_width=0.2).image
    assert thick.sum() > 1.8 * thin.sum()


@pytest.mark.parametrize(
    ("strokes", "width", "warned"),
    [
        ([[[50, 50]]], None, True),
        ([[[50, 50], [52, 51]]], None, True),
        ([[[50, 50], [54, 51]]], 280, True),
        ([[[50, 50], [54, 51]]], None, False),
        ([[[50, 50], [50, 150]]], 280, False),
    ],
)
def test_prepare_strokes_warns_tiny_drawing(strokes, width, warned):
    prepared = prepare_strokes(strokes, width, width)
    assert ("tiny_drawing" in prepared.warnings) == warned
    assert prepared.image.max() == 1


@pytest.mark.parametrize("strokes", [[], [[]], [[], []]])
def test_prepare_strokes_rejects_empty(strokes):
    with pytest.raises(InputError) as error:
        prepare_strokes(strokes)
    assert error.value.code == "empty_drawing"


@pytest.mark.parametrize(
    "strokes",
    [
        None,
        "strokes",
        {"x": 1},
        [[[0, float("nan")]]],
        [[[0, float("inf")], [1, 1]]],
        [[[0, 2e6]]],
        [[["1", "2"]]],
        [[[1, 2, 3]]],
        [[[1, 2], [3]]],
        [[1, 2]],
        [[[[1, 2]]]],
        [[[None, 1]]],
        [[[10**30, 1]]],
        [[[0, 0]]] * 101,
        [[[0, 0]] * 10_001],
    ],
)
def test_prepare_strokes_rejects_invalid(strokes):
    with pytest.raises(InputError) as error:
        prepare_strokes(strokes)
    assert error.value.code == "invalid_strokes"


@pytest.mark.parametrize("size", [0, -5, float("nan"), "280", True])
def test_prepare_strokes_rejects_invalid_canvas_size(size):
    with pytest.raises(InputError) as error:
        prepare_strokes(SEVEN, size, 280)
    assert error.value.code == "invalid_strokes"


def test_normalize_ink_ignores_specks_in_bbox():
    clean = rectangle(100, 30, pad=40)
    specked = clean.copy()
    specked[2:4, 2:4] = 1
    specked[-3:, -2:] = 0.6
    np.testing.assert_allclose(normalize_ink(specked), normalize_ink(clean), atol=1e-6)


def test_normalize_ink_keeps_second_mark_in_bbox():
    # A mark worth keeping (not a speck) widens the bbox.
    ink = rectangle(100, 30, pad=40)
    ink[60:70, 85:105] = 1
    assert ink_bbox(normalize_ink(ink)) == (20, 13)


@pytest.mark.parametrize(
    ("strokes", "warned"),
    [
        ([[[0, 0], [0, 100]], [[60, 0], [60, 100]]], True),
        ([[[0, 0], [30, 100]], [[60, 0], [60, 100]], [[120, 0], [120, 90]]], True),
        ([[[0, 0], [0, 100]]], False),
        ([[[0, 0], [100, 0]], [[0, 30], [100, 30]]], False),
        ([[[10, 0], [60, 0]], [[10, 0], [5, 50], [50, 60], [40, 100], [0, 95]]], False),
        (SEVEN, False),
        (FOUR, False),
    ],
    ids=["11", "111", "1", "equals", "five", "seven", "four"],
)
def test_prepare_strokes_warns_several_marks(strokes, warned):
    warnings = prepare_strokes(strokes).warnings
    assert ("several_marks" in warnings) == warned


def test_prepare_strokes_warns_scribble():
    zigzag = [[[0, y], [100, y + 2]] for y in range(0, 100, 4)]
    assert prepare_strokes(zigzag).warnings == ("scribble",)


@pytest.mark.parametrize("strokes", [SEVEN, FOUR, [[[0, 0], [0, 100]]]])
def test_prepare_strokes_no_scribble_for_digits(strokes):
    assert "scribble" not in prepare_strokes(strokes).warnings


@pytest.mark.parametrize("value", [1e-30, 1e-6, 0.5 / 255])
def test_prepare_pixels_fainter_than_one_grey_level_is_empty(value):
    pixels = np.full((28, 28), value)
    with pytest.raises(InputError) as error:
        prepare_pixels(pixels)
    assert error.value.code == "empty_drawing"


def test_prepare_pixels_one_grey_level_is_a_drawing():
    pixels = np.zeros((28, 28))
    pixels[14, 14] = 1 / 255
    assert prepare_pixels(pixels).image.max() == np.float32(1 / 255)


@pytest.mark.parametrize("value", [1.0, 0.3])
def test_prepare_pixels_flags_a_filled_square(value):
    pixels = np.zeros((28, 28))
    pixels[2:26, 3:25] = value
    prepared = prepare_pixels(pixels)
    assert prepared.warnings == ("scribble",)
    # flagged, but used as they are
    np.testing.assert_array_equal(prepared.image, pixels.astype(np.float32))


def test_prepare_pixels_no_scribble_for_mnist_like_digits():
    # the pixels of a drawn 7 and 4, as the server would make them
    for strokes in (SEVEN, FOUR):
        image = prepare_strokes(strokes).image
        assert prepare_pixels(image).warnings == ()

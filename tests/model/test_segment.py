from pathlib import Path

import numpy as np
import pytest

from model.errors import InputError
from model.network import init_params
from model.segment import read_number, split_strokes
from model.strokes import fit_to_canvas, load_stroke_file
from model.weights import Model

DEV_FILE = Path("/work/shared/strokes/unipen-dev.json.gz")
# Dev samples that really hold several digits ("00", "000", "0000" labelled 0
# and one "66" labelled 6, all by writer val/wddd3f768; checked by eye).
MULTI_DIGIT_SAMPLES = [3357, 3384, 3386, 3388, 3390, 3393, 3395, 3399, 3406, 3407, 3833]


def shifted(strokes, dx=0.0, dy=0.0):
    return [[[x + dx, y + dy] for x, y in stroke] for stroke in strokes]


BAR = [[[0, 0], [0, 100]]]
FOUR = [[[10, 0], [0, 60], [50, 60]], [[40, 10], [40, 100]]]
# the corner of this 4 never meets its bar, as some dev writers draw it
OPEN_FOUR = [[[0, 0], [0, 50], [30, 50]], [[40, 10], [40, 100]]]
# a 4 whose bar starts where the corner ends, lower down
LOW_FOUR = [[[0, 0], [0, 55], [30, 55]], [[45, 45], [45, 100]]]
SEVEN_STEM = [[[0, 0], [50, 0], [20, 100]]]
CROSS_BAR = [[[10, 50], [45, 50]]]
# a 5 whose flag is drawn apart from its body
FIVE = [[[10, 0], [5, 45], [40, 60], [35, 100], [0, 95]], [[20, 0], [50, 3]]]
DOT = [[[25, 120], [26, 121]]]
BASELINE_DOT = [[[15, 98], [16, 99]]]


@pytest.mark.parametrize(
    "strokes",
    [
        FOUR,
        OPEN_FOUR,
        LOW_FOUR,
        SEVEN_STEM + CROSS_BAR,
        FIVE,
        BAR + DOT,
        BAR + BASELINE_DOT,
    ],
    ids=["four", "open_four", "low_four", "seven", "five", "dot", "baseline_dot"],
)
def test_split_strokes_keeps_one_digit_together(strokes):
    assert split_strokes(strokes) == [list(range(len(strokes)))]


@pytest.mark.parametrize("gap", [5, 15, 30, 50])
def test_split_strokes_splits_bars_with_a_gap(gap):
    strokes = BAR + shifted(BAR, dx=gap)
    assert split_strokes(strokes) == [[0], [1]]


@pytest.mark.parametrize("digit", [FOUR, OPEN_FOUR, LOW_FOUR, FIVE])
def test_split_strokes_keeps_multi_stroke_digits_in_a_number(digit):
    # bar, digit, bar with gaps of 0.2 of the height
    strokes = BAR + shifted(digit, dx=20) + shifted(BAR, dx=90)
    n = len(digit)
    assert split_strokes(strokes) == [[0], list(range(1, n + 1)), [n + 1]]


def test_split_strokes_joins_a_cross_bar_drawn_last():
    # "71" with the cross-bar of the 7 added after the 1
    strokes = SEVEN_STEM + shifted(BAR, dx=70) + CROSS_BAR
    assert split_strokes(strokes) == [[0, 2], [1]]


def test_split_strokes_orders_groups_left_to_right():
    # "12" written with the 2 first, to the right of the 1
    two = [[[0, 20], [30, 0], [40, 30], [0, 100], [45, 100]]]
    strokes = shifted(two, dx=30) + BAR
    assert split_strokes(strokes) == [[1], [0]]


def test_split_strokes_follows_a_rising_baseline():
    # each bar 15 % of its height higher than the last, like sloped writing
    strokes = BAR + shifted(BAR, 30, -15) + shifted(BAR, 60, -30)
    assert split_strokes(strokes) == [[0], [1], [2]]


@pytest.mark.parametrize(
    "strokes, groups",
    [([], [[]]), ([[]], [[0]]), (BAR, [[0]]), ([[[5, 5]]], [[0]])],
    ids=["no_strokes", "empty_stroke", "one_stroke", "one_point"],
)
def test_split_strokes_gives_one_group_for_empty_or_single_stroke(strokes, groups):
    assert split_strokes(strokes) == groups


def test_split_strokes_leaves_empty_strokes_out():
    strokes = [[], *BAR, [], *shifted(BAR, dx=40)]
    assert split_strokes(strokes) == [[1], [3]]


@pytest.mark.parametrize(
    "strokes", ["12", [[[0, "a"]]], [[[0, 0, 0]]], [[[np.nan, 0]]]]
)
def test_split_strokes_rejects_malformed_strokes(strokes):
    with pytest.raises(InputError) as error:
        split_strokes(strokes)
    assert error.value.code == "invalid_strokes"


@pytest.mark.skipif(not DEV_FILE.exists(), reason="shared dev strokes not present")
def test_split_strokes_never_splits_a_dev_digit():
    # every one of the 4102 pen-drawn dev digits stays one group, except the
    # samples that are several digits under one label
    samples = load_stroke_file(DEV_FILE)
    split = [
        k
        for k, sample in enumerate(samples)
        if len(split_strokes(fit_to_canvas(sample["strokes"]))) != 1
    ]
    assert split == MULTI_DIGIT_SAMPLES


class CountingModel(Model):
    """A Model that counts its predict calls."""

    calls = 0

    def predict(self, images):
        self.calls += 1
        return super().predict(images)


@pytest.fixture
def tiny_model():
    params = init_params((784, 16, 10), np.random.default_rng(0))
    return CountingModel(params, 1.0, {})


def test_read_number_reads_each_digit_in_one_batch(tiny_model):
    strokes = FOUR + shifted(BAR, dx=80) + shifted(SEVEN_STEM + CROSS_BAR, dx=120)
    results = read_number(strokes, tiny_model, 300, 150)
    assert tiny_model.calls == 1
    assert [r["strokes"] for r in results] == [[0, 1], [2], [3, 4]]
    for result in results:
        assert set(result) == {"digit", "probabilities", "box", "strokes", "warnings"}
        assert len(result["probabilities"]) == 10
        np.testing.assert_allclose(sum(result["probabilities"]), 1.0, atol=1e-5)
        assert result["digit"] == int(np.argmax(result["probabilities"]))
        assert result["warnings"] == []
    boxes = [r["box"] for r in results]
    np.testing.assert_allclose(
        boxes, [[0, 0, 50, 100], [80, 0, 80, 100], [120, 0, 170, 100]]
    )


def test_read_number_matches_reading_each_group_alone(tiny_model):
    strokes = BAR + shifted(FOUR, dx=30)
    together = read_number(strokes, tiny_model)
    alone = read_number(shifted(FOUR, dx=30), tiny_model)
    np.testing.assert_allclose(
        together[1]["probabilities"], alone[0]["probabilities"], rtol=1e-6
    )


def test_read_number_rejects_empty_drawing(tiny_model):
    with pytest.raises(InputError) as error:
        read_number([[], []], tiny_model)
    assert error.value.code == "empty_drawing"

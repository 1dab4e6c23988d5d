import numpy as np
import pytest

from model.components import Component, find_components, reduce_mask


def flood_fill_components(mask):
    """Slow reference: 8-connected components by breadth-first search."""
    seen = np.zeros_like(mask)
    found = []
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        seen[start] = True
        queue, pixels = [start], []
        while queue:
            y, x = queue.pop()
            pixels.append((y, x))
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    inside = 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1]
                    if inside and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        queue.append((ny, nx))
        ys, xs = np.array(pixels).T
        found.append(
            Component(len(pixels), ys.min(), ys.max() + 1, xs.min(), xs.max() + 1)
        )
    return found


def key(component):
    return (component.size, component.top, component.left)


@pytest.mark.parametrize("density", [0.1, 0.3, 0.5, 0.7])
@pytest.mark.parametrize("seed", range(3))
def test_find_components_matches_flood_fill(density, seed):
    mask = np.random.default_rng(seed).random((40, 33)) < density
    found = find_components(mask)
    assert sorted(found, key=key) == sorted(flood_fill_components(mask), key=key)
    assert [c.size for c in found] == sorted((c.size for c in found), reverse=True)


def test_find_components_joins_diagonal_neighbours():
    mask = np.eye(5, dtype=bool)
    assert find_components(mask) == [Component(5, 0, 5, 0, 5)]


def test_find_components_keeps_gap_of_one_pixel_apart():
    mask = np.zeros((3, 5), dtype=bool)
    mask[:, 0] = mask[:, 2] = True
    assert len(find_components(mask)) == 2


@pytest.mark.parametrize("shape", [(0, 0), (4, 6), (1, 1)])
def test_find_components_empty_mask(shape):
    assert find_components(np.zeros(shape, dtype=bool)) == []


def test_find_components_rejects_non_2d():
    with pytest.raises(ValueError, match="2-D"):
        find_components(np.zeros((2, 2, 2), dtype=bool))


def test_reduce_mask_sets_block_if_any_pixel_is_set():
    mask = np.zeros((7, 5), dtype=bool)
    mask[0, 0] = mask[6, 4] = True
    reduced = reduce_mask(mask, 3)
    assert reduced.shape == (3, 2)
    assert reduced.tolist() == [[True, False], [False, False], [False, True]]
    assert reduce_mask(mask, 1) is mask


@pytest.mark.parametrize("factor", [2, 3, 8, 9, 17])
@pytest.mark.parametrize("shape", [(94, 94), (281, 279), (5, 40), (1, 1)])
def test_reduce_mask_matches_block_any(shape, factor):
    mask = np.random.default_rng(factor).random(shape) < 0.02
    height, width = -(-shape[0] // factor), -(-shape[1] // factor)
    padded = np.zeros((height * factor, width * factor), dtype=bool)
    padded[: shape[0], : shape[1]] = mask
    expected = padded.reshape(height, factor, width, factor).any(axis=(1, 3))
    np.testing.assert_array_equal(reduce_mask(mask, factor), expected)

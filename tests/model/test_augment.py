import numpy as np

from model.augment import Distortion, bilinear_sample, change_thickness, distort

NONE = Distortion(0, 0, 0, 0, 0, 4.0, 0)


def bar_images(n=4):
    images = np.zeros((n, 28, 28), dtype=np.float32)
    images[:, 6:22, 12:16] = 1.0
    return images


def test_distort_keeps_shape_dtype_and_range():
    images = bar_images(16)
    out = distort(images, np.random.default_rng(0))
    assert out.shape == images.shape
    assert out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1


def test_distort_with_no_distortion_is_identity():
    images = bar_images()
    out = distort(images, np.random.default_rng(0), NONE)
    np.testing.assert_allclose(out, images, atol=1e-5)


def test_distort_is_seeded():
    images = bar_images()
    a = distort(images, np.random.default_rng(3))
    b = distort(images, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_distort_changes_images_but_keeps_most_ink():
    images = bar_images(32)
    out = distort(images, np.random.default_rng(1))
    assert np.abs(out - images).mean() > 0.01
    # ink is moved, thickened or thinned, not lost
    ratio = out.sum(axis=(1, 2)) / images.sum(axis=(1, 2))
    assert ratio.min() > 0.5 and ratio.max() < 2.0


def test_bilinear_sample_shifts_by_whole_pixels():
    images = bar_images(1)
    rows, cols = np.indices((28, 28), dtype=np.float32)
    shifted = bilinear_sample(images, rows[None], cols[None] - 2)
    np.testing.assert_allclose(shifted[0, :, 14:18], images[0, :, 12:16])
    # samples outside the image read as zero
    np.testing.assert_allclose(shifted[0, :, :2], 0)


def test_change_thickness_grows_and_shrinks_ink():
    images = bar_images(3)
    out = change_thickness(images, np.array([1.0, 0.0, -1.0]))
    totals = out.sum(axis=(1, 2))
    assert totals[0] > totals[1] > totals[2]
    np.testing.assert_allclose(out[1], images[1])

import gzip
import hashlib

import numpy as np
import pytest

from model.data import (
    FILES,
    IMAGE_MAGIC,
    LABEL_MAGIC,
    DataError,
    download,
    load_mnist,
    read_idx,
)


def idx_bytes(array, magic):
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def write_fake_mnist(directory, n_train=60000, n_test=10000, compress=True):
    """Four IDX files of the right form with seeded random content."""
    rng = np.random.default_rng(0)
    contents = {
        "train_images": idx_bytes(rng.integers(0, 256, (n_train, 28, 28)), IMAGE_MAGIC),
        "train_labels": idx_bytes(rng.integers(0, 10, n_train), LABEL_MAGIC),
        "test_images": idx_bytes(rng.integers(0, 256, (n_test, 28, 28)), IMAGE_MAGIC),
        "test_labels": idx_bytes(rng.integers(0, 10, n_test), LABEL_MAGIC),
    }
    for key, raw in contents.items():
        stem = FILES[key][0]
        if compress:
            (directory / (stem + ".gz")).write_bytes(gzip.compress(raw, 1))
        else:
            (directory / stem).write_bytes(raw)


@pytest.mark.parametrize("compress", [True, False])
def test_load_mnist_reads_gzip_and_raw(tmp_path, compress):
    write_fake_mnist(tmp_path, compress=compress)
    data = load_mnist(tmp_path, allow_download=False)
    assert data["train_images"].shape == (60000, 28, 28)
    assert data["train_images"].dtype == np.float32
    assert 0 <= data["train_images"].min() and data["train_images"].max() <= 1
    assert data["test_labels"].shape == (10000,)
    assert len(data["sha256"]) == 4


def test_read_idx_rejects_wrong_magic(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros(5), IMAGE_MAGIC)[:8] + bytes(5))
    with pytest.raises(DataError, match="magic number"):
        read_idx(path, LABEL_MAGIC, 5)


def test_read_idx_rejects_wrong_count(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros(4), LABEL_MAGIC))
    with pytest.raises(DataError, match=r"shape \(4,\), expected \(5,\)"):
        read_idx(path, LABEL_MAGIC, 5)


def test_read_idx_rejects_truncated_data(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(idx_bytes(np.zeros((3, 28, 28)), IMAGE_MAGIC)[:-10])
    with pytest.raises(DataError, match="data bytes"):
        read_idx(path, IMAGE_MAGIC, 3)


def test_read_idx_rejects_broken_gzip(tmp_path):
    path = tmp_path / "images.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(3), LABEL_MAGIC))[:-6])
    with pytest.raises(DataError, match="broken gzip"):
        read_idx(path, LABEL_MAGIC, 3)


def test_load_mnist_missing_files_without_download(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_mnist(tmp_path, allow_download=False)


def test_download_checks_sha256(tmp_path):
    # a file:// URL stands in for the mirror, so no network is needed
    source = tmp_path / "source.gz"
    source.write_bytes(b"not the real file")
    target = tmp_path / "target.gz"
    with pytest.raises(DataError, match="SHA-256"):
        download(source.as_uri(), target, "0" * 64)
    assert not target.exists()
    download(source.as_uri(), target, hashlib.sha256(b"not the real file").hexdigest())
    assert target.read_bytes() == b"not the real file"


def test_download_failure_names_data_dir_option(tmp_path):
    missing = (tmp_path / "nowhere.gz").as_uri()
    with pytest.raises(DataError, match="--data-dir"):
        download(missing, tmp_path / "target.gz", "0" * 64)

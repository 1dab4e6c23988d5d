"""MNIST: read the four IDX files from a directory, download them if asked.

Images come back as (n, 28, 28) float32 in [0, 1], white digit on black,
labels as (n,) int64. Downloads are checked against the published SHA-256
of each file; files already on disk are only checked for form.
"""

import gzip
import hashlib
import logging
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"

# SHA-256 of the canonical gzip files, as published with the mirrors
FILES = {
    "train_images": (
        "train-images-idx3-ubyte",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    "train_labels": (
        "train-labels-idx1-ubyte",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    "test_images": (
        "t10k-images-idx3-ubyte",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    "test_labels": (
        "t10k-labels-idx1-ubyte",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
}
COUNTS = {"train": 60000, "test": 10000}
IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049


class DataError(ValueError):
    """The MNIST files are missing, unreachable or malformed."""


def read_idx(path, magic, expected_count):
    """Parse one IDX file (gzip or raw) and check its header.

    Returns uint8 (n, 28, 28) for images, (n,) for labels.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise DataError(f"{path}: broken gzip file ({error})") from None
    ndim = 3 if magic == IMAGE_MAGIC else 1
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise DataError(f"{path}: {len(raw)} bytes is too short for IDX")
    header = np.frombuffer(raw, dtype=">u4", count=1 + ndim)
    if header[0] != magic:
        raise DataError(f"{path}: magic number {header[0]}, expected {magic}")
    shape = tuple(int(n) for n in header[1:])
    expected_shape = (expected_count, 28, 28)[:ndim]
    if shape != expected_shape:
        raise DataError(f"{path}: shape {shape}, expected {expected_shape}")
    body = raw[header_size:]
    if len(body) != int(np.prod(shape)):
        raise DataError(f"{path}: {len(body)} data bytes for shape {shape}")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def find_file(data_dir, stem):
    """The gzip or raw file for `stem` in data_dir, or None."""
    for name in (stem + ".gz", stem):
        path = Path(data_dir) / name
        if path.is_file():
            return path
    return None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url, path, expected_sha256):
    """Fetch url to path with a progress display; check its SHA-256."""
    logger.info("downloading %s", url)
    partial = Path(str(path) + ".part")
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            total = int(response.headers.get("Content-Length") or 0)
            with open(partial, "wb") as file:
                copy_with_progress(response, file, total, path.name)
    except (urllib.error.URLError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise DataError(
            f"could not download {url} ({error}). Without a network, put the "
            "MNIST IDX files in a directory and pass it with --data-dir"
        ) from None
    actual = sha256_of(partial)
    if actual != expected_sha256:
        partial.unlink()
        raise DataError(f"{url}: SHA-256 {actual}, expected {expected_sha256}")
    partial.rename(path)


def copy_with_progress(source, target, total, label):
    done = 0
    show = sys.stderr.isatty()
    for chunk in iter(lambda: source.read(1 << 16), b""):
        target.write(chunk)
        done += len(chunk)
        if show and total:
            sys.stderr.write(f"\r{label}: {100 * done // total:3d}%")
    if show:
        sys.stderr.write("\n")


def load_mnist(data_dir, allow_download=True, mirror=MIRROR):
    """Train and test images and labels from data_dir.

    Returns a dict with train_images, train_labels, test_images,
    test_labels and sha256 (file name -> digest of the file read).
    Missing files are downloaded into data_dir when allowed.
    """
    data_dir = Path(data_dir)
    result = {"sha256": {}}
    for key, (stem, published) in FILES.items():
        path = find_file(data_dir, stem)
        if path is None:
            if not allow_download:
                raise DataError(f"{stem}(.gz) not found in {data_dir}")
            data_dir.mkdir(parents=True, exist_ok=True)
            path = data_dir / (stem + ".gz")
            download(mirror + path.name, path, published)
        split = key.split("_")[0]
        magic = IMAGE_MAGIC if key.endswith("images") else LABEL_MAGIC
        array = read_idx(path, magic, COUNTS[split])
        if magic == IMAGE_MAGIC:
            array = array.astype(np.float32) / np.float32(255)
        else:
            array = array.astype(np.int64)
            if array.max() > 9:
                raise DataError(f"{path}: label {array.max()} is not a digit")
        result[key] = array
        result["sha256"][path.name] = sha256_of(path)
    return result

"""The weights file: an .npz of parameters plus JSON metadata, no pickle.

Parameters are stored as float16 to keep the shipped file small and are
used as float32. The metadata (architecture, preprocessing version,
training settings, data checksums, measured accuracies, date) travels in
the same file and is copied to a JSON sidecar for people to read.
"""

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.network import layer_count, layer_sizes, predict_probs

FORMAT_VERSION = 1
DEFAULT_WEIGHTS = Path(__file__).with_name("weights") / "mlp.npz"
INPUT_SIZE = 784
N_CLASSES = 10


class WeightsError(ValueError):
    """The weights file is missing, corrupt or does not fit the model."""


@dataclass
class Model:
    """A loaded network: float32 `params`, softmax `temperature`, `meta`."""

    params: dict
    temperature: float
    meta: dict

    @property
    def sizes(self):
        return layer_sizes(self.params)

    def predict(self, images):
        """Probabilities (n, 10) for images (n, 28, 28) float32 in [0, 1]."""
        x = np.asarray(images, dtype=np.float32).reshape(-1, INPUT_SIZE)
        return predict_probs(self.params, x, self.temperature)


def save_weights(path, params, temperature, meta):
    """Write params (float16), temperature and meta to path and a sidecar."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    check_params(params)
    meta = {**meta, "format_version": FORMAT_VERSION}
    meta["sizes"] = list(layer_sizes(params))
    meta["temperature"] = float(temperature)
    arrays = {name: value.astype(np.float16) for name, value in params.items()}
    arrays["temperature"] = np.array(temperature, dtype=np.float32)
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(path, **arrays)
    sidecar = path.with_suffix(".json")
    sidecar.write_text(json.dumps(meta, indent=2) + "\n")


def load_weights(path=DEFAULT_WEIGHTS):
    """Read a weights file written by `save_weights`, checking everything."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file {path} not found")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        # numpy's own message (pickles, "if you trust the file") misleads here
        reason = type(error).__name__
        raise WeightsError(f"{path}: not a readable weights file ({reason})") from None
    try:
        meta = json.loads(str(arrays.pop("meta")))
        temperature = float(arrays.pop("temperature"))
    except (KeyError, ValueError, TypeError) as error:
        raise WeightsError(f"{path}: metadata missing or broken ({error})") from None
    if meta.get("format_version") != FORMAT_VERSION:
        raise WeightsError(f"{path}: format {meta.get('format_version')} unknown")
    params = {name: value.astype(np.float32) for name, value in arrays.items()}
    check_params(params)
    if not np.isfinite(temperature) or temperature <= 0:
        raise WeightsError(f"{path}: temperature {temperature} is not positive")
    if list(layer_sizes(params)) != meta.get("sizes"):
        raise WeightsError(f"{path}: parameters do not match meta sizes")
    return Model(params=params, temperature=temperature, meta=meta)


def check_params(params):
    """Raise WeightsError unless params form a 784 -> ... -> 10 network."""
    n_layers = len(params) // 2
    expected = {f"{kind}{k}" for k in range(1, n_layers + 1) for kind in "wb"}
    if n_layers < 1 or set(params) != expected:
        raise WeightsError(f"parameter names {sorted(params)} are not w1 b1 ...")
    fan_in = INPUT_SIZE
    for k in range(1, layer_count(params) + 1):
        w, b = params[f"w{k}"], params[f"b{k}"]
        if w.ndim != 2 or w.shape[0] != fan_in or b.shape != (w.shape[1],):
            raise WeightsError(
                f"layer {k}: w {w.shape} and b {b.shape} do not follow {fan_in}"
            )
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise WeightsError(f"layer {k}: non-finite values")
        fan_in = w.shape[1]
    if fan_in != N_CLASSES:
        raise WeightsError(f"the last layer has {fan_in} outputs, not {N_CLASSES}")

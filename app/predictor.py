"""The loaded model and the work of one request: preprocess, predict, describe.

``Predictor`` is read-only after start-up, so the threads that serve requests
share it without locks; each request's arrays are its own.
"""

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.config import TRAIN_COMMAND
from app.payload import decode_base64
from app.schemas import NumberRequest, PredictRequest
from model import decode, render
from model.decision import describe
from model.explain import explain as explain_digit
from model.preprocess import (
    PREPROCESS_VERSION,
    Prepared,
    prepare_image,
    prepare_pixels,
    prepare_strokes,
)
from model.segment import read_number
from model.weights import Model, WeightsError, load_weights

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The server cannot start: its weights are missing or unusable."""


@dataclass(frozen=True)
class Predictor:
    model: Model
    model_version: str
    path: Path

    def predict(
        self, drawing: PredictRequest | bytes, started: float, explain=False
    ) -> dict:
        """The /predict answer for a parsed JSON drawing or uploaded image bytes.

        ``started`` is the ``time.perf_counter()`` of the request's arrival;
        ``explain`` adds the saliency map of the digit read. Raises InputError
        for a drawing the preprocessing refuses.
        """
        before = time.perf_counter()
        prepared = _prepare(drawing)
        prepared_at = time.perf_counter()
        probs = self.model.predict(prepared.image[np.newaxis])[0].astype(np.float64)
        probs /= probs.sum()
        done = time.perf_counter()

        answer = describe(probs, prepared.warnings)
        logger.debug(
            "digit %d, confidence %.3f, %.1f ms",
            answer["digit"],
            answer["confidence"],
            (done - started) * 1e3,
        )
        result = {
            "digit": answer["digit"],
            "probabilities": probs.tolist(),
            "confidence": answer["confidence"],
            "uncertain": answer["uncertain"],
            "alternatives": answer["alternatives"],
            "warnings": list(prepared.warnings),
            "image": _rounded(prepared.image),
            "model_version": self.model_version,
            "preprocess_version": PREPROCESS_VERSION,
            "timing_ms": {
                "preprocess": _ms(prepared_at - before),
                "inference": _ms(done - prepared_at),
                "total": _ms(done - started),
            },
        }
        if explain:
            self._add_saliency(result, prepared.image, done, started)
        return result

    def _add_saliency(self, result, image, done, started) -> None:
        why = explain_digit(self.model, image, result["digit"])
        explained = time.perf_counter()
        result["saliency"] = _rounded(why["saliency"])
        timing = result["timing_ms"]
        # re-added so that "total" stays the last key
        del timing["total"]
        timing["explain"] = _ms(explained - done)
        timing["total"] = _ms(explained - started)

    def read_number(self, drawing: NumberRequest, started: float) -> dict:
        """The /predict/number answer: the digits side by side, left to right.

        Raises InputError like ``predict`` for strokes.
        """
        parts = read_number(drawing.strokes, self.model, drawing.width, drawing.height)
        digits = []
        for part in parts:
            probs = np.asarray(part["probabilities"], dtype=np.float64)
            probs /= probs.sum()
            answer = describe(probs, part["warnings"])
            digits.append(
                {
                    **answer,
                    "probabilities": probs.tolist(),
                    "warnings": part["warnings"],
                    "box": part["box"],
                    "strokes": part["strokes"],
                }
            )
        return {
            "number": "".join(str(d["digit"]) for d in digits),
            "digits": digits,
            "uncertain": any(d["uncertain"] for d in digits),
            "model_version": self.model_version,
            "preprocess_version": PREPROCESS_VERSION,
            "timing_ms": {"total": _ms(time.perf_counter() - started)},
        }

    def describe_model(self) -> dict:
        """Architecture, measured figures and versions, for /model and the page."""
        meta = self.model.meta
        return {
            "sizes": list(self.model.sizes),
            "temperature": self.model.temperature,
            "test_accuracy": meta.get("test_accuracy"),
            "test_ece": meta.get("test_ece"),
            "val_accuracy": meta.get("val_accuracy"),
            "strokes_accuracy": meta.get("strokes_accuracy"),
            "trained_at": meta.get("trained_at"),
            "model_version": self.model_version,
            "preprocess_version": PREPROCESS_VERSION,
        }


def load_predictor(path) -> Predictor:
    """Load the weights at ``path``; StartupError naming the training command."""
    path = Path(path)
    try:
        model = load_weights(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except (WeightsError, OSError) as error:
        raise StartupError(
            f"Cannot load the model: {error}. Train it with `{TRAIN_COMMAND}`, "
            "or point DIGITS_WEIGHTS at a weights file"
        ) from error
    predictor = Predictor(model, digest[:12], path)
    logger.info(
        "loaded %s: sizes %s, test accuracy %s, model version %s",
        path,
        "-".join(map(str, model.sizes)),
        model.meta.get("test_accuracy"),
        predictor.model_version,
    )
    return predictor


def limits(max_body_bytes: int, max_batch: int) -> dict:
    """Every input limit a client may hit, for /model."""
    return {
        "max_body_bytes": max_body_bytes,
        "max_batch": max_batch,
        "max_strokes": render.MAX_STROKES,
        "max_points": render.MAX_POINTS,
        "max_image_pixels": decode.MAX_IMAGE_PIXELS,
        "max_png_webp_pixels": decode.MAX_FULL_DECODE_PIXELS,
        "max_image_side": decode.MAX_SIDE,
        "image_formats": list(decode.FORMATS),
    }


def to_json(answer: dict) -> bytes:
    return json.dumps(answer, allow_nan=False, separators=(",", ":")).encode()


def _prepare(drawing: PredictRequest | bytes) -> Prepared:
    if isinstance(drawing, bytes):
        return prepare_image(drawing)
    if drawing.strokes is not None:
        return prepare_strokes(drawing.strokes, drawing.width, drawing.height)
    if drawing.image is not None:
        return prepare_image(decode_base64(drawing.image))
    return prepare_pixels(drawing.pixels)


def _rounded(image: np.ndarray) -> list:
    """28 rows of 28 floats to 3 decimals; + 0.0 turns -0.0 into 0.0."""
    return (np.round(image.astype(np.float64), 3) + 0.0).tolist()


def _ms(seconds: float) -> float:
    return round(seconds * 1e3, 3)

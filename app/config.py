"""Server settings, read from the environment once when the app is built."""

import os
from dataclasses import dataclass
from pathlib import Path

from model.weights import DEFAULT_WEIGHTS

MAX_BODY_BYTES = 2 * 2**20
MAX_BATCH = 32
# CPU jobs (parsing, preprocessing, inference) run at once in one worker
CPU_SLOTS = 2
MAX_PORT = 65535
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
TRAIN_COMMAND = (
    "python -m model.train --profile full --data-dir DIR --out model/weights/mlp.npz"
)


@dataclass(frozen=True)
class Settings:
    """What can change between deployments; the defaults suit a laptop.

    Environment: DIGITS_WEIGHTS, DIGITS_MAX_BODY_BYTES, DIGITS_MAX_BATCH,
    DIGITS_CPU_SLOTS, LOG_LEVEL, and for ``python -m app`` also HOST, PORT,
    WORKERS, ACCESS_LOG.
    """

    weights: Path = DEFAULT_WEIGHTS
    max_body_bytes: int = MAX_BODY_BYTES
    max_batch: int = MAX_BATCH
    cpu_slots: int = CPU_SLOTS
    log_level: str = "info"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    access_log: bool = True

    @classmethod
    def from_env(cls, environ=os.environ) -> "Settings":
        """Settings from ``environ``; raises ValueError naming a bad variable."""
        log_level = environ.get("LOG_LEVEL", "info").lower()
        if log_level not in LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL must be one of {LOG_LEVELS}, got {log_level}")
        return cls(
            weights=Path(environ.get("DIGITS_WEIGHTS", DEFAULT_WEIGHTS)),
            max_body_bytes=_positive_int(
                environ, "DIGITS_MAX_BODY_BYTES", MAX_BODY_BYTES
            ),
            max_batch=_positive_int(environ, "DIGITS_MAX_BATCH", MAX_BATCH),
            cpu_slots=_positive_int(environ, "DIGITS_CPU_SLOTS", CPU_SLOTS),
            log_level=log_level,
            host=environ.get("HOST", "127.0.0.1"),
            port=_port(environ),
            workers=_positive_int(environ, "WORKERS", 1),
            access_log=environ.get("ACCESS_LOG", "1") not in ("0", "false", "no"),
        )


def _port(environ) -> int:
    port = _positive_int(environ, "PORT", 8000)
    # uvicorn would wrap a larger number around to some other port.
    if port > MAX_PORT:
        raise ValueError(f"PORT must be at most {MAX_PORT}, got {port}")
    return port


def _positive_int(environ, name: str, default: int) -> int:
    text = environ.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {text!r}")
    return value

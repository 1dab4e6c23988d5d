"""Run the server: ``python -m app``.

HOST and PORT (default 127.0.0.1:8000), WORKERS, LOG_LEVEL and ACCESS_LOG
come from the environment, as do the settings in ``app.config``. Exits with
one line saying why: 2 for a bad setting, 3 for weights that cannot be
loaded.
"""

import copy
import sys

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from app.config import Settings
from app.predictor import StartupError, load_predictor


def logging_config(level: str) -> dict:
    """uvicorn's logging, extended to the app's and the model's loggers."""
    config = copy.deepcopy(LOGGING_CONFIG)
    for name in ("app", "model"):
        config["loggers"][name] = {
            "handlers": ["default"],
            "level": level.upper(),
            "propagate": False,
        }
    return config


def main() -> int:
    try:
        settings = Settings.from_env()
    except ValueError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    # Checked here too, so that bad weights give one line instead of a
    # traceback from every worker's start-up.
    try:
        load_predictor(settings.weights)
    except StartupError as error:
        sys.stderr.write(f"{error}\n")
        return 3
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=logging_config(settings.log_level),
        access_log=settings.access_log,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

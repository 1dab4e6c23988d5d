"""Every error becomes ``{"detail": ..., "code": ...}`` with a 4xx status.

Each rejected request is logged once at WARNING with its code and reason,
never its payload. An unexpected exception is answered with a bare 500 and
left for the server to log with its traceback.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from model.errors import InputError

logger = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
}
# A key a client sent is named in the detail, and the path in the log: both
# are escaped and cut short, so that neither forges log lines nor carries a
# payload.
MAX_KEY_SHOWN = 40
MAX_PATH_SHOWN = 200


class ApiError(HTTPException):
    """An HTTP error carrying a stable machine-readable ``code``."""

    def __init__(self, status_code: int, code: str, detail: str, headers=None):
        super().__init__(status_code, detail, headers)
        self.code = code


def validation_error(errors: list[dict]) -> ApiError:
    """The 422 for pydantic ``errors``: the first problem, where, and how many more."""
    first = errors[0]
    if first["type"] == "json_invalid":
        reason = first["msg"].removeprefix("Invalid JSON: ")
        return ApiError(422, "invalid_json", f"Malformed JSON: {reason}")
    where = ".".join(printable(str(part), MAX_KEY_SHOWN) for part in first["loc"])
    reason = first["msg"].removeprefix("Value error, ")
    detail = f"{where}: {reason}" if where else reason
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return ApiError(422, "invalid_request", detail)


def printable(text: str, limit: int) -> str:
    """``text`` with control characters escaped, cut to ``limit`` characters.

    A backslash is escaped too, so that a typed "\\n" cannot pass for an
    escaped line break.
    """
    if not text.isprintable() or "\\" in text:
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_body(code: str, detail: str) -> dict:
    return {"detail": detail, "code": code}


def reject(request: Request, status: int, code: str, detail: str, headers=None):
    """Log one warning for a refused request and build its JSON answer."""
    logger.warning(
        "rejected %s %s: %d %s (%s)",
        request.method,
        printable(request.url.path, MAX_PATH_SHOWN),
        status,
        code,
        detail,
    )
    return JSONResponse(error_body(code, detail), status, headers=headers)


async def _http_error(request: Request, exc: HTTPException):
    code = getattr(exc, "code", None) or STATUS_CODES.get(exc.status_code, "error")
    return reject(request, exc.status_code, code, exc.detail, exc.headers)


async def _request_validation_error(request: Request, exc: RequestValidationError):
    error = validation_error(list(exc.errors()))
    return reject(request, 422, error.code, error.detail)


async def _input_error(request: Request, exc: InputError):
    return reject(request, 422, exc.code, exc.detail)


async def _unexpected_error(request: Request, exc: Exception):
    path = printable(request.url.path, MAX_PATH_SHOWN)
    logger.error("%s on %s %s", type(exc).__name__, request.method, path)
    return JSONResponse(error_body("internal_error", "Internal error"), 500)


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(Exception, _unexpected_error)

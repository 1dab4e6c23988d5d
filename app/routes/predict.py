"""POST /predict, /predict/batch and /predict/number: drawings in, digits out.

Bodies are read in the event loop; parsing, preprocessing and inference run
in the thread pool, one call per request, so the loop is never blocked.
"""

import functools
import logging
import time

import anyio
from fastapi import APIRouter, Query, Request, Response

from app.config import MAX_BATCH
from app.errors import ApiError, error_body
from app.payload import (
    body_kind,
    parse_batch,
    parse_drawing,
    parse_item,
    parse_number,
    read_upload,
    require_json,
)
from app.predictor import Predictor, to_json
from app.schemas import (
    BATCH_EXAMPLES,
    NUMBER_EXAMPLES,
    PREDICT_EXAMPLES,
    BatchResponse,
    ErrorBody,
    NumberRequest,
    NumberResponse,
    PredictRequest,
    PredictResponse,
)
from model.errors import InputError

logger = logging.getLogger(__name__)
router = APIRouter()

ERROR_RESPONSES = {
    413: {"model": ErrorBody, "description": "The body is over the size limit"},
    415: {"model": ErrorBody, "description": "Not JSON or multipart/form-data"},
    422: {"model": ErrorBody, "description": "A body or drawing that cannot be read"},
}
UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "A PNG, JPEG or WebP image of one digit",
        }
    },
}
EXPLAIN = Query(
    False,
    description="Add `saliency` to the answer: which pixels pushed the network "
    "towards the digit it read. Works for JSON and multipart bodies alike",
    openapi_examples={
        "off": {"summary": "Digit only", "value": False},
        "on": {"summary": "With the saliency map", "value": True},
    },
)
NUMBER_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": NumberRequest.model_json_schema(),
            "examples": NUMBER_EXAMPLES,
        }
    },
}
PREDICT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": PredictRequest.model_json_schema(),
            "examples": PREDICT_EXAMPLES,
        },
        "multipart/form-data": {"schema": UPLOAD_SCHEMA},
    },
}


def batch_body(max_items: int) -> dict:
    items = {"type": "array", "maxItems": max_items}
    items["items"] = PredictRequest.model_json_schema()
    schema = {"type": "object", "required": ["items"], "properties": {"items": items}}
    content = {"schema": schema, "examples": BATCH_EXAMPLES}
    return {"required": True, "content": {"application/json": content}}


@router.post(
    "/predict",
    response_model=PredictResponse,
    responses=ERROR_RESPONSES,
    openapi_extra={"requestBody": PREDICT_BODY},
)
async def predict(request: Request, explain: bool = EXPLAIN) -> Response:
    """Read one drawing: strokes, an image or 28x28 pixels."""
    started = time.perf_counter()
    content_type = request.headers.get("content-type")
    kind = body_kind(content_type)
    body = await request.body()
    predictor = request.app.state.predictor
    answer = await in_thread(
        request, _predict_body, predictor, kind, content_type, body, started, explain
    )
    return Response(answer, media_type="application/json")


@router.post(
    "/predict/number",
    response_model=NumberResponse,
    responses=ERROR_RESPONSES,
    openapi_extra={"requestBody": NUMBER_BODY},
)
async def predict_number(request: Request) -> Response:
    """Read digits drawn side by side, as strokes (images are not split)."""
    started = time.perf_counter()
    require_json(request.headers.get("content-type"), "Send the strokes as JSON")
    body = await request.body()
    answer = await in_thread(
        request, _number_body, request.app.state.predictor, body, started
    )
    return Response(answer, media_type="application/json")


@router.post(
    "/predict/batch",
    response_model=BatchResponse,
    responses=ERROR_RESPONSES,
    openapi_extra={"requestBody": batch_body(MAX_BATCH)},
)
async def predict_batch(request: Request) -> Response:
    """Read up to 32 drawings; each gets its own answer or its own error."""
    require_json(request.headers.get("content-type"), "Send the batch as JSON")
    body = await request.body()
    max_items = request.app.state.settings.max_batch
    answer = await in_thread(
        request, _predict_items, request.app.state.predictor, body, max_items
    )
    return Response(answer, media_type="application/json")


async def in_thread(request: Request, func, *args):
    """Run CPU work off the event loop, a few jobs at a time per worker.

    More threads than cores only queue on the CPU, and each thread that
    allocates gets a malloc arena of its own, which grows the process.
    """
    limiter = request.app.state.cpu_limiter
    return await anyio.to_thread.run_sync(
        functools.partial(func, *args), limiter=limiter
    )


def _predict_body(
    predictor: Predictor, kind, content_type, body, started, explain
) -> bytes:
    if kind == "multipart":
        drawing = read_upload(body, content_type)
    else:
        drawing = parse_drawing(body)
    return to_json(predictor.predict(drawing, started, explain))


def _number_body(predictor: Predictor, body: bytes, started: float) -> bytes:
    return to_json(predictor.read_number(parse_number(body), started))


def _predict_items(predictor: Predictor, body: bytes, max_items: int) -> bytes:
    results = []
    refused = []
    for item in parse_batch(body, max_items):
        started = time.perf_counter()
        try:
            results.append(predictor.predict(parse_item(item), started))
        except (InputError, ApiError) as error:
            results.append({"error": error_body(error.code, error.detail)})
            refused.append(error.code)
    if refused:
        logger.warning(
            "batch: %d of %d items refused (%s)",
            len(refused),
            len(results),
            ", ".join(sorted(set(refused))),
        )
    return to_json({"results": results})

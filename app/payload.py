"""Turn request bodies into drawings: the JSON forms, multipart uploads, base64.

Everything here runs on bytes already read, in memory: no temporary files.
"""

import base64
import binascii
import json
import re

from pydantic import ValidationError
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.errors import ApiError, validation_error
from app.schemas import BatchEnvelope, NumberRequest, PredictRequest
from model.errors import InputError

DATA_URL = re.compile(r"data:[^,]*?;base64,", re.IGNORECASE)
URL_SAFE = str.maketrans("-_", "+/")
UPLOAD_FIELD = "file"


def body_kind(content_type: str | None) -> str:
    """``"json"`` or ``"multipart"`` for a Content-Type; 415 for anything else.

    A missing Content-Type is read as JSON, for hand-written clients.
    """
    kind = _media_kind(content_type)
    if kind is None:
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send application/json, or multipart/form-data with a 'file' field",
        )
    return kind


def require_json(content_type: str | None, detail: str) -> None:
    """415 ``unsupported_media_type`` with ``detail`` unless the body is JSON."""
    if _media_kind(content_type) != "json":
        raise ApiError(415, "unsupported_media_type", detail)


def _media_kind(content_type: str | None) -> str | None:
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media == "multipart/form-data":
        return "multipart"
    return None


def parse_drawing(body: bytes) -> PredictRequest:
    """A /predict JSON body; 422 ``invalid_json`` or ``invalid_request``."""
    try:
        return PredictRequest.model_validate_json(body)
    except ValidationError as error:
        raise validation_error(error.errors(include_input=False)) from None


def parse_number(body: bytes) -> NumberRequest:
    """A /predict/number JSON body; 422 ``invalid_json`` or ``invalid_request``."""
    try:
        return NumberRequest.model_validate_json(body)
    except ValidationError as error:
        raise validation_error(error.errors(include_input=False)) from None


def parse_batch(body: bytes, max_items: int) -> list:
    """The raw items of a /predict/batch JSON body, at most ``max_items``."""
    try:
        items = BatchEnvelope.model_validate_json(body).items
    except ValidationError as error:
        raise validation_error(error.errors(include_input=False)) from None
    if len(items) > max_items:
        raise ApiError(
            422,
            "batch_too_large",
            f"A batch holds at most {max_items} items, got {len(items)}",
        )
    return items


def parse_item(item) -> PredictRequest:
    """One batch item, checked exactly like a /predict body."""
    # Validated as JSON again, not as Python objects, so that its errors read
    # the same as /predict's ("a valid array", not "a valid list").
    return parse_drawing(json.dumps(item))


def decode_base64(text: str) -> bytes:
    """Image bytes from a data URL or bare base64, standard or URL-safe.

    Line breaks, spaces and missing padding are tolerated.
    """
    prefix = DATA_URL.match(text)
    if prefix:
        text = text[prefix.end() :]
    elif text[:5].lower() == "data:":
        raise InputError("invalid_image", "Data URLs must be base64-encoded")
    compact = "".join(text.split()).rstrip("=").translate(URL_SAFE)
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InputError("invalid_image", "The image is not valid base64") from None


def read_upload(body: bytes, content_type: str) -> bytes:
    """The bytes of the ``file`` field of a multipart/form-data body."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise _bad_multipart("The multipart body has no boundary")
    parts = _Parts()
    try:
        parser = MultipartParser(boundary, parts.callbacks())
        parser.write(body)
        parser.finalize()
    except FormParserError:
        raise _bad_multipart("The multipart body is malformed") from None
    if not parts.complete:
        raise _bad_multipart("The multipart body is incomplete")
    files = [data for name, data in parts.items if name == UPLOAD_FIELD.encode()]
    if len(files) != 1:
        raise _bad_multipart(f"Send the image in one form field named {UPLOAD_FIELD!r}")
    return bytes(files[0])


def _bad_multipart(detail: str) -> ApiError:
    return ApiError(422, "invalid_multipart", detail)


class _Parts:
    """Callbacks for python-multipart that keep each part's name and data."""

    def __init__(self):
        self.items = []
        self.complete = False
        self.field = self.value = b""

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_part_data": self.on_part_data,
            "on_end": self.on_end,
        }

    def on_part_begin(self):
        self.items.append([None, bytearray()])

    def on_header_field(self, data, start, end):
        self.field += data[start:end]

    def on_header_value(self, data, start, end):
        self.value += data[start:end]

    def on_header_end(self):
        if self.field.lower() == b"content-disposition":
            _, options = parse_options_header(self.value)
            self.items[-1][0] = options.get(b"name")
        self.field = self.value = b""

    def on_part_data(self, data, start, end):
        self.items[-1][1] += data[start:end]

    def on_end(self):
        self.complete = True

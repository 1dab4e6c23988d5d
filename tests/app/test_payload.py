"""Request bodies to drawings: content types, base64, in-memory multipart."""

import base64

import pytest

from app.errors import ApiError
from app.payload import body_kind, decode_base64, read_upload
from model.errors import InputError

DATA = bytes(range(256)) * 3 + b"xy"
TEXT = base64.b64encode(DATA).decode()


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        (None, "json"),
        ("application/json", "json"),
        ("Application/JSON; charset=utf-8", "json"),
        ("application/merge-patch+json", "json"),
        ("multipart/form-data; boundary=x", "multipart"),
    ],
)
def test_body_kind_reads_content_type(content_type, kind):
    assert body_kind(content_type) == kind


@pytest.mark.parametrize("content_type", ["text/plain", "", "image/png"])
def test_body_kind_refuses_other_types(content_type):
    with pytest.raises(ApiError) as caught:
        body_kind(content_type or "text/html")
    assert (caught.value.status_code, caught.value.code) == (
        415,
        "unsupported_media_type",
    )


@pytest.mark.parametrize(
    "text",
    [
        TEXT,
        "data:image/png;base64," + TEXT,
        "data:;base64," + TEXT,
        TEXT.rstrip("="),
        "\n".join(TEXT[i : i + 64] for i in range(0, len(TEXT), 64)),
        TEXT.replace("+", "-").replace("/", "_"),
    ],
    ids=["bare", "data_url", "data_url_no_type", "unpadded", "wrapped", "url_safe"],
)
def test_decode_base64_tolerates_variants(text):
    assert decode_base64(text) == DATA


@pytest.mark.parametrize("text", ["a", "ab$c", "data:text/plain,hi", "é" * 4])
def test_decode_base64_refuses_invalid(text):
    with pytest.raises(InputError) as caught:
        decode_base64(text)
    assert caught.value.code == "invalid_image"


def multipart(*parts, boundary="b0undary"):
    lines = []
    for name, data in parts:
        lines.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="x.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    body = b"".join(lines) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_read_upload_returns_file_bytes():
    body, content_type = multipart(("note", b"hello"), ("file", DATA))
    assert read_upload(body, content_type) == DATA


def test_read_upload_keeps_boundary_like_bytes_in_data():
    data = b"--b0undar\r\n--b0undary-not-quite" + DATA
    body, content_type = multipart(("file", data))
    assert read_upload(body, content_type) == data

"""/predict refusing images, uploads and empty drawings, with exact JSON bodies."""

import base64

import pytest
from PIL import Image

from tests.app import drawings


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def blank(mode, colour, fmt="PNG") -> bytes:
    return drawings.encode(Image.new(mode, (280, 280), colour), fmt)


def error(code, detail):
    return {"detail": detail, "code": code}


EMPTY = "The drawing is empty"
FORMATS = "Only PNG, JPEG and WebP images are accepted"
UNDECODABLE = "The image could not be decoded"


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("", error("invalid_image", "The image is empty or not bytes")),
        (
            "data:image/png;base64,",
            error("invalid_image", "The image is empty or not bytes"),
        ),
        (
            "data:image/png,abc",
            error("invalid_image", "Data URLs must be base64-encoded"),
        ),
        ("@@@@", error("invalid_image", "The image is not valid base64")),
        ("a", error("invalid_image", "The image is not valid base64")),
        ("ünïcode", error("invalid_image", "The image is not valid base64")),
        (b64(b"hello"), error("unsupported_format", FORMATS)),
        (b64(drawings.png()[:300]), error("invalid_image", UNDECODABLE)),
        (b64(drawings.declared_png(280, 280)), error("invalid_image", UNDECODABLE)),
        (
            b64(drawings.encode(drawings.canvas(), "JPEG")[:500]),
            error("invalid_image", UNDECODABLE),
        ),
        (
            b64(drawings.encode(drawings.canvas(), "GIF")),
            error("unsupported_format", FORMATS),
        ),
        (
            b64(drawings.encode(drawings.canvas(), "BMP")),
            error("unsupported_format", FORMATS),
        ),
        (
            b64(drawings.encode(drawings.canvas(), "TIFF")),
            error("unsupported_format", FORMATS),
        ),
        (
            b64(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            error("unsupported_format", FORMATS),
        ),
        (
            b64(drawings.declared_png(100_000, 100_000)),
            error(
                "image_too_large",
                "The image is too large; PNG and WebP images are limited to "
                "4194304 pixels, JPEG to 16777216, and 8192 a side",
            ),
        ),
        (
            b64(drawings.declared_png(5000, 5000)),
            error(
                "image_too_large",
                "The image is 5000x5000; PNG images are limited to 4194304 "
                "pixels and 8192 a side",
            ),
        ),
        (
            b64(drawings.encode(Image.effect_noise((280, 280), 80).convert("L"))),
            error(
                "not_a_drawing", "The background is not plain: this looks like a photo"
            ),
        ),
    ],
    ids=[
        "empty",
        "empty_data_url",
        "not_base64_data_url",
        "symbols",
        "one_char",
        "unicode",
        "text",
        "truncated_png",
        "png_without_data",
        "truncated_jpeg",
        "gif",
        "bmp",
        "tiff",
        "svg",
        "bomb",
        "over_limit",
        "noise",
    ],
)
def test_predict_rejects_bad_images(client, image, expected):
    response = client.post("/predict", json={"image": image})
    assert response.status_code == 422, response.text
    assert response.json() == expected


def test_predict_rejects_gif_upload(client):
    gif = drawings.encode(drawings.canvas(), "GIF")
    response = client.post("/predict", files={"file": ("seven.gif", gif)})
    assert response.status_code == 422, response.text
    assert response.json() == error("unsupported_format", FORMATS)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"strokes": []}, EMPTY),
        ({"strokes": [[], []]}, EMPTY),
        ({"pixels": [[0] * 28] * 28}, EMPTY),
        ({"image": b64(blank("RGB", "white"))}, "The image is blank"),
        ({"image": b64(blank("L", 0))}, "The image is blank"),
        ({"image": b64(blank("RGB", "white", "JPEG"))}, "The image is blank"),
        ({"image": b64(blank("L", 128, "WEBP"))}, "The image is blank"),
        ({"image": b64(blank("RGBA", (0, 0, 0, 0)))}, "The image is fully transparent"),
    ],
    ids=[
        "no_strokes",
        "empty_strokes",
        "zero_pixels",
        "white_png",
        "black_png",
        "white_jpeg",
        "grey_webp",
        "transparent_png",
    ],
)
def test_predict_rejects_empty_drawing(client, body, detail):
    response = client.post("/predict", json=body)
    assert response.status_code == 422, response.text
    assert response.json() == error("empty_drawing", detail)


def test_predict_rejects_empty_upload(client):
    transparent = blank("RGBA", (0, 0, 0, 0))
    response = client.post("/predict", files={"file": ("blank.png", transparent)})
    assert response.status_code == 422, response.text
    assert response.json() == error("empty_drawing", "The image is fully transparent")


@pytest.mark.parametrize(
    ("files", "detail"),
    [
        (
            {"image": ("seven.png", drawings.png())},
            "Send the image in one form field named 'file'",
        ),
        (
            [("file", ("a.png", drawings.png())), ("file", ("b.png", drawings.png()))],
            "Send the image in one form field named 'file'",
        ),
    ],
    ids=["wrong_field", "two_files"],
)
def test_predict_rejects_bad_upload_fields(client, files, detail):
    response = client.post("/predict", files=files)
    assert response.status_code == 422, response.text
    assert response.json() == error("invalid_multipart", detail)


@pytest.mark.parametrize(
    ("content_type", "body", "detail"),
    [
        ("multipart/form-data", b"--x\r\n\r\n", "The multipart body has no boundary"),
        (
            "multipart/form-data; boundary=x",
            b"garbage",
            "The multipart body is malformed",
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
            "The multipart body is incomplete",
        ),
    ],
    ids=["no_boundary", "garbage", "truncated"],
)
def test_predict_rejects_broken_multipart(client, content_type, body, detail):
    response = client.post(
        "/predict", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 422, response.text
    assert response.json() == error("invalid_multipart", detail)

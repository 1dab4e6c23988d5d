"""Synthetic drawings and images for the API tests, built in memory."""

import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 280
# A "7" as a browser canvas would send it, in CSS pixels.
SEVEN = [[[80, 60], [200, 60], [130, 230]]]
FOUR = [[[170, 50], [70, 170], [210, 170]], [[170, 50], [170, 240]]]


def canvas(strokes=SEVEN, mode="RGB", ink=(0, 0, 0), paper=(255, 255, 255), pen=16):
    """The strokes drawn ``pen`` px wide, round-capped, on a 280x280 canvas."""
    image = Image.new(mode, (CANVAS, CANVAS), paper)
    draw = ImageDraw.Draw(image)
    radius = pen / 2
    for stroke in strokes:
        points = [tuple(point) for point in stroke]
        if len(points) > 1:
            draw.line(points, fill=ink, width=pen, joint="curve")
        for x, y in points[:: max(1, len(points) - 1)]:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
    return image


def encode(image, fmt="PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png(strokes=SEVEN, pen=16) -> bytes:
    """Black ink on a white canvas."""
    return encode(canvas(strokes, pen=pen))


def transparent_png(strokes=SEVEN) -> bytes:
    """Black ink on a transparent canvas, like a cleared HTML canvas."""
    return encode(canvas(strokes, "RGBA", (0, 0, 0, 255), (0, 0, 0, 0)))


def pixels(strokes=SEVEN) -> list:
    """The strokes as 28x28 pixels in [0, 1], white on black."""
    small = canvas(strokes, "L", 255, 0).resize((28, 28), Image.Resampling.BOX)
    return (np.asarray(small, dtype=np.float64) / 255).round(3).tolist()


def declared_png(width: int, height: int) -> bytes:
    """A PNG header declaring width x height, with no pixel data at all."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

"""Decode PNG, JPEG or WebP bytes into an ink map for ``normalize_ink``.

This module reads the file into luminance: it checks the format and the size
before anything is decoded, honours EXIF orientation, reduces large images to
about WORK_SIDE, crops away plain paper, and puts a transparent canvas over a
backdrop on which both dark and light ink show. ``model.ink`` then finds the
ink in that luminance. Deliberately left out: GIF, BMP and other formats,
colour cues (a red digit on green is read by luminance only).
"""

import io
import math

import numpy as np
from PIL import Image, ImageChops, ImageOps

from model.crop import Crop, nonzero_box
from model.errors import InputError
from model.ink import extract_ink, median

FORMATS = ("PNG", "JPEG", "WEBP")
# Pillow names a JPEG holding several pictures (some cameras write them) MPO.
JPEG_NAMES = ("JPEG", "MPO")
WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")
# Signatures of the accepted formats, to tell a corrupt file from another format.
MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
MAX_BYTES = 16 * 2**20
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_SIDE = 8192
# PNG and WebP are decoded pixel by pixel before they can be reduced: about
# 0.2 s for 4096x4096 RGBA, 0.05 s at this limit. JPEG is decoded at up to
# 1/8 scale (draft), so it keeps MAX_IMAGE_PIXELS.
MAX_FULL_DECODE_PIXELS = 2048 * 2048
# Larger images are reduced to about this side before the ink is measured:
# the result ends up 20 px tall anyway.
WORK_SIDE = 560


def decode_ink(data: bytes) -> np.ndarray:
    """Image bytes -> ink map, 2-D float32 in [0, 1], ink high on 0.

    Raises InputError ``unsupported_format``, ``invalid_image``,
    ``image_too_large``, ``empty_drawing`` or ``not_a_drawing``.
    """
    return decode_ink_crop(data).full()


def decode_ink_crop(data: bytes) -> Crop:
    """``decode_ink`` as a Crop: usually the ink's bbox in a frame of zeros."""
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) == 0:
        raise InputError("invalid_image", "The image is empty or not bytes")
    if len(data) > MAX_BYTES:
        raise InputError("image_too_large", f"Images are limited to {MAX_BYTES} bytes")
    try:
        luminance, alpha = _read(bytes(data))
    except InputError:
        raise
    except Image.DecompressionBombError as error:
        raise InputError(
            "image_too_large",
            f"The image is too large; PNG and WebP images are limited to "
            f"{MAX_FULL_DECODE_PIXELS} pixels, JPEG to {MAX_IMAGE_PIXELS}, "
            f"and {MAX_SIDE} a side",
        ) from error
    # Pillow raises many types (OSError, SyntaxError, ValueError, struct.error)
    # on corrupt files; all of them mean the same thing to the caller.
    except Exception as error:
        raise InputError("invalid_image", "The image could not be decoded") from error
    if alpha is not None:
        luminance = _flatten(luminance, alpha)
    return extract_ink(luminance)


def _read(data: bytes):
    # Pillow's own bomb check only warns between 89 and 179 megapixels; the
    # header check below rejects those anyway, before anything is decoded
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.UnidentifiedImageError as error:
        if data.startswith(MAGIC) or data[8:12] == b"WEBP":
            raise InputError("invalid_image", "The image is corrupt") from error
        raise InputError(
            "unsupported_format", "Only PNG, JPEG and WebP images are accepted"
        ) from error
    width, height = image.size
    jpeg = image.format in JPEG_NAMES
    limit = MAX_IMAGE_PIXELS if jpeg else MAX_FULL_DECODE_PIXELS
    if width * height > limit or max(width, height) > MAX_SIDE:
        raise InputError(
            "image_too_large",
            f"The image is {width}x{height}; {'JPEG' if jpeg else image.format} "
            f"images are limited to {limit} pixels and {MAX_SIDE} a side",
        )
    if width == 0 or height == 0:
        raise InputError("invalid_image", "The image has no pixels")
    factor = math.ceil(max(width, height) / WORK_SIDE)
    if jpeg and factor > 1:
        image.draft("RGB", (width // factor, height // factor))
    # Decode now, so that a corrupt file fails here and not inside getexif.
    image.load()
    if _orientation(image) != 1:
        image = ImageOps.exif_transpose(image)
    return _to_crops(image)


def _orientation(image: Image.Image) -> int:
    # A broken EXIF block should not cost the picture: read it as upright.
    try:
        return image.getexif().get(0x0112, 1)
    except Exception:
        return 1


def _to_float(image: Image.Image):
    """Image -> (luminance, alpha or None), float32 in [0, 1], reduced if large."""
    if image.mode in WIDE_MODES:
        array = np.asarray(image, dtype=np.float32)
        top = 65535.0 if image.mode != "F" else 1.0
        image = Image.fromarray(array / max(top, float(array.max())), mode="F")
        return _reduced_array(image), None
    if not image.has_transparency_data:
        image = image if image.mode == "L" else image.convert("L")
        return _reduced_array(image), None
    if image.mode not in ("RGBA", "LA"):
        image = image.convert("RGBA")
    luminance, alpha = _bands(image, _work_factor(image))
    if np.asarray(alpha).min() > 127:
        # Opaque throughout (alpha > 0.5): _flatten would keep the luminance.
        return _reduced_array(luminance), None
    return _reduced_array(luminance), _reduced_array(alpha)


def _to_crops(image: Image.Image):
    """``_to_float`` as Crops of the bbox where the image is not plain paper."""
    if image.mode in WIDE_MODES:
        return Crop.whole(_to_float(image)[0]), None
    if not image.has_transparency_data:
        band = image if image.mode == "L" else image.convert("L")
        return _band_crop(_reduced(band)), None
    if image.mode not in ("RGBA", "LA"):
        image = image.convert("RGBA")
    box = _paper_box(image)
    if box is None:
        luminance, alpha = _to_float(image)
        return Crop.whole(luminance), alpha if alpha is None else Crop.whole(alpha)
    # Whole blocks of the reduction, so that they reduce as in the full image.
    factor = _work_factor(image)
    width, height = image.size
    left, top = box[0] - box[0] % factor, box[1] - box[1] % factor
    right = min(box[2] + -box[2] % factor, width)
    bottom = min(box[3] + -box[3] % factor, height)
    luminance, alpha = _bands(image.crop((left, top, right, bottom)), factor)
    # The pixels around the box, run through the same conversion, give the
    # value outside: all equal the corner, or are transparent, where only
    # alpha = 0 counts.
    paper = _bands(
        Image.new(image.mode, (factor, factor), image.getpixel((0, 0))), factor
    )
    outside = [_scaled(np.asarray(band)).ravel() for band in paper]
    place = (top // factor, left // factor, (-(-height // factor), -(-width // factor)))
    luminance = Crop(_scaled(np.asarray(luminance)), *place, outside[0])
    alpha8 = np.asarray(alpha)
    if min(alpha8.min(), paper[1].getpixel((0, 0))) > 127:
        return luminance, None
    return luminance, Crop(_scaled(alpha8), *place, outside[1])


def _paper_box(image: Image.Image):
    """(left, top, right, bottom) outside which the canvas is plain, or None.

    Plain is transparent, whatever the colour, or the opaque corner pixel.
    """
    corner = image.getpixel((0, 0))
    if corner[-1] == 0:
        box = image.getbbox(alpha_only=True)
    elif corner[-1] == 255:
        paper = Image.new(image.mode, image.size, corner)
        box = ImageChops.difference(image, paper).getbbox(alpha_only=False)
    else:
        return None
    return None if box == (0, 0, *image.size) else box


def _bands(image: Image.Image, factor: int):
    """Luminance and alpha images of RGBA or LA, reduced by ``factor``."""
    if factor > 1:
        # Pillow reduces LA premultiplied by alpha, as compositing needs.
        return image.convert("LA").reduce(factor).split()
    # The same bands as convert("LA"), which costs four times as much.
    return image.convert("L"), image.getchannel("A")


def _band_crop(band: Image.Image) -> Crop:
    """One 8-bit band as a Crop of what differs from its corner pixel."""
    pixels = np.asarray(band)
    box = nonzero_box(pixels != pixels[0, 0])
    if box is None:
        return Crop.whole(_scaled(pixels))
    top, bottom, left, right = box
    array = _scaled(pixels[top:bottom, left:right])
    return Crop(array, top, left, pixels.shape, _scaled(pixels[0, :1]))


def _work_factor(image: Image.Image) -> int:
    return math.ceil(max(image.size) / WORK_SIDE)


def _reduced(image: Image.Image) -> Image.Image:
    if _work_factor(image) > 1:
        return image.reduce(_work_factor(image))
    return image


def _reduced_array(image: Image.Image) -> np.ndarray:
    """One band as float32, in [0, 1] unless mode "F", reduced to WORK_SIDE."""
    image = _reduced(image)
    if image.mode == "F":
        return np.asarray(image)
    return _scaled(np.asarray(image))


def _scaled(pixels: np.ndarray) -> np.ndarray:
    return np.asarray(pixels, dtype=np.float32) / np.float32(255)


def _flatten(luminance: Crop, alpha: Crop) -> Crop:
    """Composite over a backdrop chosen so that dark and light ink both show."""
    if alpha.outside is not None and alpha.outside[0] > 0.5:
        # Opaque paper would join the backdrop's statistics: use the frame.
        luminance, alpha = Crop.whole(luminance.full()), Crop.whole(alpha.full())
    opaque = alpha.array > 0.5
    count = np.count_nonzero(opaque)
    if count == 0:
        raise InputError("empty_drawing", "The image is fully transparent")
    if count == alpha.size:
        return luminance
    if count < 0.5 * alpha.size:
        # A transparent canvas: the opaque pixels are the ink, so put them on
        # the opposite colour.
        backdrop = 1.0 if luminance.array[opaque].mean() < 0.5 else 0.0
    else:
        backdrop = median(luminance.array[opaque])
    flat = _composite(alpha.array, luminance.array, backdrop)
    outside = None
    if alpha.outside is not None:
        outside = _composite(alpha.outside, luminance.outside, backdrop)
    return Crop(flat, luminance.top, luminance.left, luminance.shape, outside)


def _composite(alpha: np.ndarray, luminance: np.ndarray, backdrop: float):
    # alpha * luminance + (1 - alpha) * backdrop, with one temporary.
    flat = alpha * luminance
    rest = 1 - alpha
    rest *= np.float32(backdrop)
    flat += rest
    return flat

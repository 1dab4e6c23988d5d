"""Decode PNG, JPEG or WebP bytes into an ink map for ``normalize_ink``.

Works for dark ink on light paper and light ink on dark, opaque or on a
transparent canvas, and for photos of paper with uneven light: the background
is estimated locally and subtracted. Pictures where "ink" covers most of the
frame are rejected as ``not_a_drawing``. Deliberately left out: GIF, BMP and
other formats, colour cues (a red digit on green is read by luminance only).
"""

import io
import math

import numpy as np
from PIL import Image, ImageChops, ImageOps

from model.components import reduce_mask
from model.crop import Crop, border, nonzero_box
from model.errors import InputError

FORMATS = ("PNG", "JPEG", "WEBP")
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
# Side of the coarse copy used for polarity and the background estimate.
COARSE_SIDE = 128
# A background estimate varying less than this is taken as one flat level.
FLAT_BACKGROUND = 0.02
# Light ink on a plain dark canvas takes the fast path only this far above the
# paper, so that some coarse pixel is surely lighter than the paper too.
PLAIN_MARGIN = 1e-3
# Below this contrast between ink and background the image counts as blank.
MIN_CONTRAST = 0.08
# Beyond these, the picture is not a drawing: the share of the frame above
# half the peak ink, and the spread of the border once the background is gone
# (a plain canvas or sheet of paper has almost none).
MAX_COVERAGE = 0.5
MAX_BORDER_SPREAD = 0.1


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
        raise InputError("image_too_large", "The image is too large") from error
    # Pillow raises many types (OSError, SyntaxError, ValueError, struct.error)
    # on corrupt files; all of them mean the same thing to the caller.
    except Exception as error:
        raise InputError("invalid_image", "The image could not be decoded") from error
    if alpha is not None:
        luminance = _flatten(luminance, alpha)
    return _extract_ink(luminance)


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
    if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_SIDE:
        raise InputError(
            "image_too_large",
            f"The image is {width}x{height}; the limits are {MAX_IMAGE_PIXELS} "
            f"pixels and {MAX_SIDE} a side",
        )
    if width == 0 or height == 0:
        raise InputError("invalid_image", "The image has no pixels")
    if image.format != "JPEG" and width * height > MAX_FULL_DECODE_PIXELS:
        raise InputError(
            "image_too_large",
            f"The image is {width}x{height}; {image.format} images are limited "
            f"to {MAX_FULL_DECODE_PIXELS} pixels (JPEG to {MAX_IMAGE_PIXELS})",
        )
    factor = math.ceil(max(width, height) / WORK_SIDE)
    if image.format == "JPEG" and factor > 1:
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
        backdrop = _median(luminance.array[opaque])
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


def _extract_ink(luminance: Crop) -> Crop:
    found = _plain_background(luminance)
    if found is None:
        luminance = Crop.whole(luminance.full())
        found = _background(luminance.array)
    dark_ink, background = found
    # For dark ink, (1 - luminance) - background in one pass.
    if dark_ink:
        ink = luminance.map(lambda pixels: (1 - background) - pixels)
    else:
        ink = luminance.map(lambda pixels: pixels - background)

    border = ink.border()
    border_level = _median(border)
    spread = 1.4826 * _median(np.abs(border - border_level))
    if spread > MAX_BORDER_SPREAD:
        raise InputError(
            "not_a_drawing", "The background is not plain: this looks like a photo"
        )
    peak = float(ink.max())
    if peak < MIN_CONTRAST:
        raise InputError("empty_drawing", "The image is blank")
    floor = max(border_level + 3 * spread, 0.05 * peak)
    if peak - floor < MIN_CONTRAST:
        raise InputError("empty_drawing", "The image is blank")

    def stretch(pixels):
        pixels -= floor
        pixels *= 1 / (peak - floor)
        return np.clip(pixels, 0, 1, out=pixels)

    ink = ink.map(stretch)
    if ink.count(lambda pixels: pixels > 0.5) > MAX_COVERAGE * ink.size:
        raise InputError(
            "not_a_drawing",
            "Ink covers most of the picture: this is not a drawn digit",
        )
    return ink


def _background(luminance: np.ndarray):
    """(dark_ink, background): the polarity and the paper level, per pixel or flat.

    Background is in ink units: what ``1 - luminance`` (dark ink) or
    ``luminance`` (light ink) is where there is no ink.
    """
    height, width = luminance.shape
    factor = _coarse_factor(luminance.shape)
    coarse = np.asarray(Image.fromarray(luminance, mode="F").reduce(factor))
    level = _median(border(coarse))
    dark_ink = level - coarse.min() >= coarse.max() - level
    if dark_ink:
        coarse = 1 - coarse

    # Ink is what rises above the local background, so a lighting gradient
    # across a photo of paper is removed along with a grey canvas.
    grid = _block_min(coarse, _block_side(coarse.shape))
    grid = _neighbourhood_min(grid)
    if grid.max() - grid.min() < FLAT_BACKGROUND:
        return dark_ink, np.float32(grid.mean())
    background = Image.fromarray(grid.astype(np.float32), mode="F")
    background = background.resize((width, height), Image.Resampling.BILINEAR)
    return dark_ink, np.asarray(background)


def _plain_background(luminance):
    """What ``_background`` finds for a canvas of one exact paper level, or None.

    ``luminance`` is an array or a Crop. Paper is the corner's level, which
    must be the lightest (dark ink) or the darkest (light ink) in the image,
    and most of the border. Where every neighbourhood of the coarse grid holds
    a coarse pixel made only of paper, the grid is that level throughout:
    checked on boolean masks, this costs a fraction of the estimate.
    """
    if isinstance(luminance, np.ndarray):
        luminance = Crop.whole(luminance)
    paper = luminance.corner()
    lightest = luminance.max()
    if paper == lightest:
        dark_ink = True
    elif paper == luminance.min() and lightest - paper > PLAIN_MARGIN:
        dark_ink = False
    else:
        return None
    # A coarse pixel (a mean over factor x factor) is paper if all its pixels
    # are. The median of the coarse border is paper if enough of it is.
    factor = _coarse_factor(luminance.shape)
    ink = luminance.reduce_mask(lambda pixels: pixels != paper, factor)
    edge = border(ink)
    needed = edge.size - edge.size // 2 if dark_ink else edge.size // 2 + 1
    if edge.size - np.count_nonzero(edge) < needed:
        return None
    no_paper = ~reduce_mask(~ink, _block_side(ink.shape))
    if _neighbourhood_min(no_paper).any():
        return None
    level = 1 - paper if dark_ink else paper
    grid = np.full(no_paper.shape, level, dtype=np.float32)
    return dark_ink, np.float32(grid.mean())


def _coarse_factor(shape) -> int:
    return max(1, max(shape) // COARSE_SIDE)


def _block_side(shape) -> int:
    return max(1, max(shape) // 8)


def _block_min(array: np.ndarray, size: int) -> np.ndarray:
    """Minimum of each ``size`` x ``size`` block, padding edges by repetition."""
    if size == 1:
        return array
    height, width = array.shape
    pad = (-height % size, -width % size)
    array = np.pad(array, ((0, pad[0]), (0, pad[1])), mode="edge")
    blocks = array.reshape(array.shape[0] // size, size, array.shape[1] // size, size)
    return blocks.min(axis=(1, 3))


def _neighbourhood_min(grid: np.ndarray) -> np.ndarray:
    """3x3 minimum filter, edges repeated, as a column pass then a row pass."""
    out = grid.copy()
    np.minimum(out[1:], grid[:-1], out=out[1:])
    np.minimum(out[:-1], grid[1:], out=out[:-1])
    rows = out.copy()
    np.minimum(out[:, 1:], rows[:, :-1], out=out[:, 1:])
    np.minimum(out[:, :-1], rows[:, 1:], out=out[:, :-1])
    return out


def _median(array: np.ndarray) -> float:
    # np.partition alone: np.median's extra checks cost more than the work on
    # a border of a few thousand pixels.
    middle = array.size // 2
    return float(np.partition(array, middle)[middle])

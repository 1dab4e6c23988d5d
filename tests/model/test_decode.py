import io
import math
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

import model.ink
from model.decode import (
    MAX_BYTES,
    MAX_FULL_DECODE_PIXELS,
    MAX_SIDE,
    WORK_SIDE,
    _to_float,
    decode_ink,
)
from model.errors import InputError
from model.ink import _background, _plain_background
from model.preprocess import prepare_image, prepare_pixels, prepare_strokes
from model.render import PEN_WIDTH
from model.strokes import fit_to_canvas

SEVEN = fit_to_canvas([[[0, 0], [60, 0], [20, 100]], [[10, 50], [50, 50]]])
ONE = fit_to_canvas([[[0, 0], [3, 100]]])


def draw(strokes, size=280, pen=None, ink=0, paper=255, supersample=4):
    """A browser-like anti-aliased canvas ("L") with the strokes on it."""
    points = np.concatenate(strokes)
    if pen is None:
        pen = PEN_WIDTH * (points.max(axis=0) - points.min(axis=0)).max()
    big = Image.new("L", (size * supersample, size * supersample), paper)
    canvas = ImageDraw.Draw(big)
    radius = pen * supersample / 2
    for stroke in strokes:
        xy = [(x * supersample, y * supersample) for x, y in stroke]
        canvas.line(xy, fill=ink, width=round(2 * radius))
        for x, y in xy:
            canvas.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
    return big.resize((size, size), Image.Resampling.BOX)


def encode(image, fmt="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_with_size(width, height):
    """A tiny valid PNG whose header declares ``width`` x ``height``."""
    data = bytearray(encode(Image.new("L", (1, 1))))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def as_mode(mode):
    """The dark-on-white SEVEN in ``mode``, as stored (not yet encoded)."""
    gray = draw(SEVEN)
    if mode in ("I;16", "I"):
        return Image.fromarray(np.asarray(gray).astype(np.uint16) * 257).convert(mode)
    if mode == "P-transparent":
        image = gray.convert("RGB").quantize(16)
        image.info["transparency"] = image.getpixel((0, 0))
        return image
    if mode == "1":
        return gray.point(lambda v: 255 if v > 128 else 0).convert("1")
    return gray.convert(mode)


@pytest.fixture(scope="module")
def reference():
    return prepare_image(encode(draw(SEVEN))).image


def test_prepare_image_output_shape_dtype_range(reference):
    assert reference.shape == (28, 28)
    assert reference.dtype == np.float32
    assert reference.min() >= 0
    np.testing.assert_allclose(reference.max(), 1, atol=1e-6)


@pytest.mark.parametrize("strokes", [SEVEN, ONE], ids=["seven", "one"])
def test_prepare_image_matches_prepare_strokes(strokes):
    # A stroke drawing and its 280x280 PNG give nearly the same image.
    from_strokes = prepare_strokes(strokes, 280, 280).image
    from_png = prepare_image(encode(draw(strokes))).image
    np.testing.assert_allclose(from_png, from_strokes, atol=0.5)
    np.testing.assert_allclose(np.abs(from_png - from_strokes).mean(), 0, atol=0.03)


def test_prepare_image_light_on_dark_matches_dark_on_light(reference):
    light = draw(SEVEN, ink=255, paper=0)
    np.testing.assert_allclose(prepare_image(encode(light)).image, reference, atol=1e-3)


@pytest.mark.parametrize(("ink", "paper"), [(0, 128), (90, 200), (230, 40)])
def test_prepare_image_ignores_background_level(reference, ink, paper):
    image = prepare_image(encode(draw(SEVEN, ink=ink, paper=paper))).image
    np.testing.assert_allclose(image, reference, atol=0.1)


@pytest.mark.parametrize(("ink", "hidden"), [(0, 0), (0, 255), (255, 0), (255, 255)])
def test_prepare_image_ink_on_transparent_matches_opaque(reference, ink, hidden):
    # Ink in alpha only, on a canvas whose transparent pixels are black or white.
    alpha = draw(SEVEN, ink=255, paper=0)
    image = Image.new("RGBA", alpha.size, (hidden, hidden, hidden, 0))
    image.paste((ink, ink, ink, 255), mask=alpha)
    image.putalpha(alpha)
    np.testing.assert_allclose(prepare_image(encode(image)).image, reference, atol=0.02)


MODES = ["1", "L", "LA", "P", "P-transparent", "RGB", "RGBA", "I;16"]


@pytest.mark.parametrize("mode", MODES)
def test_prepare_image_reads_png_mode(reference, mode):
    data = encode(as_mode(mode))
    opened = Image.open(io.BytesIO(data))
    assert opened.mode == mode.removesuffix("-transparent")
    if mode == "P-transparent":
        assert opened.info.get("transparency") is not None
    atol = 0.35 if mode == "1" else 0.02
    np.testing.assert_allclose(prepare_image(data).image, reference, atol=atol)


@pytest.mark.parametrize("mode", ["I", "F"])
def test_to_float_reads_32_bit_modes(mode):
    # PNG cannot store these, but other Pillow versions open 16-bit PNGs as "I".
    image = as_mode("I").convert(mode)
    luminance, alpha = _to_float(image)
    assert alpha is None
    expected = np.asarray(draw(SEVEN), dtype=np.float32) / 255
    np.testing.assert_allclose(luminance, expected, atol=1e-6)


@pytest.mark.parametrize("mode", ["L", "RGB", "CMYK"])
def test_prepare_image_reads_jpeg_mode(reference, mode):
    data = encode(as_mode(mode), "JPEG", quality=90)
    assert Image.open(io.BytesIO(data)).mode == mode
    image = prepare_image(data).image
    np.testing.assert_allclose(image, reference, atol=0.25)
    np.testing.assert_allclose(np.abs(image - reference).mean(), 0, atol=0.02)


@pytest.mark.parametrize("lossless", [True, False])
def test_prepare_image_reads_webp(reference, lossless):
    data = encode(draw(SEVEN).convert("RGB"), "WEBP", lossless=lossless, quality=90)
    image = prepare_image(data).image
    np.testing.assert_allclose(image, reference, atol=0.25)
    np.testing.assert_allclose(np.abs(image - reference).mean(), 0, atol=0.02)


@pytest.mark.parametrize(
    ("orientation", "stored"),
    [
        (3, Image.Transpose.ROTATE_180),
        (6, Image.Transpose.ROTATE_90),
        (8, Image.Transpose.ROTATE_270),
    ],
)
def test_prepare_image_applies_exif_orientation(reference, orientation, stored):
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(draw(SEVEN).transpose(stored), exif=exif)
    np.testing.assert_allclose(prepare_image(data).image, reference, atol=1e-6)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF")
def test_prepare_image_reads_jpeg_with_corrupt_exif(reference):
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff\x01\x12"
    image = prepare_image(encode(draw(SEVEN), "JPEG", exif=exif, quality=90)).image
    np.testing.assert_allclose(np.abs(image - reference).mean(), 0, atol=0.02)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_prepare_image_reads_first_frame_of_animation(reference, fmt):
    frames = [draw(SEVEN).convert("RGB"), draw(ONE).convert("RGB")]
    options = {"lossless": True} if fmt == "WEBP" else {}
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], **options)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    np.testing.assert_allclose(prepare_image(data).image, reference, atol=0.02)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_prepare_image_reduces_large_image(reference, fmt):
    image = draw(SEVEN, supersample=1).resize((2000, 2000), Image.Resampling.BILINEAR)
    large = prepare_image(encode(image, fmt)).image
    np.testing.assert_allclose(large, reference, atol=0.35)
    np.testing.assert_allclose(np.abs(large - reference).mean(), 0, atol=0.02)


def test_prepare_image_handles_photo_of_paper(reference):
    # Dark ink on paper lit unevenly (brightness 0.45 to 0.95), with sensor
    # noise, saved as JPEG: the gradient is removed as background.
    rng = np.random.default_rng(0)
    light = np.linspace(0.45, 0.95, 280)[None, :] * np.ones((280, 1))
    paper = np.asarray(draw(SEVEN), dtype=np.float64) / 255 * 0.85 + 0.1
    photo = paper * light + rng.normal(0, 0.015, (280, 280))
    pixels = np.clip(photo * 255, 0, 255).astype(np.uint8)
    image = prepare_image(encode(Image.fromarray(pixels), "JPEG", quality=92)).image
    np.testing.assert_allclose(np.abs(image - reference).mean(), 0, atol=0.03)


@pytest.mark.parametrize("seed", [0, 1])
def test_prepare_image_rejects_textured_photo(seed):
    rng = np.random.default_rng(seed)
    texture = Image.fromarray(rng.uniform(0, 255, (12, 12)).astype(np.uint8))
    texture = np.asarray(texture.resize((280, 280), Image.Resampling.BICUBIC))
    noisy = np.clip(texture + rng.normal(0, 8, texture.shape), 0, 255)
    with pytest.raises(InputError) as error:
        prepare_image(encode(Image.fromarray(noisy.astype(np.uint8)), "JPEG"))
    assert error.value.code == "not_a_drawing"


def test_prepare_image_rejects_filled_picture():
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).rectangle((20, 20, 260, 260), fill=0)
    with pytest.raises(InputError) as error:
        prepare_image(encode(image))
    assert error.value.code == "not_a_drawing"


BLANK = {
    "white": encode(Image.new("L", (280, 280), 255)),
    "black": encode(Image.new("RGB", (280, 280))),
    "grey-jpeg": encode(Image.new("RGB", (280, 280), (128, 128, 128)), "JPEG"),
    "transparent": encode(Image.new("RGBA", (280, 280), (0, 0, 0, 0))),
    "faint": encode(draw(SEVEN, ink=250, paper=255)),
}


@pytest.mark.parametrize("name", BLANK)
def test_prepare_image_rejects_blank(name):
    with pytest.raises(InputError) as error:
        prepare_image(BLANK[name])
    assert error.value.code == "empty_drawing"


PNG = encode(draw(SEVEN))
BAD = {
    "empty": (b"", "invalid_image"),
    "not-bytes": ("a string", "invalid_image"),
    "truncated": (PNG[: len(PNG) // 2], "invalid_image"),
    "corrupt-header": (PNG[:8] + bytes(range(256)) * 4, "invalid_image"),
    "corrupt-data": (PNG[:60] + bytes(len(PNG) - 60), "invalid_image"),
    "jpeg-truncated": (encode(draw(SEVEN), "JPEG")[:300], "invalid_image"),
    "gif": (encode(draw(SEVEN), "GIF"), "unsupported_format"),
    "bmp": (encode(draw(SEVEN), "BMP"), "unsupported_format"),
    "tiff": (encode(draw(SEVEN), "TIFF"), "unsupported_format"),
    "text": (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "unsupported_format"),
    "too-many-pixels": (png_with_size(5000, 5000), "image_too_large"),
    "too-wide": (png_with_size(MAX_SIDE + 1, 10), "image_too_large"),
    "bomb": (png_with_size(60000, 60000), "image_too_large"),
    "too-many-bytes": (PNG + bytes(MAX_BYTES), "image_too_large"),
    "zero-size": (png_with_size(0, 10), "invalid_image"),
}


@pytest.mark.parametrize("name", BAD)
def test_prepare_image_rejects_bad_input(name):
    data, code = BAD[name]
    with pytest.raises(InputError) as error:
        prepare_image(data)
    assert error.value.code == code


@pytest.mark.parametrize("pen", [6, 14, 30])
def test_prepare_image_frames_any_pen_alike(pen):
    # Unlike strokes, an image keeps its own stroke width; the framing holds.
    image = prepare_image(encode(draw(SEVEN, pen=pen))).image
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 == 20
    index = np.arange(28)
    center = image.sum(axis=1) @ index, image.sum(axis=0) @ index
    np.testing.assert_allclose(np.array(center) / image.sum(), (14, 14), atol=0.5)


def test_prepare_image_ignores_specks(reference):
    image = draw(SEVEN)
    for x, y in [(5, 5), (270, 8), (10, 260), (265, 268)]:
        ImageDraw.Draw(image).rectangle((x, y, x + 2, y + 2), fill=0)
    prepared = prepare_image(encode(image))
    np.testing.assert_allclose(prepared.image, reference, atol=1e-6)
    assert prepared.warnings == ()


def test_prepare_image_warns_several_marks():
    image = Image.new("L", (280, 280), 255)
    for x in (80, 180):
        ImageDraw.Draw(image).line((x, 40, x, 240), fill=0, width=16)
    assert prepare_image(encode(image)).warnings == ("several_marks",)


def test_prepare_image_warns_tiny_drawing():
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).ellipse((100, 100, 110, 110), fill=0)
    assert prepare_image(encode(image)).warnings == ("tiny_drawing",)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_prepare_image_raises_only_input_error_on_mutated_bytes(fmt):
    # Seeded random byte edits: every outcome is an image or an InputError.
    original = encode(draw(SEVEN).convert("RGB"), fmt)
    rng = np.random.default_rng(0)
    for _ in range(40):
        data = bytearray(original)
        for position in rng.integers(0, len(data), size=3):
            data[position] = rng.integers(256)
        del data[rng.integers(len(data)) :][: rng.integers(0, 2) * 100]
        try:
            image = prepare_image(bytes(data)).image
        except InputError:
            continue
        assert image.shape == (28, 28) and np.isfinite(image).all()


def test_decode_ink_is_float_ink_on_zero():
    ink = decode_ink(PNG)
    assert ink.shape == (280, 280)
    assert ink.dtype == np.float32
    assert ink.min() == 0 and ink.max() == 1
    assert ink[0, 0] == 0


def test_prepare_pixels_uses_pixels_as_is(reference):
    prepared = prepare_pixels(reference.tolist())
    assert prepared.image.dtype == np.float32
    np.testing.assert_array_equal(prepared.image, reference)
    assert prepared.warnings == ()


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((28, 27)),
        np.zeros((784,)),
        [[0.5] * 28] * 27 + [[0.5] * 27],
        np.full((28, 28), "0.5"),
        np.full((28, 28), np.nan),
        np.full((28, 28), 1.5),
        np.full((28, 28), -0.1),
        None,
    ],
)
def test_prepare_pixels_rejects_invalid(pixels):
    with pytest.raises(InputError) as error:
        prepare_pixels(pixels)
    assert error.value.code == "invalid_pixels"


def test_prepare_pixels_rejects_all_black():
    with pytest.raises(InputError) as error:
        prepare_pixels([[0] * 28] * 28)
    assert error.value.code == "empty_drawing"


def random_canvas(rng, dense=False):
    """Luminance of strokes on a plain canvas of random size, paper and polarity."""
    size = tuple(int(s) for s in rng.integers(24, 561, size=2))
    paper = int(rng.choice([255, 255, 0, rng.integers(1, 255)]))
    canvas = Image.new("L", size, paper)
    pen = ImageDraw.Draw(canvas)
    for _ in range(rng.integers(1, 4)):
        ink = (
            int(rng.integers(0, paper))
            if paper > 127
            else int(rng.integers(paper + 1, 256))
        )
        xy = [tuple(int(v) for v in rng.integers(0, size)) for _ in range(3)]
        if dense:
            box = sorted((xy[0][0], xy[1][0])), sorted((xy[0][1], xy[1][1]))
            pen.rectangle((box[0][0], box[1][0], box[0][1], box[1][1]), fill=ink)
        else:
            pen.line(xy, fill=ink, width=int(rng.integers(1, 12)))
    return np.asarray(canvas, dtype=np.float32) / np.float32(255)


@pytest.mark.parametrize("dense", [False, True], ids=["strokes", "filled"])
def test_plain_background_matches_general_estimate(dense):
    # The canvas fast path either declines or finds exactly what the coarse
    # background estimate finds: the same polarity and the same float32 level.
    rng = np.random.default_rng(1 if dense else 0)
    taken = 0
    for _ in range(60):
        luminance = random_canvas(rng, dense)
        found = _plain_background(luminance)
        if found is None:
            continue
        taken += 1
        dark_ink, background = _background(luminance)
        assert found[0] == dark_ink
        assert np.ndim(background) == 0
        assert found[1].tobytes() == np.float32(background).tobytes()
    assert taken >= (55 if not dense else 5)


def test_plain_background_declines_photo_and_busy_border():
    rng = np.random.default_rng(0)
    photo = rng.uniform(0.4, 0.6, (200, 300)).astype(np.float32)
    assert _plain_background(photo) is None
    framed = np.ones((200, 200), dtype=np.float32)
    framed[:, :3] = 0
    assert _plain_background(framed) is None


def as_transparent(gray: Image.Image, dark: bool) -> Image.Image:
    """Ink of a grey drawing as alpha on a transparent canvas, as a browser paints."""
    ink = 255 - np.asarray(gray)
    colour = 20 if dark else 235
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    rgba[..., :3] = np.where(ink[..., None] > 0, colour, 0)
    rgba[..., 3] = ink
    return Image.fromarray(rgba, "RGBA")


CANVASES = {
    "white": encode(draw(SEVEN).convert("RGB")),
    "white-rgba": encode(draw(SEVEN).convert("RGBA")),
    "grey": encode(draw(SEVEN, ink=30, paper=200)),
    "black": encode(draw(SEVEN, ink=255, paper=0)),
    "transparent": encode(as_transparent(draw(SEVEN), dark=True)),
    "transparent-light": encode(as_transparent(draw(SEVEN), dark=False)),
    "large": encode(draw(SEVEN, size=1000, supersample=1)),
    "several": encode(draw([*SEVEN, *[[(250, 20), (250, 260)]]])),
}


@pytest.mark.parametrize("name", CANVASES)
def test_prepare_image_fast_path_matches_general_path(name, monkeypatch):
    fast = prepare_image(CANVASES[name])
    monkeypatch.setattr(model.ink, "_plain_background", lambda luminance: None)
    general = prepare_image(CANVASES[name])
    np.testing.assert_allclose(fast.image, general.image, rtol=0, atol=1e-6)
    assert fast.warnings == general.warnings


@pytest.mark.parametrize(
    "name", ["white", "white-rgba", "grey", "black", "transparent", "large"]
)
def test_prepare_image_takes_fast_path_on_canvases(name, monkeypatch):
    calls = []

    def spy(luminance):
        calls.append(_plain_background(luminance))
        return calls[-1]

    monkeypatch.setattr(model.ink, "_plain_background", spy)
    prepare_image(CANVASES[name])
    assert calls and calls[0] is not None


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P-transparent", "RGB-transparent"])
@pytest.mark.parametrize("shape", [(37, 53), (600, 1130)])
def test_to_float_alpha_matches_convert_la(mode, shape):
    # Luminance and alpha read band by band equal Pillow's convert("LA"),
    # reduced as LA (premultiplied) when the image is over WORK_SIDE.
    rng = np.random.default_rng(0)
    rgba = Image.fromarray(rng.integers(0, 256, (*shape, 4), dtype=np.uint8))
    image = {
        "RGBA": rgba,
        "LA": rgba.convert("LA"),
        "P-transparent": as_mode("P-transparent"),
        "RGB-transparent": rgba.convert("RGB"),
    }[mode]
    if mode == "RGB-transparent":
        image.info["transparency"] = image.getpixel((0, 0))
    expected = image.convert("RGBA").convert("LA")
    if max(expected.size) > WORK_SIDE:
        expected = expected.reduce(math.ceil(max(expected.size) / WORK_SIDE))
    expected = np.asarray(expected, dtype=np.float32)
    luminance, alpha = _to_float(image)
    np.testing.assert_array_equal(luminance, expected[..., 0] / np.float32(255))
    if alpha is None:
        # Left out only when opaque throughout, where it would change nothing.
        assert (expected[..., 1] / np.float32(255) > 0.5).all()
    else:
        np.testing.assert_array_equal(alpha, expected[..., 1] / np.float32(255))


@pytest.mark.parametrize("size", [(4096, 4096), (2049, 2048), (8000, 600)])
def test_prepare_image_limits_pixels_decoded_in_full(size):
    # A PNG is inflated whole before it can be reduced, so its limit is lower.
    with pytest.raises(InputError) as error:
        prepare_image(png_with_size(*size))
    assert error.value.code == "image_too_large"
    assert f"limited to {MAX_FULL_DECODE_PIXELS} pixels" in error.value.detail


def test_prepare_image_reads_multi_picture_jpeg_as_jpeg(reference):
    # Pillow names it MPO; it gets JPEG's limit and reduced decoding.
    image = draw(SEVEN, supersample=1).resize((2400, 2400), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "MPO", save_all=True, append_images=[image])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    large = prepare_image(buffer.getvalue()).image
    np.testing.assert_allclose(np.abs(large - reference).mean(), 0, atol=0.02)


def test_prepare_image_reads_jpeg_over_the_png_limit(reference):
    image = draw(SEVEN, supersample=1).resize((2400, 2400), Image.Resampling.BILINEAR)
    large = prepare_image(encode(image, "JPEG")).image
    np.testing.assert_allclose(np.abs(large - reference).mean(), 0, atol=0.02)

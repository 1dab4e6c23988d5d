import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

import model.decode
from model.crop import Crop
from model.decode import _to_float, decode_ink, decode_ink_crop
from model.errors import InputError
from model.preprocess import prepare_image

SIZES = [(280, 280), (560, 560), (1000, 700), (1001, 703), (37, 53), (600, 1130)]


def coverage(size, rng, extent=0.5, specks=0, edge=False):
    """Ink coverage in [0, 1]: anti-aliased strokes, then single-pixel specks."""
    width, height = size
    big = Image.new("L", (2 * width, 2 * height), 0)
    pen = ImageDraw.Draw(big)
    side = 2 * min(size)
    center = rng.uniform(0, 2 * width), rng.uniform(0, 2 * height)
    if edge:
        center = (0.0, center[1])
    for _ in range(rng.integers(1, 4)):
        xy = [
            tuple(float(c + rng.uniform(-0.5, 0.5) * extent * side) for c in center)
            for _ in range(3)
        ]
        pen.line(xy, fill=255, width=max(2, int(side * rng.uniform(0.01, 0.08))))
    ink = np.asarray(big.resize(size, Image.Resampling.BOX), dtype=np.float64)
    for _ in range(specks):
        ink[rng.integers(0, height), rng.integers(0, width)] = rng.integers(60, 256)
    return ink / 255


def on_paper(ink, paper, level, gradient=0.0):
    """Opaque "L" image: ink of grey ``level`` on ``paper``, lit unevenly."""
    height, width = ink.shape
    light = np.linspace(0, gradient, width)[None, :] + np.zeros((height, 1))
    pixels = (paper - light) * (1 - ink) + level * ink
    return Image.fromarray(np.clip(np.round(pixels), 0, 255).astype(np.uint8))


def on_transparent(ink, colour, hidden=0):
    """RGBA: the ink as alpha over a transparent canvas, as a browser exports."""
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    alpha = np.round(ink * 255).astype(np.uint8)
    rgba[..., :3] = np.where(alpha[..., None] > 0, colour, hidden)
    rgba[..., 3] = alpha
    return Image.fromarray(rgba, "RGBA")


def encode(image, fmt="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def corpus():
    rng = np.random.default_rng(0)
    cases = {}
    for size in SIZES:
        name = "x".join(map(str, size))
        ink = coverage(size, rng)
        cases[f"transparent-dark-{name}"] = encode(on_transparent(ink, 20))
        cases[f"transparent-light-{name}"] = encode(on_transparent(ink, 235))
        cases[f"white-rgba-{name}"] = encode(on_paper(ink, 255, 20).convert("RGBA"))
        cases[f"black-{name}"] = encode(on_paper(ink, 0, 250))
    ink = coverage((280, 280), rng, specks=6)
    cases["specks-white"] = encode(on_paper(ink, 255, 0).convert("RGB"))
    cases["specks-transparent"] = encode(on_transparent(ink, 0))
    cases["grey"] = encode(on_paper(ink, 180, 40))
    cases["hidden-colour"] = encode(on_transparent(ink, 0, hidden=255))
    cases["gradient"] = encode(on_paper(ink, 250, 30, gradient=90))
    cases["jpeg"] = encode(on_paper(ink, 255, 0), "JPEG", quality=60)
    cases["large-jpeg"] = encode(on_paper(coverage((1000, 700), rng), 255, 0), "JPEG")
    cases["tiny"] = encode(on_transparent(coverage((280, 280), rng, 0.01), 0))
    cases["la"] = encode(on_transparent(ink, 30).convert("LA"))
    cases["p"] = encode(on_transparent(ink, 30).convert("P"))
    cases["p-opaque"] = encode(on_paper(ink, 255, 0).convert("RGB").convert("P"))
    wide = np.asarray(on_paper(ink, 250, 10)).astype(np.uint16) * 257
    cases["i16"] = encode(Image.fromarray(wide))
    for surface in ("white", "transparent"):
        edge = coverage((560, 560), rng, specks=2, edge=True)
        image = on_transparent(edge, 0) if surface == "transparent" else None
        cases[f"edge-{surface}"] = encode(image or on_paper(edge, 255, 0))
    semi = np.asarray(on_transparent(ink, 0)).copy()
    semi[..., 3] = np.maximum(semi[..., 3], 100)
    cases["semi-transparent"] = encode(Image.fromarray(semi, "RGBA"))
    block = np.zeros((280, 280))
    block[20:260, 30:250] = 1
    cases["filled"] = encode(on_paper(block, 255, 0))
    noise = rng.integers(90, 160, (200, 300), dtype=np.uint8)
    cases["noise"] = encode(Image.fromarray(noise))
    cases["blank"] = encode(Image.new("RGBA", (280, 280), (255, 255, 255, 255)))
    cases["transparent-blank"] = encode(Image.new("RGBA", (280, 280)))
    return cases


CASES = corpus()


def whole_frame(image):
    luminance, alpha = _to_float(image)
    return Crop.whole(luminance), alpha if alpha is None else Crop.whole(alpha)


def outcome(data):
    try:
        return prepare_image(data), decode_ink(data)
    except InputError as error:
        return error.code, error.detail


@pytest.mark.parametrize("name", CASES)
def test_prepare_image_crop_matches_whole_frame(name, monkeypatch):
    # Working on the bbox of what is not paper changes nothing: the reference
    # reads every image as one whole frame, the way decoding used to.
    fast = outcome(CASES[name])
    monkeypatch.setattr(model.decode, "_to_crops", whole_frame)
    reference = outcome(CASES[name])
    if isinstance(reference[0], str):
        assert fast == reference
        return
    assert fast[0].warnings == reference[0].warnings
    np.testing.assert_allclose(fast[0].image, reference[0].image, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(fast[1], reference[1])


@pytest.mark.parametrize(
    "name",
    [
        f"{kind}-{size}"
        for kind in ("transparent-dark", "transparent-light", "white-rgba", "black")
        for size in ("280x280", "560x560", "1000x700")
    ],
)
def test_decode_ink_crop_keeps_only_the_drawing(name):
    crop = decode_ink_crop(CASES[name])
    assert crop.outside is not None and crop.outside[0] == 0
    assert crop.array.size < 0.8 * crop.size

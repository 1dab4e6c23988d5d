"""The page's why-view and number mode in headless Chromium.

As in test_page.py, the page is compared with the API for the strokes it
sent; only the trained weights must also read the digits drawn.
"""

import json
import urllib.request

import pytest

from tests.browser.harness import (
    DESKTOP,
    PHONE,
    ROOT,
    digit_strokes,
    draw_mouse,
    draw_touch,
    pad_origin,
    wait_settled,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "screenshots"


def watch_requests(page):
    """(URL, JSON body) of every POST the page makes."""
    sent = []
    page.on(
        "request",
        lambda r: r.method == "POST" and sent.append((r.url, r.post_data_json)),
    )
    return sent


def post_json(url, body):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def pad_size(page):
    """(width, height) of the canvas content box in CSS px."""
    return page.get_by_test_id("canvas").evaluate(
        "c => [c.clientWidth, c.clientHeight]"
    )


def overlay_alpha(page):
    """Summed opacity of the saliency overlay's 28x28 pixels."""
    return page.get_by_test_id("saliency").evaluate(
        """canvas => canvas.getContext('2d').getImageData(0, 0, 28, 28).data
             .filter((_, i) => i % 4 === 3).reduce((a, b) => a + b, 0)"""
    )


def four_then_one(height):
    """A two-stroke 4 and, to its right, a 1, sized to a pad ``height`` tall."""
    four = digit_strokes("4", height)
    one = [[(x + 0.6 * height, y) for x, y in s] for s in digit_strokes("1", height)]
    return four + one


def switch_to_number_mode(page):
    # by keyboard: the arrow key moves the radio selection and fires change
    page.get_by_test_id("mode-digit").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_label("A number", exact=True).is_checked()
    # the pad widens; its bitmap follows on the next frame
    page.wait_for_function(
        "(p => p.width >= 2 * p.height)(document.getElementById('pad'))"
    )


def test_why_toggle_overlays_saliency(pages, server_url):
    page = pages.open(DESKTOP)
    sent = watch_requests(page)
    toggle = page.get_by_label("Show why", exact=True)
    assert not toggle.is_checked()
    draw_mouse(page, digit_strokes("7", pad_size(page)[0]))
    wait_settled(page)
    assert sent and all(url.endswith("/predict") for url, _ in sent)
    assert not page.get_by_test_id("saliency").is_visible()

    toggle.check()
    digit = wait_settled(page)
    url, body = sent[-1]
    assert url.endswith("/predict?explain=true")
    assert page.get_by_test_id("saliency").is_visible()
    assert page.locator("#why-legend").is_visible()
    assert overlay_alpha(page) > 0
    answer = post_json(url, body)
    assert str(answer["digit"]) == digit
    page.screenshot(path=SCREENSHOTS / "desktop-why.png")

    count = len(sent)
    toggle.uncheck()
    assert not page.get_by_test_id("saliency").is_visible()
    assert len(sent) == count


def test_number_mode_reads_two_digits_with_boxes(pages, server_url, real_weights):
    page = pages.open(DESKTOP)
    sent = watch_requests(page)
    switch_to_number_mode(page)
    strokes = four_then_one(pad_size(page)[1])
    draw_mouse(page, strokes)
    wait_settled(page)
    url, body = sent[-1]
    assert url.endswith("/predict/number")
    answer = post_json(url, body)
    number = page.get_by_test_id("number").text_content()
    assert number == answer["number"]
    if real_weights:
        assert number == "41"
    assert page.get_by_test_id("number-digits").locator("li").count() == 2

    # each box lies around its digit's points, the 4 on the left
    x0, y0 = pad_origin(page)
    boxes = page.get_by_test_id("digit-box")
    assert boxes.count() == 2
    for k, group in enumerate([strokes[:2], strokes[2:]]):
        rect = boxes.nth(k).bounding_box()
        for x, y in (p for s in group for p in s):
            assert rect["x"] <= x0 + x <= rect["x"] + rect["width"]
            assert rect["y"] <= y0 + y <= rect["y"] + rect["height"]
        # the digit's label sits outside its box (on its 2 px border), off the ink
        label = boxes.nth(k).locator("span").bounding_box()
        above = label["y"] + label["height"] <= rect["y"] + 2.5
        below = label["y"] >= rect["y"] + rect["height"] - 2.5
        assert above or below
    page.screenshot(path=SCREENSHOTS / "desktop-number.png")

    page.get_by_test_id("mode-number").focus()
    page.keyboard.press("ArrowLeft")
    assert page.get_by_test_id("prediction").text_content() == ""
    assert boxes.count() == 0
    assert page.locator("#prompt").is_visible()


def test_phone_why_view_and_number_mode(pages, server_url):
    page = pages.open(PHONE)
    cdp = page.context.new_cdp_session(page)
    page.get_by_label("Show why", exact=True).check()
    draw_touch(page, cdp, digit_strokes("7", pad_size(page)[0]))
    wait_settled(page)
    assert overlay_alpha(page) > 0
    page.screenshot(path=SCREENSHOTS / "phone-why.png", full_page=True)

    page.get_by_label("A number", exact=True).check()
    draw_touch(page, cdp, four_then_one(pad_size(page)[1]))
    wait_settled(page)
    assert page.get_by_test_id("digit-box").count() == 2
    assert page.evaluate("scrollY") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SCREENSHOTS / "phone-number.png", full_page=True)


def test_phone_held_sideways_keeps_pad_and_answer_in_view(pages, server_url):
    sideways = {**PHONE, "viewport": {"width": 844, "height": 390}}
    page = pages.open(sideways)
    cdp = page.context.new_cdp_session(page)

    def bottom(test_id):
        box = page.get_by_test_id(test_id).bounding_box()
        return box["y"] + box["height"]

    assert bottom("canvas") <= 390
    assert bottom("clear") <= 390
    draw_touch(page, cdp, digit_strokes("7", pad_size(page)[0]))
    wait_settled(page)
    assert bottom("prediction") <= 390

    page.get_by_label("A number", exact=True).check()
    draw_touch(page, cdp, four_then_one(pad_size(page)[1]))
    wait_settled(page)
    assert bottom("canvas") <= 390
    assert bottom("clear") <= 390
    assert bottom("number") <= 390
    assert page.get_by_test_id("number").text_content() != ""
    assert page.evaluate("scrollY") == 0
    page.screenshot(path=SCREENSHOTS / "phone-sideways-number.png")


@pytest.mark.parametrize(
    ("width", "height", "touch"),
    [(568, 320, True), (740, 360, True), (915, 412, True), (1280, 480, False)],
)
def test_short_screens_keep_the_pad_whole_and_no_sideways_scroll(
    pages, width, height, touch
):
    options = PHONE if touch else DESKTOP
    page = pages.open({**options, "viewport": {"width": width, "height": height}})
    for mode in ("digit", "number"):
        page.get_by_test_id(f"mode-{mode}").check()
        pad = page.get_by_test_id("canvas").bounding_box()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if touch:
            # A phone held sideways: the whole pad in view, not scrolled.
            assert pad["y"] + pad["height"] <= height
        else:
            # A short desktop window keeps the desktop layout and its pad.
            assert pad["width"] >= 300

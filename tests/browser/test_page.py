"""The drawing page in headless Chromium: mouse, touch and pen, live answers.

With the random weights of a fresh checkout the digit is arbitrary, so tests
compare the page with the API for the same strokes; only with the trained
weights do they also expect the digit that was drawn.
"""

import math

import pytest

from tests.browser.harness import (
    DESKTOP,
    DEV_STROKES,
    PHONE,
    ROOT,
    dev_digits,
    digit_strokes,
    draw_mouse,
    draw_pen,
    draw_touch,
    pad_side,
    post_predict,
    wait_settled,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "screenshots"


def watch_predictions(page):
    """The JSON bodies of all POST /predict requests the page makes."""
    bodies = []

    def record(request):
        if request.url.endswith("/predict"):
            bodies.append(request.post_data_json)

    page.on("request", record)
    return bodies


def assert_sent_as_drawn(sent, drawn, tolerance=1.0):
    assert len(sent) == len(drawn)
    for sent_stroke, drawn_stroke in zip(sent, drawn, strict=True):
        assert len(sent_stroke) == len(drawn_stroke)
        for (x, y), (u, v) in zip(sent_stroke, drawn_stroke, strict=True):
            assert abs(x - u) <= tolerance and abs(y - v) <= tolerance


def ink_alpha(page, points):
    """Opacity of the pad's bitmap under each point (CSS px of the pad)."""
    return page.get_by_test_id("canvas").evaluate(
        """(canvas, points) => {
          const context = canvas.getContext('2d');
          const scale = canvas.width / canvas.clientWidth;
          return points.map(([x, y]) => context.getImageData(
            Math.floor(x * scale), Math.floor(y * scale), 1, 1).data[3]);
        }""",
        points,
    )


def preview_ink(page):
    """Sum of the 28x28 preview's grey levels, 0 when it is black."""
    return page.get_by_test_id("preview").evaluate(
        """canvas => canvas.getContext('2d').getImageData(0, 0, 28, 28).data
             .filter((_, i) => i % 4 === 0).reduce((a, b) => a + b, 0)"""
    )


def bars(page):
    """[(digit, shown percent, is top)] for the ten bars."""
    return page.get_by_test_id("bars").evaluate(
        """list => [...list.children].map((item) => [
          Number(item.dataset.digit),
          item.querySelector('.bar-number').textContent,
          item.classList.contains('top')])"""
    )


def assert_shows_answer(page, server_url, body, digit):
    """The page shows what the API answers for the strokes the page sent."""
    status, answer = post_predict(server_url, body)
    assert status == 200, answer
    assert digit == str(answer["digit"])
    shown = bars(page)
    assert [d for d, _, top in shown if top] == [answer["digit"]]
    assert [text for _, text, _ in shown] == [
        "<1" if 0 < p < 0.005 else str(math.floor(100 * p + 0.5))
        for p in answer["probabilities"]
    ]
    assert preview_ink(page) > 0


def assert_empty(page):
    assert page.get_by_test_id("prediction").text_content() == ""
    assert page.locator("#prompt").is_visible()
    assert [top for _, _, top in bars(page)] == [False] * 10
    assert preview_ink(page) == 0
    side = pad_side(page)
    assert (
        max(ink_alpha(page, [(x, y) for x in (10, side / 2) for y in (10, side / 2)]))
        == 0
    )


def test_page_starts_empty_and_labelled(pages):
    page = pages.open()
    bodies = watch_predictions(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title()
    for name in ("Undo", "Clear"):
        assert page.get_by_role("button", name=name).is_visible()
    live = page.locator("[aria-live]", has=page.get_by_test_id("prediction"))
    assert live.get_attribute("aria-live") == "polite"
    assert page.get_by_test_id("canvas").get_attribute("aria-label")
    assert (
        page.get_by_role("link", name="API documentation").get_attribute("href")
        == "/docs"
    )
    assert "%" in page.locator(".about").text_content()
    assert_empty(page)
    page.screenshot(path=SCREENSHOTS / "desktop-empty.png")
    assert bodies == []


def test_mouse_drawing_shows_digit_bars_and_preview(pages, server_url, real_weights):
    page = pages.open(DESKTOP)
    bodies = watch_predictions(page)
    strokes = digit_strokes("7", pad_side(page))
    draw_mouse(page, strokes)
    digit = wait_settled(page)
    assert page.evaluate("seenPointerTypes") == ["mouse"]
    assert_sent_as_drawn(bodies[-1]["strokes"], strokes)
    assert min(ink_alpha(page, strokes[0])) > 200
    assert_shows_answer(page, server_url, bodies[-1], digit)
    if real_weights:
        assert digit == "7"
    page.screenshot(path=SCREENSHOTS / "desktop-7.png")


def test_touch_drawing_on_a_phone(pages, server_url, real_weights):
    page = pages.open(PHONE)
    bodies = watch_predictions(page)
    cdp = page.context.new_cdp_session(page)
    strokes = digit_strokes("4", pad_side(page))
    draw_touch(page, cdp, strokes)
    digit = wait_settled(page)
    assert set(page.evaluate("seenPointerTypes")) == {"touch"}
    assert_sent_as_drawn(bodies[-1]["strokes"], strokes)
    assert min(ink_alpha(page, strokes[1])) > 200
    assert_shows_answer(page, server_url, bodies[-1], digit)
    if real_weights:
        assert digit == "4"
    # The drag drew; it neither scrolled nor widened the page.
    assert page.evaluate("scrollY") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SCREENSHOTS / "phone-4.png")
    page.screenshot(path=SCREENSHOTS / "phone-4-full.png", full_page=True)


def test_pen_drawing(pages, server_url, real_weights):
    page = pages.open(DESKTOP)
    bodies = watch_predictions(page)
    cdp = page.context.new_cdp_session(page)
    strokes = digit_strokes("1", pad_side(page))
    draw_pen(page, cdp, strokes)
    digit = wait_settled(page)
    assert page.evaluate("seenPointerTypes") == ["pen"]
    assert_sent_as_drawn(bodies[-1]["strokes"], strokes)
    assert_shows_answer(page, server_url, bodies[-1], digit)
    if real_weights:
        assert digit == "1"


def test_device_pixel_ratio_2_maps_the_whole_pad(pages, server_url):
    page = pages.open({**DESKTOP, "device_scale_factor": 2})
    bodies = watch_predictions(page)
    side = pad_side(page)
    assert page.get_by_test_id("canvas").evaluate("c => c.width") == round(2 * side)
    strokes = digit_strokes("0", side)
    draw_mouse(page, strokes)
    digit = wait_settled(page)
    assert_sent_as_drawn(bodies[-1]["strokes"], strokes)
    # Ink lies under every point, the bottom right included, and not elsewhere.
    assert min(ink_alpha(page, strokes[0])) > 200
    assert ink_alpha(page, [(side / 2, side / 2), (5, 5)]) == [0, 0]
    assert_shows_answer(page, server_url, bodies[-1], digit)


def test_ratio_change_refits_the_bitmap(pages):
    page = pages.open(DESKTOP)
    side = pad_side(page)
    draw_mouse(page, digit_strokes("1", side))
    wait_settled(page)
    metrics = {"width": 1280, "height": 800, "deviceScaleFactor": 2, "mobile": False}
    page.context.new_cdp_session(page).send(
        "Emulation.setDeviceMetricsOverride", metrics
    )
    strokes = digit_strokes("7", side)
    draw_mouse(page, strokes)
    wait_settled(page)
    assert page.get_by_test_id("canvas").evaluate("c => c.width") == round(2 * side)
    earlier = digit_strokes("1", side)[0]
    assert min(ink_alpha(page, strokes[0] + earlier)) > 200


def test_resized_pad_keeps_mapping_and_ink(pages):
    page = pages.open(DESKTOP)
    bodies = watch_predictions(page)
    canvas = page.get_by_test_id("canvas")
    canvas.evaluate("c => { c.style.width = '240px'; }")
    page.wait_for_function("document.getElementById('pad').width === 236")
    strokes = digit_strokes("7", pad_side(page))
    draw_mouse(page, strokes)
    wait_settled(page)
    assert_sent_as_drawn(bodies[-1]["strokes"], strokes)
    # Growing the pad scales the drawing with it.
    canvas.evaluate("c => { c.style.width = '480px'; }")
    page.wait_for_function("document.getElementById('pad').width === 476")
    scaled = [[(2 * x, 2 * y) for x, y in strokes[0]]]
    assert min(ink_alpha(page, scaled[0])) > 200


def test_undo_clear_and_escape(pages, server_url):
    page = pages.open(DESKTOP)
    bodies = watch_predictions(page)
    side = pad_side(page)
    draw_mouse(page, digit_strokes("4", side))
    wait_settled(page)
    count = len(bodies)

    # Undo from the keyboard: focus the button, press Enter.
    page.get_by_test_id("undo").focus()
    page.keyboard.press("Enter")
    digit = wait_settled(page)
    assert len(bodies) == count + 1 and len(bodies[-1]["strokes"]) == 1
    assert_shows_answer(page, server_url, bodies[-1], digit)
    page.keyboard.press("Control+z")
    assert_empty(page)
    assert len(bodies) == count + 1

    draw_mouse(page, digit_strokes("1", side))
    assert wait_settled(page) != ""
    page.keyboard.press("Escape")
    assert_empty(page)

    draw_mouse(page, digit_strokes("7", side))
    assert wait_settled(page) != ""
    page.get_by_test_id("clear").click()
    assert_empty(page)


def test_late_answers_are_dropped(pages):
    page = pages.open(DESKTOP)
    held = []

    def hold_first(route):
        if not held:
            held.append(route)
        else:
            route.continue_()

    page.route("**/predict", hold_first)
    side = pad_side(page)
    draw_mouse(page, digit_strokes("1", side))
    # The pointer-up answer shows while the first (live) request hangs.
    page.wait_for_function("document.getElementById('prediction').textContent")
    shown = page.get_by_test_id("prediction").text_content()
    stale = {"digit": (int(shown) + 1) % 10, "probabilities": [0.1] * 10}
    held[0].fulfill(json={**stale, "image": [[0] * 28] * 28, "confidence": 0.1})
    assert wait_settled(page) == shown

    # An answer that arrives after Clear is dropped too.
    held.clear()
    page.keyboard.press("Escape")
    draw_mouse(page, digit_strokes("1", side))
    page.keyboard.press("Escape")
    for route in held:
        route.continue_()
    wait_settled(page)
    assert_empty(page)


def show_unsure_answer(page, probabilities, alternatives, warnings=()):
    """Draw any digit; the server (faked) answers "not sure" with these figures."""
    digit = max(range(10), key=lambda d: probabilities[d])
    answer = {
        "digit": digit,
        "probabilities": probabilities,
        "confidence": probabilities[digit],
        "uncertain": True,
        "alternatives": alternatives,
        "warnings": list(warnings),
        "image": [[0.5] * 28] * 28,
    }
    page.route("**/predict", lambda route: route.fulfill(json=answer))
    draw_mouse(page, digit_strokes("4", pad_side(page)))
    return wait_settled(page)


def test_not_sure_state_keeps_the_top_digit(pages):
    page = pages.open(DESKTOP)
    probabilities = [0, 0, 0, 0, 0.48, 0, 0, 0, 0, 0.44]
    assert show_unsure_answer(page, probabilities, [4, 9]) == "4"
    assert page.locator("#note").text_content() == "Not sure: looks like a 4 or a 9"
    assert [d for d, _, top in bars(page) if top] == [4]
    page.screenshot(path=SCREENSHOTS / "desktop-not-sure.png")


def test_a_warning_shows_next_to_the_answer_on_a_phone(pages):
    page = pages.open(PHONE)
    probabilities = [0, 0.9, 0, 0, 0.1, 0, 0, 0, 0, 0]
    assert show_unsure_answer(page, probabilities, [1, 4], ["several_marks"]) == "1"
    status = page.get_by_test_id("status").bounding_box()
    # above the bars, and it starts on the first screen of a 390x844 phone
    assert status["y"] < page.get_by_test_id("bars").bounding_box()["y"]
    assert status["y"] < PHONE["viewport"]["height"]


def test_not_sure_with_one_candidate_offers_no_other_digit(pages):
    page = pages.open(DESKTOP)
    probabilities = [0, 0, 0, 0, 0.03, 0.04, 0.9, 0, 0.03, 0]
    assert show_unsure_answer(page, probabilities, [6]) == "6"
    assert page.locator("#note").text_content() == "Not sure: maybe a 6"


def test_an_answer_fades_when_the_server_is_gone(pages):
    page = pages.open(DESKTOP, expected_errors=["Failed to load resource"])
    draw_mouse(page, digit_strokes("1", pad_side(page)))
    wait_settled(page)

    def opacity(selector):
        return page.locator(selector).evaluate("e => getComputedStyle(e).opacity")

    assert opacity("#bars") == "1"
    page.route("**/predict", lambda route: route.abort())
    draw_mouse(page, digit_strokes("1", pad_side(page)))
    wait_settled(page)
    assert "Cannot reach the server" in page.get_by_test_id("status").text_content()
    assert opacity("#bars") == opacity("#note") == opacity(".preview") == "0.45"


def test_errors_show_on_the_page(pages):
    page = pages.open(DESKTOP, expected_errors=["Failed to load resource"])
    status = page.get_by_test_id("status")
    page.route("**/predict", lambda route: route.abort())
    draw_mouse(page, digit_strokes("1", pad_side(page)))
    wait_settled(page)
    assert "Cannot reach the server" in status.text_content()
    assert not page.locator("#prompt").is_visible()

    page.unroute("**/predict")
    error = {"detail": "Too many strokes: 101 > 100", "code": "invalid_strokes"}
    page.route("**/predict", lambda route: route.fulfill(status=422, json=error))
    page.keyboard.press("Escape")
    assert status.text_content() == ""
    draw_mouse(page, digit_strokes("1", pad_side(page)))
    wait_settled(page)
    expected = "Too many strokes: 101 > 100. Undo or Clear to go on."
    assert status.text_content() == expected
    page.screenshot(path=SCREENSHOTS / "desktop-error.png")


@pytest.mark.skipif(not DEV_STROKES.exists(), reason="shared dev strokes missing")
def test_dev_digits_read_as_through_the_api(pages, server_url):
    # 30 pen-drawn digits drawn with the mouse are read as the API reads the
    # same strokes: the page adds no error of its own.
    page = pages.open(DESKTOP)
    side = pad_side(page)
    digits = dev_digits(30, side)
    shown, direct = [], []
    for _, strokes in digits:
        draw_mouse(page, strokes)
        shown.append(int(wait_settled(page)))
        page.keyboard.press("Escape")
        body = {"strokes": strokes, "width": side, "height": side}
        direct.append(post_predict(server_url, body)[1]["digit"])
    labels = [label for label, _ in digits]
    page_correct = sum(s == y for s, y in zip(shown, labels, strict=True))
    api_correct = sum(d == y for d, y in zip(direct, labels, strict=True))
    assert abs(page_correct - api_correct) <= 1
    assert sum(s == d for s, d in zip(shown, direct, strict=True)) >= 29

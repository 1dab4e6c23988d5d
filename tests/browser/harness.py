"""Start the app on loopback and drive the drawing page in headless Chromium.

Shared by the browser tests and ``bench/page_latency.py``. Strokes are lists
of ``(x, y)`` points in CSS px of the canvas content box, as the page sends
them to POST /predict.
"""

import contextlib
import json
import math
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
REAL_WEIGHTS = ROOT / "model" / "weights" / "mlp.npz"
DEV_STROKES = ROOT.parent / "shared" / "strokes" / "unipen-dev.json.gz"
CHROMIUM = "/usr/bin/chromium"
# The dead proxy keeps the page off every host but loopback, which Chromium
# never sends through a proxy.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--proxy-server=http://127.0.0.1:9",
]
APP = "app.main:app"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "has_touch": True,
    "is_mobile": True,
}


def write_tiny_weights(path):
    """A random 784 -> 32 -> 10 network: its digits are arbitrary."""
    from model.network import init_params
    from model.weights import save_weights

    params = init_params((784, 32, 10), np.random.default_rng(0))
    meta = {"test_accuracy": 0.5, "trained_at": "2026-01-01T00:00:00+00:00"}
    save_weights(path, params, 1.0, meta)
    return path


@contextlib.contextmanager
def running_app(weights, timeout=30.0):
    """Run the app with uvicorn on a free 127.0.0.1 port; yield its base URL."""
    port = free_port()
    env = {**os.environ, "DIGITS_WEIGHTS": str(weights)}
    command = [sys.executable, "-m", "uvicorn", APP, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, base_url, timeout)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server, base_url, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{APP} exited with {server.returncode} at start")
        try:
            with urllib.request.urlopen(base_url + "/", timeout=1):
                return
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"GET / on {APP} answered {error.code}") from None
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{APP} did not answer on {base_url} in {timeout:.0f} s")


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )


def post_predict(base_url, body):
    """POST a drawing to the API directly -> (status, JSON answer)."""
    request = urllib.request.Request(
        base_url + "/predict",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def pad_origin(page):
    """Viewport position of the canvas content box's top-left corner."""
    return page.get_by_test_id("canvas").evaluate(
        """canvas => {
          const rect = canvas.getBoundingClientRect();
          const style = getComputedStyle(canvas);
          return [rect.left + canvas.clientLeft + parseFloat(style.paddingLeft),
                  rect.top + canvas.clientTop + parseFloat(style.paddingTop)];
        }"""
    )


def pad_side(page):
    """Side of the (square) canvas content box in CSS px."""
    return page.get_by_test_id("canvas").evaluate(
        "c => c.getBoundingClientRect().width - 2 * c.clientLeft"
    )


def digit_strokes(name, side):
    """Hand-made strokes of a digit ("1", "4", "7" or "0") on a pad of ``side``."""
    shapes = {
        "1": [[(0.45, 0.2), (0.55, 0.12), (0.55, 0.88)]],
        "4": [
            [(0.55, 0.12), (0.22, 0.6), (0.78, 0.6)],
            [(0.62, 0.35), (0.62, 0.88)],
        ],
        "7": [[(0.25, 0.18), (0.75, 0.18), (0.42, 0.86)]],
        "0": [
            [
                (
                    0.5 + 0.22 * math.sin(t / 12 * math.tau),
                    0.5 - 0.36 * math.cos(t / 12 * math.tau),
                )
                for t in range(13)
            ]
        ],
    }
    return [_densify([(x * side, y * side) for x, y in s]) for s in shapes[name]]


def _densify(stroke, step=20.0):
    """Points every ``step`` px or so along a polyline, as a hand would move."""
    points = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
        n = max(1, round(math.hypot(x1 - x0, y1 - y0) / step))
        points += [
            (x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)
        ]
    return points


def draw_mouse(page, strokes):
    x0, y0 = pad_origin(page)
    for stroke in strokes:
        page.mouse.move(x0 + stroke[0][0], y0 + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(x0 + x, y0 + y)
        page.mouse.up()


def draw_touch(page, cdp, strokes):
    """One finger, through CDP touch events (the page sees pointerType touch)."""
    x0, y0 = pad_origin(page)
    for stroke in strokes:
        for i, (x, y) in enumerate(stroke):
            kind = "touchStart" if i == 0 else "touchMove"
            point = {"x": x0 + x, "y": y0 + y, "id": 1}
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [point]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def draw_pen(page, cdp, strokes):
    """A pen, through CDP mouse events with pointerType "pen"."""
    x0, y0 = pad_origin(page)
    for stroke in strokes:
        for i, (x, y) in enumerate(stroke):
            kind = "mousePressed" if i == 0 else "mouseMoved"
            _pen_event(cdp, kind, x0 + x, y0 + y, buttons=1)
        _pen_event(cdp, "mouseReleased", x0 + stroke[-1][0], y0 + stroke[-1][1], 0)


def _pen_event(cdp, kind, x, y, buttons):
    event = {"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons}
    event.update(pointerType="pen", clickCount=1, force=0.5)
    cdp.send("Input.dispatchMouseEvent", event)


def wait_settled(page, timeout=10_000):
    """Wait until no prediction request is in flight; return the shown digit."""
    page.wait_for_function(
        "() => document.getElementById('result').getAttribute('aria-busy') === 'false'",
        timeout=timeout,
    )
    return page.get_by_test_id("prediction").text_content()


def dev_digits(count, side, seed=0):
    """``count`` pen-drawn dev digits as (label, strokes) fitted to the pad."""
    from model.strokes import fit_to_canvas, load_stroke_file

    samples = load_stroke_file(DEV_STROKES)
    picks = np.random.default_rng(seed).choice(len(samples), count, replace=False)
    return [
        (samples[i]["label"], fit_to_canvas(samples[i]["strokes"], size=side))
        for i in picks
    ]

"""Time from lifting the pointer to the final digit on the drawing page.

    python -m bench.page_latency --digits 10

Starts the app on a free 127.0.0.1 port (with --weights, else the trained
weights if present, else a random tiny network), draws pen-drawn dev
digits with the mouse in headless Chromium, and measures in the page, from
the pointerup event to the moment no request is in flight and the answer to
the last one is in the DOM; "+frame" adds the wait for the next animation
frame, when the browser paints it. Live requests while drawing are included,
as a user would cause them. Target (issue 4): median <= 50 ms on loopback.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

from tests.browser.harness import (
    DESKTOP,
    DEV_STROKES,
    REAL_WEIGHTS,
    dev_digits,
    digit_strokes,
    draw_mouse,
    launch_chromium,
    pad_side,
    running_app,
    wait_settled,
    write_tiny_weights,
)

# Runs in the page before its scripts: one entry per pointerup, timed when
# the page settles (aria-busy back to false) and at the next frame.
MEASURE = """
  window.latencies = [];
  let liftedAt = null;
  addEventListener('pointerup', () => { liftedAt = performance.now(); }, true);
  addEventListener('DOMContentLoaded', () => {
    const result = document.getElementById('result');
    new MutationObserver(() => {
      if (liftedAt === null || result.getAttribute('aria-busy') !== 'false') {
        return;
      }
      const start = liftedAt;
      const entry = { settled: performance.now() - start };
      liftedAt = null;
      latencies.push(entry);
      requestAnimationFrame(() => { entry.framed = performance.now() - start; });
    }).observe(result, { attributes: true, attributeFilter: ['aria-busy'] });
  });
"""


def percentile(values, q):
    return float(np.percentile(values, q))


def measure(base_url, count, max_seconds):
    """Draw up to ``count`` digits within ``max_seconds`` -> (latencies, server ms)."""
    server_ms = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(**DESKTOP)
        page.add_init_script(MEASURE)
        page.on("response", lambda r: _record_server_time(r, server_ms))
        page.goto(base_url + "/")
        page.locator("[data-testid=bars] li").nth(9).wait_for()
        side = pad_side(page)
        if DEV_STROKES.exists():
            drawings = [strokes for _, strokes in dev_digits(count, side, seed=1)]
        else:
            names = ["0", "1", "4", "7"] * count
            drawings = [digit_strokes(name, side) for name in names[:count]]
        deadline = time.monotonic() + max_seconds
        for strokes in drawings:
            if time.monotonic() > deadline:
                break
            # Stroke by stroke, so that each pointerup is timed on its own.
            for stroke in strokes:
                draw_mouse(page, [stroke])
                wait_settled(page)
                page.wait_for_timeout(50)
            page.keyboard.press("Escape")
        latencies = page.evaluate("latencies")
        browser.close()
    return latencies, server_ms


def _record_server_time(response, server_ms):
    if response.url.endswith("/predict") and response.ok:
        server_ms.append(response.json()["timing_ms"]["total"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--digits", type=int, default=10, help="at most 50")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--weights", type=Path, help="default: the trained ones")
    args = parser.parse_args(argv)
    count = max(1, min(args.digits, 50))

    with tempfile.TemporaryDirectory() as tmp:
        if args.weights or REAL_WEIGHTS.exists():
            weights = args.weights or REAL_WEIGHTS
        else:
            weights = write_tiny_weights(Path(tmp) / "tiny.npz")
        with running_app(weights) as base_url:
            latencies, server_ms = measure(base_url, count, args.max_seconds)

    # Each stroke ends with a pointerup; multi-stroke digits add entries.
    settled = [entry["settled"] for entry in latencies]
    framed = [entry["framed"] for entry in latencies if "framed" in entry]
    print(f"weights: {weights.name}; {len(settled)} pointer-ups, loopback")
    print("ms from pointerup      median    p90    max")
    for name, values in (("to final digit", settled), ("+frame", framed)):
        print(
            f"{name:20} {statistics.median(values):8.1f} "
            f"{percentile(values, 90):6.1f} {max(values):6.1f}"
        )
    print(f"server time per request, median: {statistics.median(server_ms):.1f} ms")
    print("rerun: python -m bench.page_latency " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

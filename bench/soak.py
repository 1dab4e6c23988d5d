"""Soak: a mix of valid and invalid requests for minutes, with memory watched.

    python -m bench.soak --seconds 600

Starts the product (``python -m app``, 2 workers, access log off) on a free
127.0.0.1 port and a load generator in its own process with --concurrency
keep-alive connections, for --seconds. Every request kind must get its own
status: 200 for the valid ones (canvas PNG as a data URL and as an upload,
strokes, pixels, a batch, /health), the documented 4xx for the invalid ones.
The server's processes are sampled from /proc (RSS, open files) every
--sample-every seconds; growth is the end against the first sample after
--warmup seconds. Targets (issue 6): 0 errors on valid requests; RSS and open
files grow <= 10% after warm-up; the same worker processes throughout.
"""

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from bench.serving import (
    Request,
    Server,
    canvas_png,
    http_request,
    json_body,
    machine,
    multipart_body,
    run_load,
)

FOUR = [[[170, 50], [70, 170], [210, 170]], [[170, 50], [170, 240]]]
MAX_GROWTH = 0.10


def requests() -> list[Request]:
    """The mix: each kind with the status it must get and how often it comes."""
    png = canvas_png(transparent=True)
    strokes = {"strokes": FOUR, "width": 280, "height": 280}
    pixels = [[0.0] * 28 for _ in range(28)]
    for row in range(6, 22):
        pixels[row][14] = 1.0
    batch = {"items": [strokes, {"pixels": pixels}, strokes, {"pixels": pixels}]}

    def post(path, body, content_type="application/json"):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        return http_request("POST", path, content_type, body)

    # Refused on its declared length, before a byte of body is sent.
    declared = (
        b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 3000000\r\n\r\n"
    )
    return [
        Request(
            "image json",
            http_request("POST", "/predict", *json_body(png)),
            200,
            weight=3,
        ),
        Request("upload", http_request("POST", "/predict", *multipart_body(png)), 200),
        Request("strokes", post("/predict", strokes), 200, weight=3),
        Request("pixels", post("/predict", {"pixels": pixels}), 200),
        Request("batch of 4", post("/predict/batch", batch), 200),
        Request("health", http_request("GET", "/health"), 200, weight=0.5),
        Request("malformed json", post("/predict", b'{"strokes": [[1,'), 422),
        Request("wrong type", post("/predict", {"strokes": "seven"}), 422),
        Request("empty drawing", post("/predict", {"strokes": []}), 422),
        Request("not an image", post("/predict", {"image": "aGVsbG8="}), 422),
        Request("text/plain", post("/predict", b"seven", "text/plain"), 415),
        Request("batch of 33", post("/predict/batch", {"items": [strokes] * 33}), 422),
        Request("unknown path", http_request("GET", "/nope"), 404, weight=0.5),
        Request("GET /predict", http_request("GET", "/predict"), 405, weight=0.5),
        Request("declared 3 MB", declared, 413, alone=True, weight=0.2),
    ]


def sample(server: Server) -> dict:
    """RSS (bytes) and open files of each of the server's processes."""
    found = {}
    for pid in server.pids():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            files = len(list(Path(f"/proc/{pid}/fd").iterdir()))
        except OSError:
            continue
        rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        found[pid] = {"rss": int(rss.split()[1]) * 1024, "files": files}
    return found


def growth(before: dict, after: dict, key: str) -> float:
    total_before = sum(p[key] for p in before.values())
    total_after = sum(after[pid][key] for pid in before if pid in after)
    return total_after / total_before - 1


def print_sample(elapsed: float, found: dict):
    rss = " ".join(f"{p['rss'] / 2**20:.1f}" for p in found.values())
    files = " ".join(str(p["files"]) for p in found.values())
    print(f"{elapsed:6.0f} s  RSS MB per process: {rss}  open files: {files}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--warmup", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample-every", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=5_000_000)
    args = parser.parse_args(argv)

    mix = requests()
    print(machine())
    print(
        f"{args.seconds:.0f} s at concurrency {args.concurrency} against "
        f"{args.workers} workers; {len(mix)} request kinds"
    )
    log = tempfile.NamedTemporaryFile("w+", prefix="soak-server-", suffix=".log")
    server = Server("predict", args.workers, log=log)
    # After warm-up, every --sample-every seconds, and 2 s before the end.
    times = [args.warmup + k * args.sample_every for k in range(10_000)]
    times = [t for t in times if t < args.seconds - 2] + [args.seconds - 2]
    samples = []
    try:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            start = time.monotonic()
            future = pool.submit(
                run_load,
                server.port,
                mix,
                args.concurrency,
                args.seconds,
                args.max_requests,
                0.0,
            )
            while not future.done():
                if times and time.monotonic() - start >= times[0]:
                    times.pop(0)
                    samples.append((time.monotonic() - start, sample(server)))
                    print_sample(*samples[-1])
                time.sleep(0.2)
            tally, seconds = future.result()
            print_sample(time.monotonic() - start, sample(server))
            print("(the last line is after the load stopped)")
    finally:
        server.stop()
        log.seek(0)
        lines = log.read().splitlines()
        log.close()
    report(mix, tally, seconds, samples)
    warnings = sum("WARNING" in line for line in lines)
    errors = [line for line in lines if "ERROR" in line or "Traceback" in line]
    print(f"server log: {warnings} warnings (one per refusal), {len(errors)} errors")
    for line in errors[:5]:
        print(f"  {line}")
    print("rerun: python -m bench.soak " + " ".join(sys.argv[1:]))


def report(mix, tally, seconds, samples):
    print(f"\n{'request':16} {'status':>6} {'answers':>8} {'wrong':>6} {'failed':>6}")
    valid_errors = invalid_wrong = 0
    for request in mix:
        answers = len(tally.latencies.get(request.name, []))
        wrong = tally.wrong.get(request.name, 0)
        failed = sum(n for k, n in tally.failed.items() if k.startswith(request.name))
        if request.status == 200:
            valid_errors += wrong + failed
        else:
            invalid_wrong += wrong + failed
        print(
            f"{request.name:16} {request.status:6d} {answers:8d} {wrong:6d} {failed:6d}"
        )
    total = sum(len(v) for v in tally.latencies.values())
    print(f"{total} answers in {seconds:.0f} s ({total / seconds:.0f}/s)")
    for name, status, body in tally.examples:
        print(f"  example: {name} got {status}: {body!r}")
    print(f"errors on valid requests: {valid_errors} (target 0)")
    print(f"wrong status on invalid requests: {invalid_wrong} (target 0)")
    if len(samples) < 2:
        print("too short for a memory verdict: raise --seconds above --warmup")
        return
    first, last = samples[0][1], samples[-1][1]
    lost = sorted(set(first) - set(last))
    print(f"processes at warm-up {sorted(first)}, at the end {sorted(last)}")
    if lost:
        print(f"PROCESSES GONE (restarted workers?): {lost}")
    for key, unit in (("rss", "RSS"), ("files", "open files")):
        change = growth(first, last, key)
        verdict = "ok" if change <= MAX_GROWTH else "OVER TARGET"
        print(
            f"{unit} growth after warm-up ({samples[0][0]:.0f} s to "
            f"{samples[-1][0]:.0f} s): {change:+.1%} ({verdict}, target <= 10%)"
        )


if __name__ == "__main__":
    main()

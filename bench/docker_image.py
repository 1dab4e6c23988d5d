"""The Docker image's weight above its base and its time to a healthy start.

    python -m bench.docker_image [--runs 5]

Builds the image on the stand-in base (../shared/tools/docker-local-base.sh),
then starts it --runs times with --network host on a free 127.0.0.1 port and
times `docker run` to the first 200 from /health.
"""

import argparse
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from tests.test_docker import BASE_SCRIPT, ROOT, free_port, run


def first_health(port, seconds=30):
    url = f"http://127.0.0.1:{port}/health"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.01)
    raise RuntimeError(f"no 200 from {url} in {seconds} s")


def start_seconds(tag):
    port = free_port()
    name = f"digits-bench-{uuid.uuid4().hex[:8]}"
    start = time.perf_counter()
    subprocess.run(
        [
            "docker",
            "run",
            "-d",
            "--rm",
            "--network",
            "host",
            "--name",
            name,
            "-e",
            "HOST=127.0.0.1",
            "-e",
            f"PORT={port}",
            tag,
        ],
        check=True,
        capture_output=True,
    )
    try:
        first_health(port)
        return time.perf_counter() - start
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    base = run("bash", str(BASE_SCRIPT)).splitlines()[-1]
    tag = "digits-bench:latest"
    run(
        "docker",
        "build",
        "--network",
        "host",
        "--build-arg",
        f"BASE_IMAGE={base}",
        "-t",
        tag,
        str(ROOT),
    )
    sizes = run("docker", "image", "inspect", "--format", "{{.Size}}", tag, base)
    image_size, base_size = (int(n) for n in sizes.split())
    print(f"base {base}: {base_size / 1e6:.1f} MB")
    print(f"layers above the base: {(image_size - base_size) / 1e6:.1f} MB")
    times = [start_seconds(tag) for _ in range(args.runs)]
    print(
        f"docker run to first 200 on /health over {args.runs} runs: "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s"
    )
    print("rerun: python -m bench.docker_image " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

"""The Docker image's weight above its base and its time to a healthy start.

    python -m bench.docker_image [--runs 5]

Builds the image on the stand-in base (../shared/tools/docker-local-base.sh),
then starts it --runs times with --network host on a free 127.0.0.1 port and
times `docker run` to the first 200 from /health.
"""

import argparse
import statistics
import sys
import time

from tests.test_docker import (
    build_image,
    remove_container,
    run,
    start_container,
    wait_for_health,
)


def start_seconds(tag):
    """Seconds from `docker run` to the first 200 from /health."""
    start = time.perf_counter()
    container = start_container(tag)
    try:
        wait_for_health(container["url"])
        return time.perf_counter() - start
    finally:
        remove_container(container["name"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    tag = "digits-bench:latest"
    base = build_image(tag)
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

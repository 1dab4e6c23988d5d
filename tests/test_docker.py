"""Build the Docker image here and check that the container serves the app.

Where ../shared/tools/docker-local-base.sh exists (our CI machines, which
cannot reach Docker Hub), the base image is the stand-in it builds; that
script also installs and starts a Docker daemon if none runs. Elsewhere the
Dockerfile's own base (python:3.11-slim) is pulled. Build and run use the
host network; the container is reached on 127.0.0.1 only.
"""

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
BASE_SCRIPT = ROOT.parent / "shared" / "tools" / "docker-local-base.sh"
# the Dockerfile's ARG BASE_IMAGE default
DEFAULT_BASE = "python:3.11-slim"
MAX_LAYERS_MB = 150

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def run(*args, timeout=900):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stderr[-3000:]}"
    return result.stdout.strip()


def get(url, data=None):
    headers = {"Content-Type": "application/json"} if data else {}
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


def build_image(tag):
    """Build the image as `tag`; return the tag of the base it was built on."""
    base = DEFAULT_BASE
    if BASE_SCRIPT.exists():
        base = run("bash", str(BASE_SCRIPT)).splitlines()[-1]
    run("docker", "build", "--network", "host", "--build-arg",
        f"BASE_IMAGE={base}", "-t", tag, str(ROOT))  # fmt: skip
    return base


@pytest.fixture(scope="module")
def image():
    assert shutil.which("docker"), "docker is not installed (see .ci/run)"
    tag = f"digits-test:{uuid.uuid4().hex[:8]}"
    base = build_image(tag)
    yield {"tag": tag, "base": base}
    subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)


def start_container(tag):
    """Run the image detached on the host network, on a free port."""
    port = free_port()
    name = f"digits-test-{uuid.uuid4().hex[:8]}"
    run("docker", "run", "-d", "--rm", "--network", "host", "--name", name,
        "-e", "HOST=127.0.0.1", "-e", f"PORT={port}", tag)  # fmt: skip
    return {"name": name, "url": f"http://127.0.0.1:{port}"}


def remove_container(name):
    subprocess.run(["docker", "rm", "-f", name], capture_output=True)


@pytest.fixture
def container(image):
    started = start_container(image["tag"])
    yield started
    remove_container(started["name"])


def wait_for_health(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return get(url + "/health")
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.01)
    raise AssertionError(f"{url}/health did not answer in {seconds} s")


def test_container_serves_health_and_predict(container):
    status, body = wait_for_health(container["url"])
    assert status == 200
    assert body["model_loaded"] is True
    strokes = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280}
    status, body = get(container["url"] + "/predict", json.dumps(strokes).encode())
    assert status == 200
    assert body["digit"] in range(10)
    assert len(body["probabilities"]) == 10


def test_container_does_not_run_as_root(container):
    wait_for_health(container["url"])
    assert run("docker", "exec", container["name"], "id", "-u") != "0"


def test_image_layers_above_base_are_small(image):
    sizes = run(
        "docker",
        "image",
        "inspect",
        "--format",
        "{{.Size}}",
        image["tag"],
        image["base"],
    ).split()
    added_mb = (int(sizes[0]) - int(sizes[1])) / 1e6
    assert added_mb <= MAX_LAYERS_MB, f"{added_mb:.0f} MB above the base"

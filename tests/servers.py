"""Helpers for tests that start a real server process on 127.0.0.1."""

import os
import socket
import time

import httpx2 as httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(http, process, timeout=30.0):
    """Poll /health through `http` until it answers 200 or `process` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited at start"
        try:
            if http.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def server_environ(weights_path, port, workers=2):
    """The environment for `python -m app` on 127.0.0.1:port, access log off."""
    return {
        **os.environ,
        "DIGITS_WEIGHTS": str(weights_path),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
        "ACCESS_LOG": "0",
    }

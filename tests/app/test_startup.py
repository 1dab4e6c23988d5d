"""Start-up: settings from the environment, and loud refusal without weights."""

import logging
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from app.config import TRAIN_COMMAND, Settings
from app.main import create_app
from app.predictor import StartupError
from model.weights import DEFAULT_WEIGHTS
from tests.app import drawings
from tests.servers import free_port, server_environ

ROOT = Path(__file__).resolve().parents[2]


def start(weights):
    with TestClient(create_app(Settings(weights=weights))):
        pass


def test_lifespan_refuses_missing_weights(tmp_path):
    with pytest.raises(StartupError, match=re.escape(TRAIN_COMMAND)):
        start(tmp_path / "missing.npz")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"not a weights file",
        lambda data: data[: len(data) // 2],
        lambda data: b"",
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_lifespan_refuses_corrupt_weights(tmp_path, weights_path, damage):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(damage(weights_path.read_bytes()))
    with pytest.raises(StartupError, match=re.escape(TRAIN_COMMAND)):
        start(broken)


def test_lifespan_logs_one_info_line(weights_path, caplog):
    caplog.set_level(logging.INFO, logger="app")
    start(weights_path)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("app")]
    assert len(messages) == 1
    assert str(weights_path) in messages[0]
    assert "784-32-10" in messages[0]
    assert "test accuracy 0.5" in messages[0]


def test_settings_from_env_reads_every_variable():
    environ = {
        "DIGITS_WEIGHTS": "/w.npz",
        "DIGITS_MAX_BODY_BYTES": "1000",
        "DIGITS_MAX_BATCH": "4",
        "LOG_LEVEL": "DEBUG",
        "HOST": "0.0.0.0",
        "PORT": "9000",
        "WORKERS": "2",
        "ACCESS_LOG": "0",
    }
    assert Settings.from_env(environ) == Settings(
        weights=Path("/w.npz"),
        max_body_bytes=1000,
        max_batch=4,
        log_level="debug",
        host="0.0.0.0",
        port=9000,
        workers=2,
        access_log=False,
    )


def test_settings_from_env_defaults():
    assert Settings.from_env({}) == Settings()
    assert Settings().weights == DEFAULT_WEIGHTS
    assert (Settings().host, Settings().port) == ("127.0.0.1", 8000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "http"),
        ("PORT", "70000"),
        ("WORKERS", "0"),
        ("DIGITS_MAX_BATCH", "-1"),
        ("LOG_LEVEL", "loud"),
    ],
)
def test_settings_from_env_rejects_bad_values(name, value):
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def run_app(weights, port):
    return subprocess.Popen(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env=server_environ(weights, port, workers=1),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_python_m_app_exits_naming_training_command(tmp_path):
    process = run_app(tmp_path / "missing.npz", free_port())
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 3
    assert TRAIN_COMMAND in stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


def test_python_m_app_serves_over_http(weights_path):
    port = free_port()
    process = run_app(weights_path, port)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert health.status_code == 200, health.text
        head = httpx.head(f"{url}/health")
        assert (head.status_code, head.content) == (200, b"")
        answer = httpx.post(f"{url}/predict", json={"strokes": [[[1, 1], [5, 9]]]})
        assert answer.status_code == 200, answer.text
        # 10^8 pixels: Pillow warns; the refusal is our one log line.
        bomb = drawings.declared_png(10_000, 10_000)
        answer = httpx.post(f"{url}/predict", files={"file": ("big.png", bomb)})
        assert answer.json()["code"] == "image_too_large", answer.text
        # a declared 3 MB body is refused before it is sent
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(
                b"POST /predict HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 3000000\r\n\r\n"
            )
            reply = b""
            while not reply.endswith(b"}"):
                chunk = sock.recv(4096)
                assert chunk, reply
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 413"), reply
        assert b'"code":"body_too_large"' in reply
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr
    assert "DecompressionBombWarning" not in stderr
    assert stderr.count("image_too_large") == 1, stderr
    assert "784-32-10" in stderr

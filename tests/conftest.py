"""Shared fixtures: small real weights files and API clients with lifespan run."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from model.network import init_params
from model.weights import save_weights

META = {
    "test_accuracy": 0.5,
    "test_ece": 0.02,
    "trained_at": "2026-01-01T00:00:00+00:00",
}


def constant_params(logits) -> dict:
    """A 784-1-10 network whose logits are ``logits`` whatever the image."""
    return {
        "w1": np.zeros((784, 1), dtype=np.float32),
        "b1": np.ones(1, dtype=np.float32),
        "w2": np.array([logits], dtype=np.float32),
        "b2": np.zeros(10, dtype=np.float32),
    }


@pytest.fixture(scope="session")
def weights_path(tmp_path_factory):
    """A weights file for a seeded random 784-32-10 network."""
    path = tmp_path_factory.mktemp("weights") / "tiny.npz"
    params = init_params((784, 32, 10), np.random.default_rng(0))
    save_weights(path, params, 1.0, META)
    return path


@pytest.fixture
def client(weights_path):
    with TestClient(create_app(Settings(weights=weights_path))) as client:
        yield client


@pytest.fixture
def constant_client(tmp_path):
    """Make a client whose model answers softmax(logits) to every drawing."""
    clients = []

    def make(logits, **settings):
        path = tmp_path / f"constant{len(clients)}.npz"
        save_weights(path, constant_params(logits), 1.0, META)
        client = TestClient(create_app(Settings(weights=path, **settings)))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)

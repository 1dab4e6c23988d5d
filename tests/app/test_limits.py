"""The body size limit: 413 before reading a declared body, or while counting."""

import asyncio
import json

from app.limits import BodyLimit

BODY_TOO_LARGE = {
    "detail": "Request bodies are limited to 10 bytes",
    "code": "body_too_large",
}


def run(app, headers, chunks):
    """Call an ASGI app with a POST whose body arrives in ``chunks``."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": headers,
    }
    pending = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    read = []
    sent = []

    async def receive():
        read.append(pending[0])
        return pending.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent, read


async def echo(scope, receive, send):
    """An app that reads the whole body and answers 200 with its length."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def test_body_limit_refuses_declared_length_without_reading():
    sent, read = run(BodyLimit(echo, 10), [(b"content-length", b"11")], [b"x" * 11])
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == BODY_TOO_LARGE
    assert read == []


def test_body_limit_refuses_chunked_body_once_past_limit():
    chunks = [b"x" * 6, b"x" * 6, b"x" * 6]
    sent, read = run(BodyLimit(echo, 10), [], chunks)
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == BODY_TOO_LARGE
    assert len(read) == 2


def test_body_limit_passes_body_at_limit():
    sent, _ = run(BodyLimit(echo, 10), [(b"content-length", b"10")], [b"x" * 10])
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"10"


def test_body_limit_passes_chunked_body_at_limit():
    sent, _ = run(BodyLimit(echo, 10), [], [b"x" * 5, b"x" * 5])
    assert sent[0]["status"] == 200


def test_predict_refuses_chunked_body_over_limit(client):
    def chunks():
        for _ in range(30):
            yield b" " * 100_000

    response = client.post(
        "/predict", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.json() == {
        "detail": "Request bodies are limited to 2097152 bytes",
        "code": "body_too_large",
    }


def test_predict_limit_follows_settings(constant_client):
    client = constant_client([0] * 10, max_body_bytes=200)
    body = json.dumps({"strokes": [[[1, 1], [9, 9]]]}).encode()
    at_limit = body + b" " * (200 - len(body))
    headers = {"content-type": "application/json"}
    response = client.post("/predict", content=at_limit, headers=headers)
    assert response.status_code == 200, response.text
    response = client.post("/predict", content=at_limit + b" ", headers=headers)
    assert response.status_code == 413, response.text

"""Refuse request bodies over a size limit before they are read into memory.

A declared Content-Length over the limit is answered 413 at once, without
reading a byte of the body. A chunked body is counted as it arrives and
refused as soon as it passes the limit.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import ApiError, reject


class BodyTooLarge(ApiError):
    def __init__(self, max_bytes: int):
        detail = f"Request bodies are limited to {max_bytes} bytes"
        super().__init__(413, "body_too_large", detail)


class BodyLimit:
    """ASGI middleware answering 413 ``body_too_large`` past ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _content_length(scope) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # The app's handlers normally answer it; this covers code that
            # read the body outside them.
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = BodyTooLarge(self.max_bytes)
        request = Request(scope)
        response = reject(request, 413, error.code, error.detail)
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0

"""Request size limits: 413 with our error body over the path's limit, declared or streamed."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcelguard.web.security.answers import error_response
from parcelguard.web.security.config import Hardening


class BodyLimit:
    """Refuses bodies over `[http] max_body_bytes`, or the larger limit of their path prefix."""

    def __init__(self, app: ASGIApp, hardening: Hardening) -> None:
        self.app = app
        self.hardening = hardening

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check `Content-Length` at once and count what is actually streamed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.hardening.body_limit(scope.get("path", ""))
        declared = header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            answer = error_response(413, "too_large", f"the request body is over {limit} bytes")
            await answer(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI re-raises an HTTPException met while reading the body, and
                    # the app's handler turns it into the usual error document.
                    raise HTTPException(413, f"the request body is over {limit} bytes")
            return message

        await self.app(scope, limited_receive, send)


def header(scope: Scope, name: bytes) -> str | None:
    """Return one request header from the ASGI scope."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1").strip()
    return None

"""Request size limits: 413 with our error body over the path's limit, declared or streamed."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.types import Message, Receive, Scope

from parcelguard.web.security.answers import error_response


def declared_too_large(declared: bytes | None, limit: int) -> JSONResponse | None:
    """Return the 413 answer when `Content-Length` is not a number or over `limit`."""
    if declared is None:
        return None
    text = declared.decode("latin-1").strip()
    if text.isdigit() and int(text) <= limit:
        return None
    return error_response(413, "too_large", f"the request body is over {limit} bytes")


def limited(receive: Receive, limit: int) -> Receive:
    """Return `receive` counting what is actually streamed against `limit` (413 beyond it)."""
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

    return limited_receive


def header(scope: Scope, name: bytes) -> str | None:
    """Return one request header from the ASGI scope."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1").strip()
    return None

"""Error answers of the hardening layer (through `web.errors`), and 422 details that are safe."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from parcelguard.errors import RateLimited
from parcelguard.web.errors import ErrorAnswer, database_error, unavailable, validation_problems

__all__ = [
    "database_error",
    "error_response",
    "limited",
    "unavailable",
    "validation_problems",
]


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Return an error answer (`web.errors.ErrorAnswer`: JSON, or the page for a browser)."""
    return ErrorAnswer(status, code, message, details, headers)


def limited(exc: RateLimited, code: str, message: str) -> JSONResponse:
    """Return a 429 with `Retry-After`."""
    retry = (exc.details or {}).get("retry_after", 60)
    return error_response(
        429,
        code,
        f"{message}; try again in {retry} s",
        {"retry_after": retry},
        {"Retry-After": str(retry)},
    )

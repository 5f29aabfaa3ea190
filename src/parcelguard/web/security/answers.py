"""Error answers of the hardening layer: our error body, 503 for a lost database, safe 422s."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from parcelguard.errors import RateLimited

log = logging.getLogger("parcelguard.http")
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\[\], ]{0,63}")
_ECHOING = frozenset({"value_error", "assertion_error"})


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Return the error document every endpoint answers with (CONTRACTS.md)."""
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


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


async def database_error(_request: Request, exc: Exception) -> JSONResponse:
    """Answer 503 while the database is unreachable; other driver errors are a plain 500."""
    lost = sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError
    if isinstance(exc, lost) or getattr(exc, "connection_invalidated", False):
        # Never the driver's message: it may quote a statement's parameters.
        log.warning("database unavailable (%s)", type(exc).__name__)
        return unavailable()
    log.error("database error %s", type(exc).__name__)
    return error_response(500, "internal_error", "the server failed; nothing was changed")


async def limiter_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """Answer 503 while the rate limits' Redis is unreachable: limits fail closed."""
    log.warning("rate-limit store unavailable (%s)", type(exc).__name__)
    return unavailable()


def unavailable() -> JSONResponse:
    """Return the 503 of a database or rate-limit store that is not answering."""
    return error_response(
        503,
        "database_unavailable",
        "the database is not answering; try again shortly",
        headers={"Retry-After": "5"},
    )


def validation_problems(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return 422 details that name fields and reasons but never echo what was submitted."""
    return [_problem(error) for error in errors]


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    kind = str(error.get("type", ""))
    loc = [
        p if isinstance(p, int) or _SAFE_NAME.fullmatch(str(p)) else "*"
        for p in error.get("loc", ())
    ]
    reason = str(error.get("msg", ""))[:200]
    if kind == "extra_forbidden":
        loc[-1:] = ["*"]  # the unexpected key is the client's own text
        reason = "not allowed"
    elif kind in _ECHOING:
        reason = "invalid value"  # custom validators may quote the value
    else:
        value = error.get("input")
        if isinstance(value, str | int | float) and len(str(value)) >= 3 and str(value) in reason:
            reason = reason.replace(str(value), "…")
    return {"field": ".".join(str(p) for p in loc), "reason": reason, "type": kind}

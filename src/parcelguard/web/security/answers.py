"""Error answers of the hardening layer (through `web.errors`), and 422 details that are safe."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fastapi.responses import JSONResponse

from parcelguard.errors import RateLimited
from parcelguard.web.errors import ErrorAnswer, database_error
from parcelguard.web.results import FieldProblem

__all__ = ["database_error", "error_response", "limited", "validation_problems"]

_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\[\], ]{0,63}")
_ECHOING = frozenset({"value_error", "assertion_error"})


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


def unavailable() -> JSONResponse:
    """Return the 503 of a database or rate-limit store that is not answering."""
    return error_response(
        503,
        "database_unavailable",
        "the database is not answering; try again shortly",
        headers={"Retry-After": "5"},
    )


def validation_problems(errors: Iterable[dict[str, Any]]) -> list[FieldProblem]:
    """Return 422 details that name fields and reasons but never echo what was submitted."""
    return [_problem(error) for error in errors]


def _problem(error: dict[str, Any]) -> FieldProblem:
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

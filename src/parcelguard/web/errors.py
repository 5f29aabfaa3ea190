"""The one mapping from errors to HTTP answers: JSON for programs, a page for people.

`status_for` maps the typed errors of `parcelguard.errors` to statuses (the table below is
the only one). Every error answer is an `ErrorAnswer`: the contract's JSON document
(`{"error": {"code", "message", "details"}}`) for API clients, and for a browser asking for a
page (`wants_page`: an `Accept` with `text/html` on any path but `/api/`, `/relay/` and the
other machine paths) the Chinese (or English, with the switch) error page that says
what happened and what to do next, in the words of the site area it happened in. Never raw
JSON to a person, never a trace or an exception message to anyone. The hardening middlewares
answer through it too, so a rate-limited or oversized browser request also gets the page.

`install(app)` registers the handlers: typed errors, validation errors, Starlette's HTTP
errors (an unknown page is the 404 page), a lost database (503), anything else (500), and
`Redirect`, the answer of a page that needs its visitor to sign in first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from limits.errors import StorageError
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from parcelguard import errors
from parcelguard.web import pages
from parcelguard.web.pages import Redirect as Redirect  # raised by pages, answered here
from parcelguard.web.results import ErrorDocument, FieldProblem
from parcelguard.words import catalogue

log = logging.getLogger("parcelguard.http")
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\[\], ]{0,63}")  # a field name safe to name
_ECHOING = frozenset({"value_error", "assertion_error"})  # their messages may quote a value

HTTP_STATUS: tuple[tuple[type[errors.ParcelGuardError], int], ...] = (
    (errors.PartlyDone, 422),
    (errors.TooLarge, 413),
    (errors.InvalidInput, 400),
    (errors.NotAuthenticated, 401),
    (errors.Denied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.RateLimited, 429),
    (errors.ParcelGuardError, 500),
)
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
# Paths programs call: their errors are always JSON, whatever `Accept` says.
MACHINE_PATHS = ("/api/", "/relay/", "/healthz", "/openapi.json", "/docs", "/redoc")
PEOPLE_PATHS = ("/console", "/portal", "/s/")
PAGE_STATUSES = frozenset(int(status) for status in catalogue("zh")["errors"]["pages"])


def status_for(exc: errors.ParcelGuardError) -> int:
    """Return the HTTP status of an error (the one mapping for HTTP)."""
    for kind, status in HTTP_STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def error_body(code: str, message: str, details: Any = None) -> ErrorDocument:
    """Return the error document every endpoint answers with (CONTRACTS.md)."""
    return {"error": {"code": code, "message": message, "details": details}}


def wants_page(request: Request) -> bool:
    """Return whether the client is a browser asking for a page (not a program).

    A browser's navigation accepts `text/html`; our scripts ask for JSON. A client that says
    neither (`*/*`) gets a page only among the people's pages (console, portal, scan page),
    and not when it asked for a file there (a last segment like `shelf-labels.pdf`).
    """
    path = request.url.path
    if path.startswith(MACHINE_PATHS):
        return False
    accept = request.headers.get("accept", "*/*").lower()
    if "text/html" in accept:
        return True
    people = path.startswith(PEOPLE_PATHS)
    return people and "json" not in accept and "." not in path.rsplit("/", 1)[-1]


class ErrorAnswer(JSONResponse):
    """An error answer: the contract's JSON, or the error page when a browser asks for a page."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error_body(code, message, details), status_code=status, headers=headers)
        self.code = code
        self.details = details
        self.extra_headers = dict(headers or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the page to a browser that asked for one, else the JSON document."""
        request = Request(scope, receive)
        if scope["type"] == "http" and wants_page(request):
            try:
                page = await run_in_threadpool(error_page, request, self)
            except Exception as exc:  # the page must never make things worse: JSON then
                log.error("error page failed (%s)", type(exc).__name__)
            else:
                await page(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def error_page(request: Request, answer: ErrorAnswer) -> HTMLResponse:
    """Return the error page of an answer, in the words of the area it happened in."""
    from parcelguard.web.areas import area_for

    area = area_for(request.url.path)
    lang = pages.language(request)
    status = answer.status_code
    text = catalogue(lang)["errors"]
    words = text["pages"].get(str(_page_status(status))) or text["pages"]["500"]
    shell = text["shell"]
    detail = area.error_words(lang).get(answer.code) or text["codes"].get(answer.code)
    wait = _wait(answer.details, shell)
    actions = _actions(area, request, status, answer.code, shell)
    context = {
        **area.context(request),
        "e": {**words, "next": words["next"].format(wait=wait)},
        "shell": shell,
        "status": status,
        "detail": detail if detail != words["what"] else None,
        "actions": actions,
        "nav": area.nav,
    }
    return pages.render(
        request,
        "error.html",
        area.words(lang),
        context,
        status_code=status,
        headers=answer.extra_headers,
        with_csrf=False,
    )


def _page_status(status: int) -> int:
    """Return the status whose words fit (a person who opened an action's address: not found)."""
    if status in PAGE_STATUSES:
        return status
    if status == 405:
        return 404
    return 400 if 400 <= status < 500 else 500


def _wait(details: Any, shell: dict[str, Any]) -> str:
    seconds = details.get("retry_after", 60) if isinstance(details, dict) else 60
    seconds = max(1, int(seconds)) if isinstance(seconds, int | float) else 60
    if seconds < 120:
        return str(shell["seconds"]).format(n=seconds)
    return str(shell["minutes"]).format(n=(seconds + 59) // 60)


def _actions(
    area: pages.Area, request: Request, status: int, code: str, shell: dict[str, Any]
) -> list[tuple[str, str]]:
    """Return the buttons: where to go next, the likeliest first."""
    home = (area.home, shell["home"])
    if status == 401:
        return [(area.sign_in, shell["sign_in"]), home]
    if request.method == "GET" and (code == "csrf_failed" or status in (409, 429, 503)):
        return [(str(request.url.path), shell["reload"]), home]
    return [home]


async def _typed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.ParcelGuardError)
    status = status_for(exc)
    if status >= 500:
        log.error("request failed: %s (%s)", exc.code, type(exc).__name__)
    headers = None
    if isinstance(exc, errors.RateLimited) and isinstance(exc.details, dict):
        headers = {"Retry-After": str(exc.details.get("retry_after", 60))}
    return ErrorAnswer(status, exc.code, exc.message, exc.details, headers)


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = validation_problems(exc.errors())  # names fields, never echoes values
    return ErrorAnswer(422, "invalid_input", "the request is not valid", problems)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    return ErrorAnswer(exc.status_code, code, str(exc.detail), headers=headers or None)


async def database_error(_request: Request, exc: Exception) -> Response:
    """Answer 503 while the database is unreachable; other driver errors are a plain 500."""
    lost = sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError
    if isinstance(exc, lost) or getattr(exc, "connection_invalidated", False):
        # Never the driver's message: it may quote a statement's parameters.
        log.warning("database unavailable (%s)", type(exc).__name__)
        return unavailable()
    log.error("database error %s", type(exc).__name__)
    return ErrorAnswer(500, "internal_error", "the server failed; nothing was changed")


async def limiter_unavailable(_request: Request, exc: Exception) -> Response:
    """Answer 503 while the rate limits' Redis is unreachable: limits fail closed."""
    log.warning("rate-limit store unavailable (%s)", type(exc).__name__)
    return unavailable()


def unavailable() -> ErrorAnswer:
    """Return the 503 of a database or rate-limit store that is not answering."""
    return ErrorAnswer(
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


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Never the exception text: it may quote a value. The type is enough to find the log.
    log.error("unexpected %s", type(exc).__name__)
    # This answer leaves past the middlewares (Starlette sends it from the outermost layer),
    # so it carries the security headers itself.
    headers = {**getattr(request.app.state, "security_headers", {}), "Cache-Control": "no-store"}
    return ErrorAnswer(
        500, "internal_error", "the server failed; nothing was changed", headers=headers
    )


async def _redirect(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.location, status_code=303)


def install(app: FastAPI) -> None:
    """Register the one error mapping on the app."""
    app.add_exception_handler(errors.ParcelGuardError, _typed)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(sa_exc.DBAPIError, database_error)
    app.add_exception_handler(sa_exc.TimeoutError, database_error)
    app.add_exception_handler(StorageError, limiter_unavailable)
    app.add_exception_handler(Redirect, _redirect)
    app.add_exception_handler(Exception, _unexpected)

"""FastAPI dependencies every router shares: the runtime, transactions, the caller, its role.

The caller is authenticated by a bearer API key, or by a browser session cookie through the
app's `Authenticator` (installed by `access.api.mount`). Who may call a route is written once,
as a type: `caller: Annotated[Caller, RequireRole(Role.ADMIN, scope="ingest")]` (routers
name their common ones, e.g. `Officer = Annotated[Caller, RequireRole(Role.OFFICER)]`); the
service checks the same rule again for every other caller (`access.guards.require`).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from parcelguard.access.guards import require
from parcelguard.access.principals import Caller
from parcelguard.access.roles import STAFF_ROLES, Role
from parcelguard.errors import NotAuthenticated
from parcelguard.runtime import Runtime
from parcelguard.web.security.deferred import count_deferred

bearer = HTTPBearer(auto_error=False, description="A ParcelGuard API key: `pg_<id>_<secret>`.")
SESSION_COOKIE = "pg_session"
SessionAuthenticator = Callable[[Runtime, Session, str], Caller]
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Authenticator:
    """How the app recognises a browser session's caller (API keys need nothing installed)."""

    session: SessionAuthenticator
    cookie: str = SESSION_COOKIE


def use_authenticator(app: FastAPI, authenticator: Authenticator) -> None:
    """Make `authenticator` the app's way of recognising browser sessions."""
    app.state.authenticator = authenticator


def authenticator_of(request: Request) -> Authenticator | None:
    """Return the app's session authenticator (None: bearer keys only)."""
    found = getattr(request.app.state, "authenticator", None)
    return found if isinstance(found, Authenticator) else None


def runtime_of(request: Request) -> Runtime:
    """Return the application's runtime (a plain function, for code already in a thread)."""
    rt: Runtime = request.app.state.runtime
    return rt


async def get_runtime(request: Request) -> Runtime:
    """Return the application's runtime (async: it only reads app state, no thread needed)."""
    return runtime_of(request)


def get_session(request: Request) -> Iterator[Session]:
    """Open the request's one transaction; it commits after the handler returns."""
    with runtime_of(request).db.session() as session:
        yield session


def get_caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> Caller:
    """Return who is calling: a bearer key first, else a signed-in browser session.

    Counts the request against the rate rules the `Guard` left to this moment (`deferred`).
    """
    caller = resolve_caller(request, credentials)
    count_deferred(request, caller.principal_id)
    return caller


def resolve_caller(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    """Return the caller (authenticated once per request, then cached on `request.state`)."""
    cached = getattr(request.state, "caller", None)
    if isinstance(cached, Caller):
        return cached
    rt = runtime_of(request)
    from parcelguard.access import service

    if credentials is not None:
        with rt.db.read_session() as session:
            caller, stale = service.authenticate_bearer(rt, session, credentials.credentials)
        if stale:
            with rt.db.session() as session:
                service.touch_key(rt, session, caller.key_id or "")
        request.state.caller = caller
        return caller
    authenticator = authenticator_of(request)
    token = request.cookies.get(authenticator.cookie) if authenticator is not None else None
    if not token or authenticator is None:
        raise NotAuthenticated(
            "send `Authorization: Bearer <API key>` or sign in", code="not_authenticated"
        )
    with rt.db.session() as session:
        caller = authenticator.session(rt, session, token)
    request.state.caller = caller
    return caller


def bearer_matches(request: Request, expected: str | None) -> bool:
    """Return whether the request carries the configured bearer token (never when unset)."""
    header = request.headers.get("authorization", "")
    presented = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not expected or not presented:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


def set_session_cookie(
    response: Response, rt: Runtime, name: str, token: str, *, max_age: int, path: str = "/"
) -> None:
    """Set a signed-in browser's cookie: HTTP only, same site strict, secure as configured."""
    response.set_cookie(
        name,
        token,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=rt.settings.cookies_secure,
    )


def clear_session_cookie(response: Response, rt: Runtime, name: str, *, path: str = "/") -> None:
    """Clear a signed-in browser's cookie with the attributes `set_session_cookie` gave it."""
    response.delete_cookie(
        name, path=path, httponly=True, samesite="strict", secure=rt.settings.cookies_secure
    )


def RequireRole(*roles: Role, scope: str | None = None) -> Any:
    """Return the dependency of a caller of one of `roles`, or a service key with `scope`.

    `caller: Annotated[Caller, RequireRole(Role.CLERK, Role.ADMIN)]`; anyone else is refused
    with 403 `role_not_allowed` (or `scope_missing`) before the route runs.
    """

    async def allowed(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        require(caller, roles=roles, scope=scope)  # no I/O: runs on the event loop
        return caller

    return Depends(allowed)


AnyCaller = Annotated[Caller, Depends(get_caller)]
StaffCaller = Annotated[Caller, RequireRole(*STAFF_ROLES)]
PiiTextCaller = Annotated[Caller, RequireRole(*STAFF_ROLES, scope="pii")]


def pii_text_caller(caller: PiiTextCaller) -> Caller:
    """Allow the PII text tools to staff and to service keys with the `pii` scope."""
    return caller


def json_body(model: type[Model], raw: bytes, content_type: str | None) -> Model:
    """Validate a JSON request body read by the route itself (as FastAPI would: 422 if bad).

    Hot `async` routes read the body, then authenticate and validate it in their one trip to
    the thread pool, so an unauthenticated caller still meets 401 before any 422.
    """
    kind = (content_type or "application/json").split(";", 1)[0].strip().lower()
    if not raw:
        problems = [{"type": "missing", "loc": ("body",), "msg": "Field required"}]
        raise RequestValidationError(problems)
    if kind != "application/json" and not kind.endswith("+json"):
        problems = [{"type": "model_attributes_type", "loc": ("body",), "msg": "not JSON"}]
        raise RequestValidationError(problems)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


def json_body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """Return `openapi_extra` documenting a JSON body a route reads itself (see `json_body`)."""
    schema = model.model_json_schema(by_alias=True)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}

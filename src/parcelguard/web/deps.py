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
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from parcelguard.access.guards import require
from parcelguard.access.principals import Caller
from parcelguard.access.roles import STAFF_ROLES, Role
from parcelguard.errors import NotAuthenticated
from parcelguard.runtime import Runtime

bearer = HTTPBearer(auto_error=False, description="A ParcelGuard API key: `pg_<id>_<secret>`.")
SESSION_COOKIE = "pg_session"
SessionAuthenticator = Callable[[Runtime, Session, str], Caller]


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


def get_runtime(request: Request) -> Runtime:
    """Return the application's runtime."""
    rt: Runtime = request.app.state.runtime
    return rt


def get_session(request: Request) -> Iterator[Session]:
    """Open the request's one transaction; it commits after the handler returns."""
    with get_runtime(request).db.session() as session:
        yield session


def get_caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> Caller:
    """Return who is calling: a bearer key first, else a signed-in browser session."""
    rt = get_runtime(request)
    cached = getattr(request.state, "caller", None)
    if isinstance(cached, Caller):
        return cached
    from parcelguard.access import service

    if credentials is not None:
        with rt.db.read_session() as session:
            caller = service.authenticate_key(rt, session, credentials.credentials, touch=False)
            stale = caller.key_id is not None and _stale(rt, session, caller.key_id)
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


def _stale(rt: Runtime, session: Session, key_id: str) -> bool:
    from parcelguard.access.service import key_is_stale

    return key_is_stale(session, rt.tenant, key_id, rt.clock.now())


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


def RequireRole(*roles: Role, scope: str | None = None) -> Any:
    """Return the dependency of a caller of one of `roles`, or a service key with `scope`.

    `caller: Annotated[Caller, RequireRole(Role.CLERK, Role.ADMIN)]`; anyone else is refused
    with 403 `role_not_allowed` (or `scope_missing`) before the route runs.
    """

    def allowed(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        require(caller, roles=roles, scope=scope)
        return caller

    return Depends(allowed)


AnyCaller = Annotated[Caller, Depends(get_caller)]
StaffCaller = Annotated[Caller, RequireRole(*STAFF_ROLES)]
PiiTextCaller = Annotated[Caller, RequireRole(*STAFF_ROLES, scope="pii")]


def pii_text_caller(caller: PiiTextCaller) -> Caller:
    """Allow the PII text tools to staff and to service keys with the `pii` scope."""
    return caller

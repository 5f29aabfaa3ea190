"""FastAPI dependencies every router shares: the runtime, transactions, the caller.

The caller is authenticated by a bearer API key, or by a browser session cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from parcelguard.access.principals import Caller
from parcelguard.errors import NotAuthenticated
from parcelguard.runtime import Runtime

bearer = HTTPBearer(auto_error=False, description="A ParcelGuard API key: `pg_<id>_<secret>`.")
SESSION_COOKIE = "pg_session"
SessionAuthenticator = Callable[[Runtime, Session, str], Caller]


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
    token = request.cookies.get(SESSION_COOKIE)
    authenticate: SessionAuthenticator | None = rt.extras.get("access.session_authenticator")
    if not token or authenticate is None:
        raise NotAuthenticated(
            "send `Authorization: Bearer <API key>` or sign in", code="not_authenticated"
        )
    with rt.db.session() as session:
        caller = authenticate(rt, session, token)
    request.state.caller = caller
    return caller


def _stale(rt: Runtime, session: Session, key_id: str) -> bool:
    from parcelguard.access.models import ApiKey
    from parcelguard.access.service import key_needs_touch

    key = session.get(ApiKey, (rt.tenant, key_id))
    return key is not None and key_needs_touch(key, rt.clock.now())


def pii_text_caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> Caller:
    """Allow the PII text tools to staff and to service keys with the `pii` scope."""
    from parcelguard.access.guards import STAFF, require

    caller = get_caller(request, credentials)
    require(caller, roles=STAFF, scope="pii")
    return caller

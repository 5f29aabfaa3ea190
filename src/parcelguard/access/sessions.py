"""Browser sessions of staff signed in with a passkey: cookie token, CSRF token and step-up.

The cookie holds 256 random bits; only their SHA-256 is stored, so a copy of the database
signs nobody in. Each session carries its own CSRF token, which state-changing requests made
with the cookie must echo (`web.csrf` checks it before every route). `step_up_at` is the
time of the session's last passkey assertion: the reveal policy demands a recent one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from parcelguard.access import service
from parcelguard.access.guards import STAFF
from parcelguard.access.models import WebSession
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import NotAuthenticated
from parcelguard.runtime import Runtime

COOKIE = "pg_session"
LIFETIME = timedelta(hours=8)
STEP_UP_FRESH = timedelta(minutes=5)  # for adding a passkey; reveal reads its own policy


@dataclass(frozen=True)
class OpenedSession:
    """A new session as the browser gets it: the cookie value is shown this once."""

    principal_id: str
    role: str
    token: str = field(repr=False)
    csrf_token: str = field(repr=False)
    expires_at: datetime
    step_up_at: datetime | None


def token_hash(token: str) -> bytes:
    """Return the stored form of a session token (256 random bits need no slow hash)."""
    return hashlib.sha256(token.encode()).digest()


def open_session(
    rt: Runtime, session: Session, principal_id: str, role: str, *, step_up_at: datetime | None
) -> OpenedSession:
    """Start a session for a person; expired sessions of the tenant are swept on the way."""
    now = rt.clock.now()
    sweep(rt, session, now)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + LIFETIME
    store(rt, session, token, principal_id, "staff", csrf, now, expires, step_up_at=step_up_at)
    return OpenedSession(principal_id, role, token, csrf, expires, step_up_at)


def sweep(rt: Runtime, session: Session, now: datetime, *, kind: str | None = None) -> None:
    """Delete the tenant's sessions (of `kind`; None: every kind) that expired by `now`."""
    expired = delete(WebSession).where(
        WebSession.tenant_id == rt.tenant, WebSession.expires_at <= now
    )
    session.execute(expired if kind is None else expired.where(WebSession.kind == kind))


def store(
    rt: Runtime,
    session: Session,
    token: str,
    principal_id: str,
    kind: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
    *,
    step_up_at: datetime | None = None,
) -> None:
    """Store a new session under the hash of its cookie value."""
    session.add(
        WebSession(
            tenant_id=rt.tenant,
            session_hash=token_hash(token),
            principal_id=principal_id,
            kind=kind,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
            step_up_at=step_up_at,
        )
    )
    session.flush()


def forget(rt: Runtime, session: Session, token: str, *, kind: str) -> None:
    """Delete the session of a cookie value, if it is of `kind`."""
    session.execute(
        delete(WebSession).where(
            WebSession.tenant_id == rt.tenant,
            WebSession.session_hash == token_hash(token),
            WebSession.kind == kind,
        )
    )


def find_live(
    rt: Runtime, session: Session, token: str, *, kind: str | None = "staff"
) -> WebSession | None:
    """Return the unexpired session (of `kind`; None: any kind) a cookie stands for, or None."""
    if not token or len(token) > 128:
        return None
    row = session.get(WebSession, (rt.tenant, token_hash(token)))
    if row is None or row.expires_at <= rt.clock.now():
        return None
    return row if kind is None or row.kind == kind else None


def get_live_or_raise(rt: Runtime, session: Session, token: str) -> WebSession:
    """Return the live session of a cookie value, or raise `NotAuthenticated`."""
    row = find_live(rt, session, token)
    if row is None:
        raise NotAuthenticated("the session ended; sign in again", code="session_expired")
    return row


def authenticate_session(rt: Runtime, session: Session, token: str) -> Caller:
    """Return the caller a session cookie stands for (`via="session"`, with its step-up)."""
    row = get_live_or_raise(rt, session, token)
    principal = service.get(session, rt.tenant, row.principal_id)
    if principal is None or principal.status != "active" or principal.role not in STAFF:
        raise NotAuthenticated("this account is disabled", code="principal_disabled")
    return service.caller_for(principal, via="session", step_up_at=row.step_up_at)


def step_up_is_fresh(caller: Caller, now: datetime) -> bool:
    """Return whether the caller's last passkey assertion is recent enough to add a passkey."""
    return caller.step_up_at is not None and now - caller.step_up_at <= STEP_UP_FRESH


def record_step_up(rt: Runtime, session: Session, token: str, at: datetime) -> WebSession:
    """Set the time of the session's latest passkey assertion."""
    row = get_live_or_raise(rt, session, token)
    row.step_up_at = at
    session.flush()
    return row


def close_session(rt: Runtime, session: Session, token: str) -> bool:
    """End a session (sign-out); return whether there was a live one, auditing it if so."""
    row = find_live(rt, session, token)
    if row is None:
        return False
    principal = service.get(session, rt.tenant, row.principal_id)
    actor = Actor(row.principal_id, principal.role if principal else "unknown")
    session.delete(row)
    auditor_for(rt).record(session, actor, Entry("session.sign_out", "principal", actor.id))
    session.flush()
    return True

"""A person's browser session after a one-time code: a `WebSession` of kind "person".

The cookie holds 256 random bits; the database keeps their SHA-256 and the verified phone,
sealed under a key derived from the cookie value, so the rows alone sign nobody in and name
nobody. The session's CSRF token guards every form the person posts (`web.csrf`).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from parcelguard.access import sessions as web_sessions
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.crypto import FieldCipher, field_aad
from parcelguard.errors import IntegrityError, NotAuthenticated
from parcelguard.pii.masking import mask_phone
from parcelguard.pii.normalize import Phone
from parcelguard.portal.models import PersonSessionPhone
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive

COOKIE = "pg_portal"
KIND = "person"
ROLE = "recipient"


@dataclass(frozen=True)
class OpenedPersonSession:
    """A new session as the browser gets it: the cookie value is shown this once."""

    person_id: str
    token: str = field(repr=False)
    csrf_token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True)
class Person:
    """A signed-in recipient or sender, as one request sees them."""

    caller: Caller
    phone: Sensitive
    csrf_token: str = field(repr=False)
    expires_at: datetime

    @property
    def person_id(self) -> str:
        """Return the person's id (the hex of their phone's blind index)."""
        return self.caller.principal_id

    @property
    def digest(self) -> bytes:
        """Return the blind index of the person's phone."""
        assert self.caller.phone_digest is not None
        return self.caller.phone_digest

    @property
    def actor(self) -> Actor:
        """Return the audit actor for this person."""
        return self.caller.actor

    @property
    def phone_masked(self) -> str:
        """Return the person's phone as lists show it."""
        return mask_phone(self.phone.reveal())


def person_id_for(digest: bytes) -> str:
    """Return the id a person acts under: the hex of their phone's blind index."""
    return digest.hex()


def caller_for(digest: bytes) -> Caller:
    """Return the reveal caller of a verified person (policy role `recipient`, own data only)."""
    return Caller(principal_id=person_id_for(digest), role=ROLE, via="person", phone_digest=digest)


def _cipher(token: str) -> FieldCipher:
    return FieldCipher(hmac.new(token.encode(), b"parcelguard\x1fportal-phone", "sha256").digest())


def _aad(rt: Runtime, token_hash: bytes) -> bytes:
    return field_aad(rt.tenant, f"portal_session/{token_hash.hex()}", "phone")


def open_session(
    rt: Runtime, session: Session, phone: Phone, digest: bytes, lifetime: timedelta
) -> OpenedPersonSession:
    """Start a person's session; expired person sessions of the tenant are swept on the way."""
    now = rt.clock.now()
    web_sessions.sweep(rt, session, now, kind=KIND)
    session.execute(
        delete(PersonSessionPhone).where(
            PersonSessionPhone.tenant_id == rt.tenant, PersonSessionPhone.expires_at <= now
        )
    )
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    token_hash = web_sessions.token_hash(token)
    expires = now + lifetime
    web_sessions.store(rt, session, token, person_id_for(digest), KIND, csrf, now, expires)
    session.add(
        PersonSessionPhone(
            tenant_id=rt.tenant,
            session_hash=token_hash,
            phone_ct=_cipher(token).seal(phone.national, _aad(rt, token_hash)),
            expires_at=expires,
        )
    )
    session.flush()
    return OpenedPersonSession(person_id_for(digest), token, csrf, expires)


def find(rt: Runtime, session: Session, token: str) -> Person | None:
    """Return the person a cookie value stands for, or None when it is unknown or expired."""
    if not token or len(token) > 128:
        return None
    token_hash = web_sessions.token_hash(token)
    row = web_sessions.find_live(rt, session, token, kind=KIND)
    sealed = session.get(PersonSessionPhone, (rt.tenant, token_hash))
    if row is None or sealed is None:
        return None
    try:
        phone = _cipher(token).open(sealed.phone_ct, _aad(rt, token_hash))
        digest = bytes.fromhex(row.principal_id)
    except (IntegrityError, ValueError):
        return None
    return Person(caller_for(digest), phone, row.csrf_token, row.expires_at)


def require(rt: Runtime, session: Session, token: str) -> Person:
    """Return the signed-in person, or raise `NotAuthenticated`."""
    person = find(rt, session, token)
    if person is None:
        raise NotAuthenticated("sign in with a one-time code", code="not_signed_in")
    return person


def close(rt: Runtime, session: Session, token: str) -> bool:
    """End a person's session (sign-out); return whether there was a live one."""
    person = find(rt, session, token)
    token_hash = web_sessions.token_hash(token or "")
    session.execute(
        delete(PersonSessionPhone).where(
            PersonSessionPhone.tenant_id == rt.tenant, PersonSessionPhone.session_hash == token_hash
        )
    )
    web_sessions.forget(rt, session, token or "", kind=KIND)
    if person is not None:
        auditor_for(rt).record(session, person.actor, Entry("portal.signout", "person", None))
    return person is not None

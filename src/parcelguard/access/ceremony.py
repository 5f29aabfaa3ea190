"""What every passkey ceremony shares: single-use challenges and an audited finish.

A challenge lives two minutes and is deleted by the first finish that names it, whether the
finish then succeeds or not, so an answer can never be replayed. The finish runs in one
transaction: its work in a savepoint, so that a refusal leaves nothing behind but the spent
challenge and its audit event, which are committed before the refusal is raised.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlalchemy.orm import Session

from parcelguard.access.models import Challenge
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import NotAuthenticated
from parcelguard.runtime import Runtime

CHALLENGE_TTL = timedelta(minutes=2)
ANONYMOUS = Actor("anonymous", "anonymous")
T = TypeVar("T")


@dataclass(frozen=True)
class Ceremony:
    """A started ceremony: the challenge's id and the options the browser needs."""

    challenge_id: str
    options: dict[str, Any]


@dataclass
class Attempt:
    """What a finish's audit event says; filled in as the ceremony learns who it is."""

    action: str
    actor: Actor = ANONYMOUS
    details: dict[str, Any] = field(default_factory=dict)
    target: str | None = None  # the person concerned, even while unproven
    # Further events of a successful finish. The work itself never audits: its savepoint may
    # be rolled back, and an event must not outlive what it describes.
    also: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Spent:
    """A challenge taken out of the store: whom it was issued for, and its bytes."""

    principal_id: str | None
    challenge: bytes

    def require_for(self, principal_id: str | None) -> bytes:
        """Return the bytes if the challenge was issued for this person (None: sign-in)."""
        if self.principal_id != principal_id:
            raise NotAuthenticated("unknown or spent challenge", code="challenge_unknown")
        return self.challenge


def new_challenge(
    rt: Runtime, session: Session, kind: str, principal_id: str | None, challenge: bytes
) -> str:
    """Store a challenge of `kind` ("register", "login", "step_up"); return its id."""
    now = rt.clock.now()
    session.execute(
        delete(Challenge).where(Challenge.tenant_id == rt.tenant, Challenge.expires_at <= now)
    )
    challenge_id = secrets.token_urlsafe(24)
    session.add(
        Challenge(
            tenant_id=rt.tenant,
            challenge_id=challenge_id,
            principal_id=principal_id,
            kind=kind,
            challenge=challenge,
            expires_at=now + CHALLENGE_TTL,
        )
    )
    session.flush()
    return challenge_id


def spend_challenge(rt: Runtime, session: Session, challenge_id: str, kind: str) -> Spent:
    """Delete the challenge and return it; a second spender (a replay) finds nothing."""
    row = session.execute(
        delete(Challenge)
        .where(Challenge.tenant_id == rt.tenant, Challenge.challenge_id == challenge_id[:64])
        .returning(
            Challenge.kind, Challenge.principal_id, Challenge.challenge, Challenge.expires_at
        )
    ).first()
    if row is None or row.kind != kind:
        raise NotAuthenticated("unknown or spent challenge", code="challenge_unknown")
    if row.expires_at <= rt.clock.now():
        raise NotAuthenticated("the challenge expired; start again", code="challenge_expired")
    return Spent(row.principal_id, bytes(row.challenge))


def finish(
    rt: Runtime,
    attempt: Attempt,
    challenge: tuple[str, str],
    work: Callable[[Session, Attempt, Spent], T],
) -> T:
    """Spend the challenge `(id, kind)`, run `work` in a savepoint, audit and commit.

    A refusal (`NotAuthenticated` from the work) is raised only after the commit.
    """
    refused: NotAuthenticated | None = None
    with rt.db.session() as session:
        try:
            spent = spend_challenge(rt, session, *challenge)
            with session.begin_nested():
                result = work(session, attempt, spent)
        except NotAuthenticated as exc:
            refused = exc
        target = attempt.target or (None if attempt.actor is ANONYMOUS else attempt.actor.id)
        entry = Entry(
            attempt.action,
            "principal",
            target,
            decision="deny" if refused else "allow",
            reason=refused.code if refused else None,
            details=attempt.details,
        )
        entries = [entry] if refused else [entry, *attempt.also]
        auditor_for(rt).record_many(session, attempt.actor, entries)
    if refused is not None:
        raise refused
    return result

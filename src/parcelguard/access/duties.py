"""Separation of duties: nobody acts on their own case, two-person rules need unrelated people.

The rules every use case applies before acting for a person:

- nobody changes their own privileges, restores themselves or acts on an alert about
  themselves (`not_self`);
- a person who acts must be active and, for an officer's duty, not suspended
  (`active_person`);
- two people of a two-person rule are "related" when one created the other's account or
  asked for or approved the other's role within the cool-off (`[duties] cooloff_days`,
  default 7): related people cannot stand in for each other (`require_unrelated`).

A refusal of this kind is a signal a security officer should see: `audited_refusals()` records
it as a `duties.refused` audit event after the refused transaction rolled back (the monitor's
`duty_conflict` rule turns it into an alert), then lets the error go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from parcelguard.access.models import Principal, RoleGrant
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import Denied
from parcelguard.runtime import Runtime

OFFICER = "security_officer"


class DutiesConfig(BaseModel):
    """The `[duties]` table of config.toml."""

    model_config = ConfigDict(extra="forbid")

    cooloff_days: int = Field(default=7, ge=1, le=365)
    reported_skew_minutes: int = Field(default=15, ge=0, le=120)


def duties_config(rt: Runtime) -> DutiesConfig:
    """Return the runtime's validated `[duties]` settings."""
    return rt.settings.section("duties", DutiesConfig)


class DutyRefused(Denied):
    """Refused because a person would act on their own case; audited as `duties.refused`."""

    def __init__(self, message: str, *, code: str, subject: str | None = None) -> None:
        super().__init__(message, code=code)
        self.subject = subject


@contextmanager
def audited_refusals(rt: Runtime, actor: Actor, action: str) -> Iterator[None]:
    """Record a `DutyRefused` raised inside (after its transaction rolled back), then re-raise.

    Open the block outside the transaction: `with audited_refusals(...), db.session() as s:`.
    """
    try:
        yield
    except DutyRefused as refused:
        details: dict[str, Any] = {"attempted": action, "subject_id": refused.subject}
        with rt.db.session() as session:
            auditor_for(rt).record(
                session,
                actor,
                Entry(
                    "duties.refused",
                    "principal",
                    actor.id[:32],
                    decision="deny",
                    reason=refused.code,
                    details=details,
                ),
            )
        raise


def not_self(actor: Actor, subject_id: str, what: str) -> None:
    """Refuse when `actor` would act on their own privileges."""
    if actor.id == subject_id:
        raise DutyRefused(f"nobody {what} themselves", code="self_action", subject=subject_id)


def active_person(session: Session, actor: Actor, tenant_id: str, *, officer: bool) -> None:
    """Refuse an actor who is not an active principal (or, for `officer`, a suspended one)."""
    principal = session.get(Principal, (tenant_id, actor.id))
    if principal is None or principal.status != "active":
        raise Denied("this account is not active", code="principal_disabled")
    if officer and (principal.role != OFFICER or principal.reveal_suspended):
        code = "officer_suspended" if principal.reveal_suspended else "officer_required"
        raise Denied("an active, unsuspended security officer must do this", code=code)


def related(session: Session, tenant_id: str, a: str, b: str, since: datetime) -> bool:
    """Return whether a created, asked for or approved b's role since `since`, or b a's."""
    pairs = [(a, b), (b, a)]
    query = select(RoleGrant.grant_id).where(
        RoleGrant.tenant_id == tenant_id,
        RoleGrant.status == "granted",
        RoleGrant.decided_at >= since,
        or_(
            *(
                and_(
                    RoleGrant.principal_id == subject,
                    or_(RoleGrant.requested_by == maker, RoleGrant.decided_by == maker),
                )
                for subject, maker in pairs
            )
        ),
    )
    return session.scalars(query.limit(1)).first() is not None


def require_unrelated(
    rt: Runtime, session: Session, person: str, others: Iterable[str], what: str
) -> None:
    """Refuse `person` when they are related to any of `others` within the cool-off."""
    since = rt.clock.now() - timedelta(days=duties_config(rt).cooloff_days)
    for other in others:
        if other != person and related(session, rt.tenant, person, other, since):
            raise DutyRefused(
                f"{what}: people who made each other's roles within the cool-off cannot "
                "stand in for each other",
                code="related_within_cooloff",
                subject=other,
            )


MANAGERS = ("admin", "operator", "system")  # who manages accounts (operator: the local CLI)


def require_actor(actor: Actor, roles: Iterable[str], what: str) -> None:
    """Refuse an actor whose role is not among `roles`."""
    if actor.role not in set(roles):
        raise Denied(f"a {actor.role} may not {what}", code="role_not_allowed")

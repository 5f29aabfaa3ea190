"""People provisioned from a company directory (SSO sign-in, SCIM): create, update, deactivate.

An identity provider creates and changes accounts through the same rules as an admin: a new
security officer, or a promotion to one, waits for a second officer (`grants`). A directory
never makes the first officer of a tenant: that bootstrap stays a local, deliberate act.
Deactivation ends every browser session and revokes every API key of the person at once, in
the same transaction as its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from parcelguard.access import duties, grants, service
from parcelguard.access.models import ROLES, ApiKey, Principal, WebSession
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import Denied, InvalidInput
from parcelguard.pii.masking import mask_name
from parcelguard.runtime import Runtime

STAFF_ROLES = tuple(r for r in ROLES if r != "service")


@dataclass(frozen=True)
class Ended:
    """What a deactivation took away."""

    sessions: int
    api_keys: int


def create_person(
    rt: Runtime,
    session: Session,
    *,
    name: str,
    role: str,
    station: str | None,
    actor: Actor,
    source: str,
    employee_no: str | None = None,
) -> Principal:
    """Create a member of staff without an API key; an officer waits for a second officer."""
    duties.require_actor(actor, duties.MANAGERS, "create accounts")
    if role not in STAFF_ROLES:
        raise InvalidInput("a directory provisions staff roles only", code="invalid_role")
    if role == duties.OFFICER and not grants.officers_exist(session, rt.tenant):
        raise Denied(
            "the first security officer is created locally, never by a directory",
            code="officer_bootstrap_local",
        )
    pid = new_id()
    principal = Principal(
        tenant_id=rt.tenant,
        principal_id=pid,
        role=role,
        name=name.strip()[:80] or "?",
        name_masked=mask_name(name.strip() or "?"),
        employee_no=(employee_no or f"E{pid[-6:].upper()}")[:32],
        station_id=station,
        trained_until=None,
        scopes="[]",
        status="active",
        reveal_suspended=False,
        created_at=rt.clock.now(),
    )
    session.add(principal)
    grant = grants.on_create(rt, session, actor, principal)
    session.flush()
    details = {
        "principal_id": pid,
        "role": role,
        "station": station,
        "status": principal.status,
        "grant_id": grant.grant_id,
        "bootstrap": False,
        "source": source,
    }
    auditor_for(rt).record(
        session, actor, Entry("principal.create", "principal", pid, details=details)
    )
    return principal


def update_person(
    rt: Runtime,
    session: Session,
    principal: Principal,
    *,
    actor: Actor,
    name: str | None = None,
    role: str | None = None,
    station: str | None = None,
) -> None:
    """Apply a directory's changes; a role change goes through the grant rules."""
    duties.require_actor(actor, duties.MANAGERS, "update accounts")
    changed: dict[str, object] = {}
    if name is not None and name.strip() and name.strip() != principal.name:
        principal.name, principal.name_masked = name.strip()[:80], mask_name(name.strip())
        changed["name"] = True
    if station is not None and station != principal.station_id:
        principal.station_id = station
        changed["station"] = station
    if changed:
        details = {"principal_id": principal.principal_id, **changed}
        auditor_for(rt).record(
            session,
            actor,
            Entry("principal.update", "principal", principal.principal_id, details=details),
        )
    if role is not None and role != principal.role:
        if role not in STAFF_ROLES:
            raise InvalidInput("a directory provisions staff roles only", code="invalid_role")
        if grants.pending_for(session, rt.tenant, principal.principal_id) is not None:
            return  # a directory re-sends; one waiting grant is enough
        grants.change_role(rt, session, actor, principal.principal_id, role)


def deactivate(
    rt: Runtime, session: Session, actor: Actor, principal_id: str, *, reason: str
) -> Ended:
    """Disable a person: every session ends and every API key is revoked, now, audited."""
    duties.require_actor(actor, (*duties.MANAGERS, duties.OFFICER), "deactivate accounts")
    principal = service.get_or_raise(session, rt.tenant, principal_id)
    now = rt.clock.now()
    ended = session.execute(
        delete(WebSession).where(
            WebSession.tenant_id == rt.tenant, WebSession.principal_id == principal_id
        )
    )
    keys = list(
        session.scalars(
            select(ApiKey).where(
                ApiKey.tenant_id == rt.tenant,
                ApiKey.principal_id == principal_id,
                ApiKey.revoked_at.is_(None),
            )
        )
    )
    for key in keys:
        key.revoked_at = now
    was = principal.status
    principal.status = "disabled"
    result = Ended(sessions=int(getattr(ended, "rowcount", 0) or 0), api_keys=len(keys))
    details = {
        "principal_id": principal_id,
        "previous_status": was,
        "sessions_ended": result.sessions,
        "api_keys_revoked": [k.key_id for k in keys],
    }
    auditor_for(rt).record(
        session,
        actor,
        Entry("principal.deactivate", "principal", principal_id, reason=reason, details=details),
    )
    session.flush()
    return result


def reactivate(rt: Runtime, session: Session, actor: Actor, principal_id: str) -> Principal:
    """Enable a disabled person again (their old keys stay revoked; sessions start anew)."""
    duties.require_actor(actor, duties.MANAGERS, "reactivate accounts")
    principal = service.get_or_raise(session, rt.tenant, principal_id)
    if principal.status == "disabled":
        principal.status = "active"
        if principal.role == duties.OFFICER:
            # Back to officer is a grant again: it waits for a second officer.
            if not grants.officers_exist(session, rt.tenant, principal_id):
                raise Denied(
                    "the first security officer is restored locally, never by a directory",
                    code="officer_bootstrap_local",
                )
            grants.on_create(rt, session, actor, principal)
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "principal.reactivate",
                "principal",
                principal_id,
                details={"principal_id": principal_id},
            ),
        )
    return principal

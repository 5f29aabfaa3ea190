"""Role grants: who made whom what, and the second officer a security officer's role waits for.

Every account creation and role change is a `RoleGrant`. A grant that makes someone a security
officer (a new account, a promotion) or takes the role away waits for an existing officer who
is neither the person nor whoever asked; until then the new account cannot sign in and a
promotion has not happened. The first officer of a tenant is the exception (bootstrap):
while no active officer exists, the role is granted at once, and the audit event says so
(`details.bootstrap`); the monitor alerts on it as on every privilege change.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access import duties
from parcelguard.access.models import ROLES, Principal, RoleGrant
from parcelguard.access.results import GrantView
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import Conflict, Denied, InvalidInput, NotFound
from parcelguard.runtime import Runtime

OFFICER = duties.OFFICER
PENDING = "pending"


def officers_exist(session: Session, tenant_id: str, besides: str = "") -> bool:
    """Return whether the tenant has an active security officer (other than `besides`)."""
    query = select(Principal.principal_id).where(
        Principal.tenant_id == tenant_id,
        Principal.role == OFFICER,
        Principal.status == "active",
        Principal.principal_id != besides,
    )
    return session.scalars(query.limit(1)).first() is not None


def on_create(rt: Runtime, session: Session, actor: Actor, principal: Principal) -> RoleGrant:
    """Record the grant of a new account's role; an officer's waits unless it is the first."""
    now = rt.clock.now()
    waits = principal.role == OFFICER and officers_exist(session, rt.tenant, principal.principal_id)
    grant = _grant(rt, principal, principal.role, None, "create", actor)
    if waits:
        principal.status = PENDING
    else:
        grant.status, grant.decided_at = "granted", now
    session.add(grant)
    return grant


def change_role(
    rt: Runtime, session: Session, actor: Actor, principal_id: str, role: str
) -> RoleGrant:
    """Change a person's role; to or from security officer it waits for an officer."""
    duties.require_actor(actor, duties.MANAGERS, "change roles")
    duties.not_self(actor, principal_id, "changes the role of")
    principal = _principal(session, rt.tenant, principal_id)
    if role not in ROLES or "service" in (role, principal.role):
        raise InvalidInput(
            "role must be a staff role; service accounts keep theirs", code="invalid_role"
        )
    if role == principal.role:
        raise Conflict(f"the principal already is a {role}", code="same_role")
    grant = _grant(rt, principal, role, principal.role, "change", actor)
    session.add(grant)
    officer_change = OFFICER in (role, principal.role)
    if officer_change and officers_exist(session, rt.tenant, principal.principal_id):
        _audit(rt, session, actor, "principal.role_request", grant)
        return grant
    grant.status, grant.decided_at = "granted", rt.clock.now()
    principal.role = role
    _audit(rt, session, actor, "principal.role_change", grant)
    return grant


def approve(rt: Runtime, session: Session, actor: Actor, grant_id: str) -> RoleGrant:
    """Approve a waiting grant as a second security officer."""
    grant = _decidable(rt, session, grant_id, actor)
    principal = _principal(session, rt.tenant, grant.principal_id)
    grant.status, grant.decided_by, grant.decided_at = "granted", actor.id, rt.clock.now()
    if grant.kind == "create":
        principal.status = "active"
    else:
        principal.role = grant.role
    _audit(rt, session, actor, "principal.role_grant", grant)
    return grant


def refuse(rt: Runtime, session: Session, actor: Actor, grant_id: str) -> RoleGrant:
    """Refuse a waiting grant; a new account that waited for it stays unable to sign in."""
    grant = _decidable(rt, session, grant_id, actor)
    grant.status, grant.decided_by, grant.decided_at = "refused", actor.id, rt.clock.now()
    if grant.kind == "create":
        _principal(session, rt.tenant, grant.principal_id).status = "refused"
    _audit(rt, session, actor, "principal.role_refuse", grant)
    return grant


def pending(session: Session, tenant_id: str) -> list[RoleGrant]:
    """Return the grants waiting for an officer, oldest first."""
    query = select(RoleGrant).where(RoleGrant.tenant_id == tenant_id, RoleGrant.status == PENDING)
    return list(session.scalars(query.order_by(RoleGrant.requested_at)))


def grant_view(grant: RoleGrant) -> GrantView:
    """Return a grant as lists and answers show it (ids, roles, dates; no names)."""
    return {
        "id": grant.grant_id,
        "principal_id": grant.principal_id,
        "role": grant.role,
        "previous_role": grant.previous_role,
        "kind": grant.kind,
        "status": grant.status,
        "requested_by": grant.requested_by,
        "requested_at": grant.requested_at.isoformat(),
        "decided_by": grant.decided_by,
        "decided_at": grant.decided_at.isoformat() if grant.decided_at else None,
    }


def _decidable(rt: Runtime, session: Session, grant_id: str, actor: Actor) -> RoleGrant:
    """Return a waiting grant `actor` may decide, or refuse."""
    if actor.role != OFFICER:
        raise Denied("only a security officer decides a role grant", code="officer_required")
    duties.active_person(session, actor, rt.tenant, officer=True)
    grant = session.get(RoleGrant, (rt.tenant, grant_id.strip()[:32]))
    if grant is None:
        raise NotFound(f"no role grant {grant_id.strip()[:32]!r}", code="grant_not_found")
    if grant.status != PENDING:
        raise Conflict(f"grant {grant.grant_id} is {grant.status}", code="grant_not_pending")
    duties.not_self(actor, grant.principal_id, "approves a role for")
    if actor.id == grant.requested_by:
        raise duties.DutyRefused(
            "a second officer must decide what one asked for",
            code="second_officer_required",
            subject=grant.principal_id,
        )
    return grant


def _grant(
    rt: Runtime, principal: Principal, role: str, previous: str | None, kind: str, actor: Actor
) -> RoleGrant:
    return RoleGrant(
        tenant_id=rt.tenant,
        grant_id="G" + new_id()[-11:].upper(),
        principal_id=principal.principal_id,
        role=role,
        previous_role=previous,
        kind=kind,
        status=PENDING,
        requested_by=actor.id[:64],
        requested_at=rt.clock.now(),
    )


def _principal(session: Session, tenant_id: str, principal_id: str) -> Principal:
    principal = session.get(Principal, (tenant_id, principal_id))
    if principal is None:
        raise NotFound(f"no principal {principal_id!r}", code="principal_not_found")
    return principal


def _audit(rt: Runtime, session: Session, actor: Actor, action: str, grant: RoleGrant) -> None:
    details = {
        "principal_id": grant.principal_id,
        "grant_id": grant.grant_id,
        "role": grant.role,
        "previous_role": grant.previous_role,
        "requested_by": grant.requested_by,
    }
    auditor_for(rt).record(
        session, actor, Entry(action, "principal", grant.principal_id, details=details)
    )


def decide_grant(rt: Runtime, actor: Actor, grant_id: str, *, approved: bool) -> GrantView:
    """Approve or refuse a grant in its own transaction; a self-serving try is audited."""
    with duties.audited_refusals(rt, actor, "role_grant"), rt.db.session() as session:
        grant = (approve if approved else refuse)(rt, session, actor, grant_id)
        return grant_view(grant)


def pending_for(session: Session, tenant_id: str, principal_id: str) -> str | None:
    """Return the id of the grant a principal waits for, if any."""
    query = select(RoleGrant.grant_id).where(
        RoleGrant.tenant_id == tenant_id,
        RoleGrant.principal_id == principal_id,
        RoleGrant.status == PENDING,
    )
    return session.scalars(query.limit(1)).first()

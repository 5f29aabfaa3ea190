"""Access use cases: principals, API keys, training, suspension, and staff phone numbers."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from parcelguard.access import duties, grants, keys
from parcelguard.access.models import ROLES as ROLES
from parcelguard.access.models import ApiKey
from parcelguard.access.models import Principal as Principal  # the record handed out
from parcelguard.access.principals import Caller
from parcelguard.access.results import ApiKeyView, StaffView
from parcelguard.access.schemas import NewPrincipal
from parcelguard.access.staff_phone import STAFF_EPOCH as STAFF_EPOCH
from parcelguard.access.staff_phone import find_by_phone as find_by_phone
from parcelguard.access.staff_phone import open_phone as open_phone
from parcelguard.access.staff_phone import seal_phone
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import Denied, InvalidInput, NotAuthenticated, NotFound
from parcelguard.pii.masking import mask_name
from parcelguard.runtime import Runtime

SCOPES = ("ingest", "read", "events", "labels", "relay", "pii", "reveal")


def create(rt: Runtime, session: Session, actor: Actor, new: NewPrincipal) -> tuple[Principal, str]:
    """Create a principal and its first API key; return both (the key is shown once).

    A new security officer waits for an existing officer's approval (`grants`); until then
    the principal's status is `pending` and its key does not authenticate.
    """
    duties.require_actor(actor, duties.MANAGERS, "create accounts")
    unknown = sorted(
        set(new.scopes) - set(SCOPES) - {s for s in new.scopes if s.startswith("reveal:")}
    )
    if unknown:
        raise InvalidInput(
            f"unknown scope; use {', '.join(SCOPES)} or reveal:<field>", code="unknown_scope"
        )
    pid = new_id()
    principal = Principal(
        tenant_id=rt.tenant,
        principal_id=pid,
        role=new.role,
        name=new.name.strip(),
        name_masked=mask_name(new.name),
        employee_no=new.employee_no or f"E{pid[-6:].upper()}",
        station_id=new.station,
        trained_until=new.trained_until,
        scopes=json.dumps(sorted(set(new.scopes))),
        status="active",
        reveal_suspended=False,
        created_at=rt.clock.now(),
    )
    if new.phone:
        seal_phone(rt, principal, new.phone)
    session.add(principal)
    grant = grants.on_create(rt, session, actor, principal)
    session.flush()
    key = issue_key(rt, session, actor, principal, days=new.key_days)
    details = {
        "principal_id": pid,
        "role": new.role,
        "station": new.station,
        "status": principal.status,
        "grant_id": grant.grant_id,
        "bootstrap": new.role == duties.OFFICER and grant.status == "granted",
    }
    auditor_for(rt).record(
        session, actor, Entry("principal.create", "principal", pid, details=details)
    )
    return principal, key


def get(session: Session, tenant_id: str, principal_id: str) -> Principal | None:
    """Return a principal by id."""
    return session.get(Principal, (tenant_id, principal_id))


def get_or_raise(session: Session, tenant_id: str, principal_id: str) -> Principal:
    """Return a principal or raise `NotFound`."""
    principal = get(session, tenant_id, principal_id)
    if principal is None:
        raise NotFound("no principal with this id", code="principal_not_found")
    return principal


def list_principals(session: Session, tenant_id: str, role: str | None = None) -> list[Principal]:
    """Return the tenant's principals, optionally of one role."""
    query = select(Principal).where(Principal.tenant_id == tenant_id)
    if role is not None:
        query = query.where(Principal.role == role)
    return list(session.scalars(query.order_by(Principal.created_at)))


def ids_for_staff(session: Session, tenant_id: str, text: str) -> list[str]:
    """Return the ids of the principals a person would type: employee number or name.

    Matches the employee number, the full name or the masked name as pages show it
    ("张*"), exactly; an empty text matches nobody.
    """
    text = text.strip()
    if not text:
        return []
    query = select(Principal.principal_id).where(
        Principal.tenant_id == tenant_id,
        or_(
            Principal.employee_no == text,
            Principal.name == text,
            Principal.name_masked == text,
        ),
    )
    return list(session.scalars(query))


def issue_key(
    rt: Runtime, session: Session, actor: Actor, principal: Principal, *, days: int = 180
) -> str:
    """Issue a new API key for a principal; the full key exists only in the return value."""
    duties.require_actor(actor, duties.MANAGERS, "issue API keys")
    duties.not_self(actor, principal.principal_id, "issues an API key to")
    key_id, full, digest = keys.new_key()
    now = rt.clock.now()
    session.add(
        ApiKey(
            tenant_id=rt.tenant,
            key_id=key_id,
            principal_id=principal.principal_id,
            secret_hash=digest,
            scopes=principal.scopes,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "apikey.issue",
            "principal",
            principal.principal_id,
            details={"principal_id": principal.principal_id, "key_id": key_id, "days": days},
        ),
    )
    return full


def revoke_key(rt: Runtime, session: Session, actor: Actor, key_id: str) -> None:
    """Revoke an API key by its prefix id (managers, security officers, or the key's owner)."""
    key = session.get(ApiKey, (rt.tenant, key_id))
    if key is None:
        raise NotFound("no API key with this id", code="key_not_found")
    if key.principal_id != actor.id:
        duties.require_actor(actor, (*duties.MANAGERS, duties.OFFICER), "revoke API keys")
    if key.revoked_at is None:
        key.revoked_at = rt.clock.now()
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "apikey.revoke",
                "principal",
                key.principal_id,
                details={"principal_id": key.principal_id, "key_id": key_id},
            ),
        )


def authenticate_key(
    rt: Runtime, session: Session, presented: str, *, touch: bool = True
) -> Caller:
    """Return the caller a bearer key stands for; unknown, revoked and expired keys fail alike.

    With `touch`, a key unused for five minutes gets its `last_used_at` updated (a write).
    """
    caller, stale = authenticate_bearer(rt, session, presented)
    if touch and stale:
        touch_key(rt, session, caller.key_id or "")
    return caller


_keys, _principals = ApiKey.__table__.c, Principal.__table__.c
# One indexed SELECT of the key and its principal, built once (its compiled form is cached).
_KEY_AND_PRINCIPAL = (
    select(
        _keys.secret_hash,
        _keys.revoked_at,
        _keys.expires_at,
        _keys.scopes,
        _keys.last_used_at,
        _principals.principal_id,
        _principals.role,
        _principals.station_id,
        _principals.trained_until,
        _principals.reveal_suspended,
        _principals.status,
    )
    .select_from(ApiKey.__table__)
    .outerjoin(
        Principal.__table__,
        (_principals.tenant_id == _keys.tenant_id)
        & (_principals.principal_id == _keys.principal_id),
    )
    .where(_keys.tenant_id == bindparam("tenant"), _keys.key_id == bindparam("key_id"))
)


def authenticate_bearer(rt: Runtime, session: Session, presented: str) -> tuple[Caller, bool]:
    """Return the caller of a bearer key and whether its last use is worth recording (stale).

    Reads nothing but one row (key joined to principal); writes nothing.
    """
    parts = keys.split_key(presented)
    if parts is None:
        raise NotAuthenticated("not a ParcelGuard API key", code="invalid_key")
    key_id, secret = parts
    row = session.execute(_KEY_AND_PRINCIPAL, {"tenant": rt.tenant, "key_id": key_id}).one_or_none()
    if row is None or not keys.matches(secret, row.secret_hash):
        raise NotAuthenticated("unknown API key", code="invalid_key")
    now = rt.clock.now()
    if row.revoked_at is not None:
        raise NotAuthenticated(f"API key {key_id} was revoked", code="key_revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise NotAuthenticated(f"API key {key_id} expired", code="key_expired")
    if row.principal_id is None or row.status != "active":
        raise NotAuthenticated(
            f"the principal of API key {key_id} is disabled", code="principal_disabled"
        )
    caller = Caller(
        principal_id=row.principal_id,
        role=row.role,
        station_id=row.station_id,
        trained_until=row.trained_until,
        reveal_suspended=row.reveal_suspended,
        scopes=frozenset(json.loads(row.scopes)),
        via="api_key",
        key_id=key_id,
    )
    return caller, _needs_touch(row.last_used_at, now)


def live_key_holder(session: Session, tenant_id: str, key_id: str) -> str | None:
    """Return whose an unrevoked API key is (None: no such key, or revoked)."""
    key = session.get(ApiKey, (tenant_id, key_id))
    return key.principal_id if key is not None and key.revoked_at is None else None


def key_is_stale(session: Session, tenant_id: str, key_id: str, now: datetime) -> bool:
    """Return whether a key's last use is old enough to be written again."""
    key = session.get(ApiKey, (tenant_id, key_id))
    return key is not None and key_needs_touch(key, now)


def key_needs_touch(key: ApiKey, now: datetime) -> bool:
    """Return whether a key's last use is older than five minutes."""
    return _needs_touch(key.last_used_at, now)


def _needs_touch(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at > timedelta(minutes=5)


def touch_key(rt: Runtime, session: Session, key_id: str) -> None:
    """Record that a key (and its principal) was used now, if not recorded recently."""
    key = session.get(ApiKey, (rt.tenant, key_id))
    now = rt.clock.now()
    if key is not None and key_needs_touch(key, now):
        key.last_used_at = now
        principal = get(session, rt.tenant, key.principal_id)
        if principal is not None:
            principal.last_seen_at = now


def caller_for(
    principal: Principal,
    *,
    via: str,
    key_id: str | None = None,
    scopes: list[str] | None = None,
    step_up_at: datetime | None = None,
) -> Caller:
    """Return the caller view of a principal."""
    return Caller(
        principal_id=principal.principal_id,
        role=principal.role,
        station_id=principal.station_id,
        trained_until=principal.trained_until,
        reveal_suspended=principal.reveal_suspended,
        scopes=frozenset(scopes if scopes is not None else json.loads(principal.scopes)),
        via=via,
        key_id=key_id,
        step_up_at=step_up_at,
    )


def set_training(
    rt: Runtime, session: Session, actor: Actor, principal_id: str, until: date
) -> Principal:
    """Record a privacy-training attestation valid until `until` (not one's own)."""
    duties.require_actor(actor, duties.MANAGERS, "record training")
    duties.not_self(actor, principal_id, "attests the training of")
    principal = get_or_raise(session, rt.tenant, principal_id)
    principal.trained_until = until
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "principal.training",
            "principal",
            principal_id,
            details={"principal_id": principal_id, "until": until.isoformat()},
        ),
    )
    return principal


def suspend_reveal(
    rt: Runtime, session: Session, actor: Actor, principal_id: str, reason: str
) -> Principal:
    """Take away a principal's reveal rights at once, pending review."""
    duties.require_actor(actor, (*duties.MANAGERS, duties.OFFICER), "suspend reveal rights")
    principal = get_or_raise(session, rt.tenant, principal_id)
    if principal.role == duties.OFFICER and actor.role not in (duties.OFFICER, "system"):
        # Suspended officers handle no alerts: only the monitor or another officer may do it.
        raise Denied("only an officer or the monitor suspends an officer", code="officer_required")
    if not principal.reveal_suspended:
        principal.reveal_suspended, principal.suspended_reason = True, reason
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "principal.suspend_reveal",
                "principal",
                principal_id,
                reason=reason,
                details={"principal_id": principal_id},
            ),
        )
    return principal


def restore_reveal(rt: Runtime, session: Session, actor: Actor, principal_id: str) -> Principal:
    """Give reveal rights back after the review of an active officer who is someone else."""
    if actor.role != duties.OFFICER:
        raise Denied("only a security officer restores reveal rights", code="officer_required")
    duties.not_self(actor, principal_id, "restores")
    duties.active_person(session, actor, rt.tenant, officer=True)
    principal = get_or_raise(session, rt.tenant, principal_id)
    if principal.reveal_suspended:
        principal.reveal_suspended, principal.suspended_reason = False, None
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "principal.restore_reveal",
                "principal",
                principal_id,
                details={"principal_id": principal_id},
            ),
        )
    return principal


def counts_by_role(session: Session, tenant_id: str) -> dict[str, int]:
    """Return how many active principals each role has (for `doctor`)."""
    rows = session.execute(
        select(Principal.role, func.count())
        .where(Principal.tenant_id == tenant_id, Principal.status == "active")
        .group_by(Principal.role)
    ).all()
    found = {role: 0 for role in ROLES}
    found.update({role: int(n) for role, n in rows})
    return found


def public_view(principal: Principal) -> StaffView:
    """Return what lists of staff show."""
    return {
        "id": principal.principal_id,
        "role": principal.role,
        "name": principal.name,
        "name_masked": principal.name_masked,
        "employee_no": principal.employee_no,
        "station_id": principal.station_id,
        "trained_until": principal.trained_until.isoformat() if principal.trained_until else None,
        "status": principal.status,
        "reveal_suspended": principal.reveal_suspended,
    }


def list_keys(session: Session, tenant_id: str, principal_id: str) -> list[ApiKeyView]:
    """Return a principal's API keys by prefix id, with their dates (never a secret or hash)."""
    query = select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.principal_id == principal_id)
    return [
        {
            "key_id": k.key_id,
            "created_at": k.created_at.isoformat(),
            "expires_at": k.expires_at.isoformat() if k.expires_at else None,
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
            "scopes": json.loads(k.scopes),
        }
        for k in session.scalars(query.order_by(ApiKey.created_at, ApiKey.key_id))
    ]

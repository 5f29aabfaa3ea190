"""Access use cases: principals, API keys, training, suspension, and staff phone numbers."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.access import keys
from parcelguard.access.models import ROLES, ApiKey, Principal
from parcelguard.access.principals import Caller
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.crypto import FieldCipher, WrappedKey, field_aad, new_data_key
from parcelguard.db import new_id
from parcelguard.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from parcelguard.pii.masking import mask_name
from parcelguard.pii.normalize import normalize_phone
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive

STAFF_EPOCH = date(9999, 12, 31)  # staff phones are not shredded by parcel retention
SCOPES = ("ingest", "read", "events", "labels", "relay", "pii", "reveal")


def create(rt: Runtime, session: Session, new: NewPrincipal, actor: Actor) -> tuple[Principal, str]:
    """Create a principal and its first API key; return both (the key is shown once)."""
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
        _seal_phone(rt, principal, new.phone)
    session.add(principal)
    session.flush()
    key = issue_key(rt, session, principal, actor, days=new.key_days)
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "principal.create", "principal", pid, details={"role": new.role, "station": new.station}
        ),
    )
    return principal, key


def _seal_phone(rt: Runtime, principal: Principal, raw: str) -> None:
    phone = normalize_phone(raw)
    if phone is None:
        raise InvalidInput(
            "phone is not a mainland mobile or a landline with area code", code="invalid_phone"
        )
    owner = f"principal/{principal.principal_id}"
    data_key = new_data_key()
    wrapped = rt.keyring.wrap_data_key(
        data_key, STAFF_EPOCH, field_aad(rt.tenant, owner, "data_key")
    )
    principal.phone_key, principal.phone_kek_version = wrapped.blob, wrapped.kek_version
    principal.phone_ct = FieldCipher(data_key).seal(
        phone.national, field_aad(rt.tenant, owner, "phone")
    )
    principal.phone_bidx = rt.keyring.index.digest(rt.tenant, "staff_phone", phone.e164)


def open_phone(rt: Runtime, principal: Principal) -> Sensitive | None:
    """Return a staff member's own phone (for the relay to connect), or None."""
    if (
        principal.phone_ct is None
        or principal.phone_key is None
        or principal.phone_kek_version is None
    ):
        return None
    owner = f"principal/{principal.principal_id}"
    wrapped = WrappedKey(principal.phone_kek_version, STAFF_EPOCH, principal.phone_key)
    data_key = rt.keyring.unwrap_data_key(wrapped, field_aad(rt.tenant, owner, "data_key"))
    return FieldCipher(data_key).open(principal.phone_ct, field_aad(rt.tenant, owner, "phone"))


def find_by_phone(rt: Runtime, session: Session, raw: str) -> Principal | None:
    """Return the member of staff whose own phone this is."""
    phone = normalize_phone(raw)
    if phone is None:
        return None
    digest = rt.keyring.index.digest(rt.tenant, "staff_phone", phone.e164)
    query = select(Principal).where(
        Principal.tenant_id == rt.tenant, Principal.phone_bidx == digest
    )
    return session.scalars(query).first()


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


def issue_key(
    rt: Runtime, session: Session, principal: Principal, actor: Actor, *, days: int = 180
) -> str:
    """Issue a new API key for a principal; the full key exists only in the return value."""
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
            details={"key_id": key_id, "days": days},
        ),
    )
    return full


def revoke_key(rt: Runtime, session: Session, key_id: str, actor: Actor) -> None:
    """Revoke an API key by its prefix id."""
    key = session.get(ApiKey, (rt.tenant, key_id))
    if key is None:
        raise NotFound("no API key with this id", code="key_not_found")
    if key.revoked_at is None:
        key.revoked_at = rt.clock.now()
        auditor_for(rt).record(
            session,
            actor,
            Entry("apikey.revoke", "principal", key.principal_id, details={"key_id": key_id}),
        )


def authenticate_key(
    rt: Runtime, session: Session, presented: str, *, touch: bool = True
) -> Caller:
    """Return the caller a bearer key stands for; unknown, revoked and expired keys fail alike.

    With `touch`, a key unused for five minutes gets its `last_used_at` updated (a write).
    """
    parts = keys.split_key(presented)
    if parts is None:
        raise NotAuthenticated("not a ParcelGuard API key", code="invalid_key")
    key_id, secret = parts
    key = session.get(ApiKey, (rt.tenant, key_id))
    if key is None or not keys.matches(secret, key.secret_hash):
        raise NotAuthenticated("unknown API key", code="invalid_key")
    now = rt.clock.now()
    if key.revoked_at is not None:
        raise NotAuthenticated(f"API key {key_id} was revoked", code="key_revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise NotAuthenticated(f"API key {key_id} expired", code="key_expired")
    principal = get(session, rt.tenant, key.principal_id)
    if principal is None or principal.status != "active":
        raise NotAuthenticated(
            f"the principal of API key {key_id} is disabled", code="principal_disabled"
        )
    if touch and key_needs_touch(key, now):
        key.last_used_at = now  # coarse, so busy keys do not write on every request
        principal.last_seen_at = now
    return caller_for(principal, via="api_key", key_id=key_id, scopes=json.loads(key.scopes))


def key_needs_touch(key: ApiKey, now: datetime) -> bool:
    """Return whether a key's last use is older than five minutes."""
    return key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5)


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
    rt: Runtime, session: Session, principal_id: str, until: date, actor: Actor
) -> Principal:
    """Record a privacy-training attestation valid until `until`."""
    principal = get_or_raise(session, rt.tenant, principal_id)
    principal.trained_until = until
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "principal.training", "principal", principal_id, details={"until": until.isoformat()}
        ),
    )
    return principal


def suspend_reveal(
    rt: Runtime, session: Session, principal_id: str, reason: str, actor: Actor
) -> Principal:
    """Take away a principal's reveal rights at once, pending review."""
    principal = get_or_raise(session, rt.tenant, principal_id)
    if not principal.reveal_suspended:
        principal.reveal_suspended, principal.suspended_reason = True, reason
        auditor_for(rt).record(
            session,
            actor,
            Entry("principal.suspend_reveal", "principal", principal_id, reason=reason),
        )
    return principal


def restore_reveal(rt: Runtime, session: Session, principal_id: str, actor: Actor) -> Principal:
    """Give reveal rights back after a security officer's review."""
    if actor.role != "security_officer":
        raise Conflict("only a security officer restores reveal rights", code="officer_required")
    principal = get_or_raise(session, rt.tenant, principal_id)
    if principal.reveal_suspended:
        principal.reveal_suspended, principal.suspended_reason = False, None
        auditor_for(rt).record(
            session, actor, Entry("principal.restore_reveal", "principal", principal_id)
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


def public_view(principal: Principal) -> dict[str, Any]:
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


def kek_versions_in_use(session: Session) -> set[int]:
    """Return the KEK versions wrapping staff phone keys (so rotation keeps them)."""
    rows = session.scalars(
        select(Principal.phone_kek_version)
        .where(Principal.phone_kek_version.is_not(None))
        .distinct()
    )
    return {int(v) for v in rows if v is not None}


def rewrap_phone_keys(rt: Runtime) -> int:
    """Rewrap every staff phone key of the tenant that an older KEK version wraps."""
    active = rt.keyring.kms.active_version()
    done = 0
    with rt.db.session() as session:
        stale = session.scalars(
            select(Principal).where(
                Principal.tenant_id == rt.tenant,
                Principal.phone_kek_version.is_not(None),
                Principal.phone_kek_version != active,
            )
        )
        for principal in stale:
            if principal.phone_key is None or principal.phone_kek_version is None:
                continue
            owner = f"principal/{principal.principal_id}"
            wrapped = WrappedKey(principal.phone_kek_version, STAFF_EPOCH, principal.phone_key)
            new = rt.keyring.rewrap_data_key(wrapped, field_aad(rt.tenant, owner, "data_key"))
            principal.phone_key, principal.phone_kek_version = new.blob, new.kek_version
            done += 1
    return done


def list_keys(session: Session, tenant_id: str, principal_id: str) -> list[dict[str, Any]]:
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

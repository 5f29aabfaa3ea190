"""Staff members' own phone numbers: sealed like parcel data, found by a keyed digest.

The relay connects a courier's own phone without anyone reading it; rotation rewraps the keys.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access.models import Principal
from parcelguard.crypto import FieldCipher, WrappedKey, field_aad, new_data_key
from parcelguard.errors import InvalidInput
from parcelguard.pii.normalize import normalize_phone
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive

STAFF_EPOCH = date(9999, 12, 31)  # staff phones are not shredded by parcel retention


def seal_phone(rt: Runtime, principal: Principal, raw: str) -> None:
    """Seal a staff member's own phone on their principal and index it."""
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

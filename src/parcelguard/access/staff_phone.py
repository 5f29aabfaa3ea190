"""Staff members' own phone numbers: sealed like parcel data, found by a keyed digest.

The relay connects a courier's own phone without anyone reading it. The phone goes through
the envelope recipe (`PRINCIPAL_PHONE_SEALING`), which KEK rotation walks like every sealed table.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access.models import PRINCIPAL_PHONE_SEALING, STAFF_EPOCH, Principal
from parcelguard.crypto import Envelope
from parcelguard.errors import InvalidInput
from parcelguard.pii.normalize import normalize_phone
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive

__all__ = ["STAFF_EPOCH", "find_by_phone", "open_phone", "seal_phone"]


def _envelope(rt: Runtime) -> Envelope:
    return Envelope(rt.keyring, rt.tenant, PRINCIPAL_PHONE_SEALING)


def seal_phone(rt: Runtime, principal: Principal, raw: str) -> None:
    """Seal a staff member's own phone on their principal and index it."""
    phone = normalize_phone(raw)
    if phone is None:
        raise InvalidInput(
            "phone is not a mainland mobile or a landline with area code", code="invalid_phone"
        )
    _envelope(rt).seal_row(principal, {"phone": phone.national})
    principal.phone_bidx = rt.keyring.index.digest(rt.tenant, "staff_phone", phone.e164)


def open_phone(rt: Runtime, principal: Principal) -> Sensitive | None:
    """Return a staff member's own phone (for the relay to connect), or None."""
    if (
        principal.phone_ct is None
        or principal.phone_key is None
        or principal.phone_kek_version is None
    ):
        return None
    return _envelope(rt).open(principal, ["phone"]).get("phone")


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

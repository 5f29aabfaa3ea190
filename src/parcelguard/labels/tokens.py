"""QR tokens: random, stored only as keyed digests, revocable, expiring after delivery.

The token on a label is 128 random bits (`secrets.token_urlsafe(16)`): nothing about the
person, the phone or the waybill goes into it, so it cannot be guessed or derived. The table
keeps `HMAC(index key, tenant ‖ "label_token" ‖ token)`: a database dump without the keyring
cannot rebuild a QR URL, and with the keyring it still cannot (HMAC does not run backwards).
The plaintext is returned to the caller once, to be printed, and never logged or stored.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from parcelguard.db import bulk_insert
from parcelguard.labels.config import config_for
from parcelguard.labels.models import LabelToken
from parcelguard.runtime import Runtime
from parcelguard.vault.service import Shipment

TOKEN_BYTES = 16
# What `/s/{token}` may carry; anything else is unknown without a lookup.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: the plaintext (for the label only) and its short reference."""

    shipment_id: str
    token: str = field(repr=False)
    ref: str


def digest(rt: Runtime, token: str) -> bytes:
    """Return the keyed digest a token is stored and looked up by."""
    return rt.keyring.index.digest(rt.tenant, "label_token", token)


def ref_of(token_digest: bytes) -> str:
    """Return the short reference audit events name a token by (never the token itself)."""
    return token_digest.hex()[:12]


def issue(
    rt: Runtime, session: Session, shipments: Sequence[Shipment], issued_by: str
) -> list[IssuedToken]:
    """Issue one new token per shipment (in order); older tokens keep working unless configured."""
    now = rt.clock.now()
    config = config_for(rt)
    if config.revoke_on_reprint:
        revoke(rt, session, [s.shipment_id for s in shipments])
    issued, rows = [], []
    for shipment in shipments:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        token_digest = digest(rt, token)
        issued.append(IssuedToken(shipment.shipment_id, token, ref_of(token_digest)))
        rows.append(
            {
                "tenant_id": rt.tenant,
                "shipment_id": shipment.shipment_id,
                "token_digest": token_digest,
                "issued_at": now,
                "issued_by": issued_by[:64],
                "expires_at": expiry_after(rt, shipment.delivered_at),
                "revoked_at": None,
            }
        )
    bulk_insert(session, LabelToken.__table__, rows)
    return issued


def expiry_after(rt: Runtime, delivered_at: datetime | None) -> datetime | None:
    """Return when a token of a parcel delivered at `delivered_at` stops working (None: open)."""
    if delivered_at is None:
        return None
    return delivered_at + timedelta(days=config_for(rt).token_days_after_delivery)


def find(rt: Runtime, session: Session, token: str) -> tuple[LabelToken | None, str]:
    """Return the token's row (None when unknown) and its short reference."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None, "malformed"
    token_digest = digest(rt, token)
    query = select(LabelToken).where(
        LabelToken.tenant_id == rt.tenant, LabelToken.token_digest == token_digest
    )
    return session.scalars(query).first(), ref_of(token_digest)


def is_expired(rt: Runtime, row: LabelToken, shipment: Shipment) -> bool:
    """Return whether a token has stopped working (its own expiry, delivery + N days, purge)."""
    now = rt.clock.now()
    if shipment.status == "purged" or shipment.kind != "normal":
        return True
    if row.expires_at is not None and now >= row.expires_at:
        return True
    # Belt and braces: a delivery recorded without the labels hook installed still expires.
    after = expiry_after(rt, shipment.delivered_at)
    return after is not None and now >= after


def revoke(rt: Runtime, session: Session, shipment_ids: Sequence[str]) -> int:
    """Revoke every live token of these shipments; return how many were revoked."""
    if not shipment_ids:
        return 0
    result = session.execute(
        update(LabelToken)
        .where(
            LabelToken.tenant_id == rt.tenant,
            LabelToken.shipment_id.in_(list(shipment_ids)),
            LabelToken.revoked_at.is_(None),
        )
        .values(revoked_at=rt.clock.now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def expire_after_delivery(rt: Runtime, session: Session, shipment: Shipment) -> None:
    """Set the expiry of a delivered (or returned) parcel's tokens to delivery + N days."""
    until = expiry_after(rt, shipment.delivered_at or rt.clock.now())
    session.execute(
        update(LabelToken)
        .where(
            LabelToken.tenant_id == rt.tenant,
            LabelToken.shipment_id == shipment.shipment_id,
            LabelToken.revoked_at.is_(None),
        )
        .values(expires_at=until)
    )

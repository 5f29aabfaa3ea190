"""Canary records: seeded per channel, listed, rotated, and named when they turn up in a leak.

A canary is a parcel to a person who does not exist, given to exactly one channel: assigned to
one courier, waiting at one station, visible to one API key's holder, included in one export.
Its recipient's number and name-and-city are unique, so a leaked row carrying them names the
channel with certainty (`forensics.canary_hit`, which the monitor raises as an alert). Seeding
and rotation are audited (`forensics.canary_seed`, `forensics.canary_rotate`) and, like the
canary table itself, are for security officers only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access import exports
from parcelguard.access import service as access_service
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import Denied, InvalidInput, NotFound
from parcelguard.forensics import canary_store
from parcelguard.forensics.canary_identity import make_person
from parcelguard.forensics.models import CHANNEL_KINDS, Canary
from parcelguard.forensics.results import CanaryView, Rotation
from parcelguard.pii.masking import mask_normalized_phone
from parcelguard.runtime import Runtime

OFFICER_ROLES = ("security_officer", "operator")
MAX_PER_SEED = 20


@dataclass(frozen=True)
class Channel:
    """Where a canary goes: a courier, a station, an API key or an export, and who holds it."""

    kind: str
    id: str
    principal_id: str | None

    @property
    def label(self) -> str:
        """Return `kind:id`."""
        return f"{self.kind}:{self.id}"


def require_officer(actor: Actor) -> None:
    """Allow security officers and the local operator only."""
    if actor.role not in OFFICER_ROLES:
        raise Denied("only a security officer works with leak forensics", code="officer_required")


def resolve_channel(session: Session, tenant_id: str, kind: str, channel_id: str) -> Channel:
    """Return the channel, checking that it exists; `NotFound` or `InvalidInput` otherwise."""
    ident = channel_id.strip()[:64]
    if kind not in CHANNEL_KINDS or not ident:
        raise InvalidInput(
            f"a channel is one of {', '.join(CHANNEL_KINDS)} with an id", code="invalid_channel"
        )
    if kind == "courier":
        principal = access_service.get_or_raise(session, tenant_id, ident)
        if principal.role != "courier":
            raise InvalidInput("that principal is not a courier", code="not_a_courier")
        return Channel(kind, ident, ident)
    if kind == "api_key":
        holder = access_service.live_key_holder(session, tenant_id, ident)
        if holder is None:
            raise NotFound("no live API key with this id", code="key_not_found")
        return Channel(kind, ident, holder)
    if kind == "export":
        return Channel(kind, ident, exports.requested_by(session, tenant_id, ident))
    return Channel(kind, ident, None)


def seed(
    rt: Runtime, session: Session, actor: Actor, channel: Channel, count: int = 1
) -> list[Canary]:
    """Seed `count` new canaries for one channel; each is audited as `forensics.canary_seed`."""
    require_officer(actor)
    if not 1 <= count <= MAX_PER_SEED:
        raise InvalidInput(f"seed 1 to {MAX_PER_SEED} canaries at a time", code="invalid_count")
    adcode = canary_store.home_adcode(session, rt.tenant, channel.kind, channel.id)
    return [_seed_one(rt, session, actor, channel, adcode) for _ in range(count)]


def _seed_one(
    rt: Runtime, session: Session, actor: Actor, channel: Channel, adcode: str | None
) -> Canary:
    canary_id = "K" + new_id()[-15:].upper()
    person = make_person(rt, session, actor, f"canary:{canary_id}", adcode)
    sid, waybill, recipient = canary_store.create_shipment(
        rt, session, person, channel.kind, channel.id
    )
    canary = Canary(
        tenant_id=rt.tenant,
        canary_id=canary_id,
        shipment_id=sid,
        waybill_no=waybill,
        channel_kind=channel.kind,
        channel_id=channel.id,
        principal_id=channel.principal_id,
        phone_bidx=recipient["phone_bidx"],
        name_region_bidx=recipient["name_region_bidx"],
        phone_masked=mask_normalized_phone(person.phone),
        number_source=person.source,
        relay_number_id=person.relay_number_id,
        status="active",
        seeded_at=rt.clock.now(),
        seeded_by=actor.id,
    )
    session.add(canary)
    details = {
        "canary_id": canary_id,
        "channel": channel.label,
        "principal_id": channel.principal_id,
        "number_source": person.source,
    }
    auditor_for(rt).record(
        session, actor, Entry("forensics.canary_seed", "canary", canary_id, details=details)
    )
    return canary


def listing(session: Session, tenant_id: str, *, include_retired: bool = False) -> list[Canary]:
    """Return the tenant's canaries, newest first."""
    query = select(Canary).where(Canary.tenant_id == tenant_id)
    if not include_retired:
        query = query.where(Canary.status == "active")
    return list(session.scalars(query.order_by(Canary.seeded_at.desc(), Canary.canary_id)))


def rotate(
    rt: Runtime,
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    channel_id: str | None = None,
) -> Rotation:
    """Retire every active canary (of one channel when given) and seed a fresh one in its place."""
    require_officer(actor)
    retired: list[str] = []
    seeded: list[str] = []
    for canary in listing(session, rt.tenant):
        if (kind and canary.channel_kind != kind) or (
            channel_id and canary.channel_id != channel_id
        ):
            continue
        canary.status, canary.retired_at = "retired", rt.clock.now()
        canary_store.shred(rt, session, canary.shipment_id)
        retired.append(canary.canary_id)
        channel = Channel(canary.channel_kind, canary.channel_id, canary.principal_id)
        adcode = canary_store.home_adcode(session, rt.tenant, channel.kind, channel.id)
        seeded.append(_seed_one(rt, session, actor, channel, adcode).canary_id)
    details = {
        "retired": len(retired),
        "seeded": len(seeded),
        "kind": kind,
        "channel_id": channel_id,
    }
    auditor_for(rt).record(
        session, actor, Entry("forensics.canary_rotate", "canary", None, details=details)
    )
    return {"retired": retired, "seeded": seeded}


def record_hits(
    rt: Runtime, session: Session, actor: Actor, leak_id: str, canary_ids: set[str]
) -> list[Canary]:
    """Record a `forensics.canary_hit` for every canary found in a leak; return them."""
    if not canary_ids:
        return []
    hits = list(
        session.scalars(
            select(Canary)
            .where(Canary.tenant_id == rt.tenant, Canary.canary_id.in_(sorted(canary_ids)))
            .order_by(Canary.canary_id)
        )
    )
    entries = [
        Entry(
            "forensics.canary_hit",
            "canary",
            canary.canary_id,
            decision="deny",
            reason="canary",
            details={
                "canary_id": canary.canary_id,
                "channel": f"{canary.channel_kind}:{canary.channel_id}",
                "principal_id": canary.principal_id,
                "leak_id": leak_id,
            },
        )
        for canary in hits
    ]
    if entries:
        auditor_for(rt).record_many(session, actor, entries)
    return hits


def visible_to(session: Session, tenant_id: str, principal_id: str) -> list[str]:
    """Return the waybills of active canaries given to one API key holder (for partner feeds)."""
    query = select(Canary.waybill_no).where(
        Canary.tenant_id == tenant_id,
        Canary.status == "active",
        Canary.channel_kind == "api_key",
        Canary.principal_id == principal_id,
    )
    return list(session.scalars(query.order_by(Canary.waybill_no)))


def public_view(canary: Canary) -> CanaryView:
    """Return what `canaries list` shows (masked number only)."""
    return {
        "canary_id": canary.canary_id,
        "waybill_no": canary.waybill_no,
        "channel": f"{canary.channel_kind}:{canary.channel_id}",
        "principal_id": canary.principal_id,
        "phone": canary.phone_masked,
        "number_source": canary.number_source,
        "status": canary.status,
        "seeded_at": canary.seeded_at.isoformat(),
        "retired_at": canary.retired_at.isoformat() if canary.retired_at else None,
    }

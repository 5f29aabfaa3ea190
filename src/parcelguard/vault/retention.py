"""Retention and erasure by crypto-shredding.

Purge deletes the rows of shipments whose retention epoch has passed, then destroys those
epoch keys, so copies of the rows in backups become unreadable too. Erasure deletes one
person's sealed parties at once. Both run in batches and can be re-run after a crash: the
rows go first, the keys after, and a re-run finishes whichever step was left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.clock import operator_time
from parcelguard.hooks import Hook
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Party, Shipment
from parcelguard.vault.results import ErasureResult, PurgeResult
from parcelguard.vault.service import shipment_ids_for_phone

BATCH = 1000
TERMINAL = ("delivered", "returned")


@dataclass(frozen=True)
class PersonErased:
    """A person was erased (nothing of theirs in transit); other domains forget them too."""

    rt: Runtime
    session: Session
    phone: str
    actor: Actor


ERASED: Hook[PersonErased, object] = Hook("vault.person_erased", "in the erasure's transaction")


def purge(rt: Runtime, actor: Actor, now: datetime | None = None) -> PurgeResult:
    """Shred every shipment whose retention epoch ended before `now`'s day.

    `now` (an operator's `--now`) may only be later than the server clock: an earlier one
    would keep data past its retention.
    """
    when = operator_time(rt.clock.now(), now)
    today = when.date()
    purged = 0
    while True:
        with rt.db.session() as session:
            ids = list(
                session.scalars(
                    select(Shipment.shipment_id)
                    .where(
                        Shipment.tenant_id == rt.tenant,
                        Shipment.purge_epoch < today,
                        Shipment.status != "purged",
                    )
                    .limit(BATCH)
                )
            )
            if not ids:
                break
            _shred(session, rt.tenant, ids, when)
            auditor_for(rt).record(
                session,
                actor,
                Entry("shipments.purge", "retention", None, details={"count": len(ids)}),
            )
            purged += len(ids)
    destroyed = rt.keyring.destroy_epochs(before=today)
    if destroyed:
        with rt.db.session() as session:
            auditor_for(rt).record(
                session,
                actor,
                Entry(
                    "keys.epochs_destroyed",
                    "keyring",
                    None,
                    details={"days": [d.isoformat() for d in destroyed]},
                ),
            )
    return {"purged": purged, "epochs_destroyed": len(destroyed)}


def erase_person(
    rt: Runtime, actor: Actor, phone: str, *, include_in_transit: bool = False
) -> ErasureResult:
    """Erase the parcels of one person (PIPL art. 47): delivered or returned ones at once."""
    with rt.db.session() as session:
        ids = shipment_ids_for_phone(rt, session, phone)
        rows = session.execute(
            select(Shipment.shipment_id, Shipment.status).where(
                Shipment.tenant_id == rt.tenant,
                Shipment.shipment_id.in_(ids),
                Shipment.status != "purged",
            )
        ).all()
        done = [sid for sid, status in rows if include_in_transit or status in TERMINAL]
        in_transit = len(rows) - len(done)
        for start in range(0, len(done), BATCH):
            _shred(session, rt.tenant, done[start : start + BATCH], rt.clock.now())
        if in_transit == 0:  # nothing on its way: other domains forget the person too
            rt.hooks.emit(ERASED, PersonErased(rt, session, phone, actor))
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "person.erase",
                "person",
                None,
                details={"erased": len(done), "in_transit": in_transit},
            ),
        )
    return {"erased": len(done), "in_transit": in_transit}


def _shred(session: Any, tenant: str, ids: list[str], when: datetime) -> None:
    session.execute(delete(Party).where(Party.tenant_id == tenant, Party.shipment_id.in_(ids)))
    session.execute(
        update(Shipment)
        .where(Shipment.tenant_id == tenant, Shipment.shipment_id.in_(ids))
        .values(status="purged", purged_at=when, fingerprint=None, updated_at=when)
    )


def retention_backlog(rt: Runtime, now: datetime | None = None) -> int:
    """Return how many shipments are past retention and not yet purged (for `doctor`)."""
    from sqlalchemy import func

    today = (now or rt.clock.now()).date()
    with rt.db.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Shipment)
                .where(
                    Shipment.tenant_id == rt.tenant,
                    Shipment.purge_epoch < today,
                    Shipment.status != "purged",
                )
            )
            or 0
        )

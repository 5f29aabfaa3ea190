"""Import: stream rows, validate, resolve regions, seal and store in whole batches.

Each batch is one transaction with its audit event, so a killed import leaves whole batches
only; every stored row carries a keyed fingerprint, so running the same file again stores
nothing twice. `strict` puts the whole file in one transaction that lands only if no row fails.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import bulk_insert, new_id
from parcelguard.errors import PartlyDone
from parcelguard.pii.divisions import Region, resolve_regions
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Party, Shipment
from parcelguard.vault.readers import RawRow
from parcelguard.vault.rows import RowError, ShipmentInput, validate_row
from parcelguard.vault.service import sealer_for
from parcelguard.vault.spool import Spool


@dataclass
class ImportReport:
    """What an import did: counts, the imported waybills and the rejected rows."""

    imported: int = 0
    rejected: int = 0
    skipped: int = 0
    waybills: Spool = field(default_factory=Spool)
    errors: Spool = field(default_factory=Spool)

    def reject(self, problems: list[RowError]) -> None:
        """Count a rejected row and keep its problems."""
        self.rejected += 1
        for problem in problems:
            self.errors.append(problem.as_dict())

    def as_dict(self) -> dict[str, Any]:
        """Return the contract's JSON shape (plus `skipped`: rows already imported)."""
        return {
            "imported": self.imported,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "waybills": list(self.waybills),
            "errors": list(self.errors),
        }

    def write_json(self, write: Callable[[str], Any]) -> None:
        """Stream the JSON document without holding the lists in memory."""
        write(
            f'{{"imported": {self.imported}, "rejected": {self.rejected}, '
            f'"skipped": {self.skipped}, "waybills": ['
        )
        for i, waybill in enumerate(self.waybills):
            write(("," if i else "") + json.dumps(waybill))
        write('], "errors": [')
        for i, error in enumerate(self.errors):
            write(("," if i else "") + json.dumps(error, ensure_ascii=False))
        write("]}\n")

    def raise_if_rejected(self) -> None:
        """Raise `PartlyDone` when any row was rejected."""
        if self.rejected:
            raise PartlyDone(f"{self.rejected} row(s) rejected, {self.imported} imported")


@dataclass
class _Batch:
    rows: list[ShipmentInput]
    regions: list[tuple[Region, Region]]


def import_shipments(
    rt: Runtime, rows: Iterable[RawRow], actor: Actor, *, strict: bool = False
) -> ImportReport:
    """Import every row; rejected rows are reported and do not stop the good ones."""
    report = ImportReport()
    size = rt.settings.import_batch_size
    batches = _batches(iter(rows), size, rt.clock.now().date(), report)
    if not strict:
        for batch in batches:
            with rt.db.session() as session:
                _store(rt, session, batch, actor, report)
        return report
    with rt.db.session() as session:
        for batch in batches:
            if report.rejected:
                continue  # keep reading to report every problem; nothing will be kept
            _store(rt, session, batch, actor, report)
        if report.rejected:
            session.rollback()
            report.imported, report.waybills = 0, Spool()
    return report


def _batches(
    rows: Iterator[RawRow], size: int, today: date, report: ImportReport
) -> Iterator[_Batch]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        valid: list[ShipmentInput] = []
        for raw in chunk:
            result = validate_row(raw, today)
            if isinstance(result, list):
                report.reject(result)
            else:
                valid.append(result)
        yield _resolve(valid, report)


def _resolve(valid: list[ShipmentInput], report: ImportReport) -> _Batch:
    addresses: list[str] = []
    for item in valid:
        addresses += [item.sender.address.reveal(), item.recipient.address.reveal()]
    found = resolve_regions(addresses)
    kept, regions = [], []
    for i, item in enumerate(valid):
        sender, recipient = found[2 * i], found[2 * i + 1]
        problems = [
            RowError(
                item.row,
                name,
                "unknown_region",
                "the address does not resolve to a province and city",
            )
            for name, region in (("sender_address", sender), ("recipient_address", recipient))
            if region is None
        ]
        if sender is None or recipient is None:
            report.reject(problems)
        else:
            kept.append(item)
            regions.append((sender, recipient))
    return _Batch(kept, regions)


def _store(
    rt: Runtime, session: Session, batch: _Batch, actor: Actor, report: ImportReport
) -> None:
    if not batch.rows:
        return
    prints = [_fingerprint(rt, item) for item in batch.rows]
    known_prints, known_waybills = _existing(session, rt.tenant, batch.rows, prints)
    now = rt.clock.now()
    shipments: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    sealer = sealer_for(rt)
    for item, (sender, recipient), fp in zip(batch.rows, batch.regions, prints, strict=True):
        if fp in known_prints:
            report.skipped += 1
            continue
        waybill = item.waybill_no or _new_waybill()
        if waybill in known_waybills:
            report.reject(
                [
                    RowError(
                        item.row,
                        "waybill_no",
                        "duplicate_waybill",
                        "this waybill number already exists",
                    )
                ]
            )
            continue
        known_prints.add(fp)
        known_waybills.add(waybill)
        created = item.created_at or now
        # Retention counts from the server's clock: a creation date in the future is kept as
        # information, never as a reason to keep the data longer.
        epoch = max(
            (min(created, now) + timedelta(days=rt.settings.undelivered_retention_days)).date(),
            now.date(),
        )
        sid = new_id()
        shipments.append(_shipment_row(rt.tenant, sid, waybill, item, created, now, epoch, fp))
        parties.append(sealer.seal(sid, "sender", item.sender, sender, epoch))
        parties.append(sealer.seal(sid, "recipient", item.recipient, recipient, epoch))
        report.waybills.append(waybill)
    if not shipments:
        return
    bulk_insert(session, Shipment.__table__, shipments)
    bulk_insert(session, Party.__table__, parties)
    report.imported += len(shipments)
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "shipments.import",
            "import",
            None,
            details={
                "count": len(shipments),
                "first_row": batch.rows[0].row,
                "last_row": batch.rows[-1].row,
            },
        ),
    )


def _shipment_row(
    tenant: str,
    sid: str,
    waybill: str,
    item: ShipmentInput,
    created: datetime,
    now: datetime,
    epoch: date,
    fp: bytes,
) -> dict[str, Any]:
    return {
        "tenant_id": tenant,
        "shipment_id": sid,
        "waybill_no": waybill,
        "carrier": item.carrier,
        "status": "assigned" if item.courier_id else "created",
        "created_at": created,
        "updated_at": now,
        "courier_id": item.courier_id,
        "station_id": item.station_id,
        "purge_epoch": epoch,
        "fingerprint": fp,
        "kind": "normal",
    }


def _existing(
    session: Session, tenant: str, rows: list[ShipmentInput], prints: list[bytes]
) -> tuple[set[bytes], set[str]]:
    found_prints = set(
        session.scalars(
            select(Shipment.fingerprint).where(
                Shipment.tenant_id == tenant, Shipment.fingerprint.in_(prints)
            )
        )
    )
    waybills = [r.waybill_no for r in rows if r.waybill_no]
    found_waybills: set[str] = set()
    if waybills:
        found_waybills = set(
            session.scalars(
                select(Shipment.waybill_no).where(
                    Shipment.tenant_id == tenant, Shipment.waybill_no.in_(waybills)
                )
            )
        )
    return {p for p in found_prints if p is not None}, found_waybills


def _fingerprint(rt: Runtime, item: ShipmentInput) -> bytes:
    parts = [
        item.waybill_no or "",
        item.carrier or "",
        item.station_id or "",
        item.courier_id or "",
        item.created_at.isoformat() if item.created_at else "",
    ]
    for party in (item.sender, item.recipient):
        parts += [party.name.reveal(), party.phone.e164, party.address.reveal()]
        parts.append(party.id_no.reveal() if party.id_no else "")
    return rt.keyring.index.digest(rt.tenant, "row", "\x1f".join(parts))


def _new_waybill() -> str:
    return f"PG{secrets.randbelow(10**13):013d}"

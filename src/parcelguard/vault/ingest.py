"""Import: stream rows, validate, resolve regions, seal and store in whole batches.

Each batch is one transaction with its audit event, so a killed import leaves whole batches
only; every stored row carries a keyed fingerprint, so running the same file again stores
nothing twice. `strict` puts the whole file in one transaction that lands only if no row fails;
`dry_run` does everything but seal and store (and reads the database only to find rows that
are already there).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import bulk_insert, new_id
from parcelguard.pii.divisions import Region, resolve_regions
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Party, Shipment
from parcelguard.vault.readers import RawRow
from parcelguard.vault.report import ImportReport, RejectSink
from parcelguard.vault.results import ShipmentRow
from parcelguard.vault.rows import RowError, RowRules, ShipmentInput, validate_row
from parcelguard.vault.service import sealer_for
from parcelguard.vault.shown import masked_value
from parcelguard.vault.spool import Spool


@dataclass
class _Batch:
    rows: list[ShipmentInput]
    regions: list[tuple[Region, Region]]
    raws: list[RawRow]


@dataclass(frozen=True)
class ImportOptions:
    """How to import: all-or-nothing, a dry run, what a row may leave out, where rejects go."""

    strict: bool = False
    dry_run: bool = False
    rules: RowRules = field(default_factory=RowRules)
    on_reject: RejectSink | None = None


def import_shipments(
    rt: Runtime,
    actor: Actor,
    rows: Iterable[RawRow],
    *,
    strict: bool = False,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Import every row; rejected rows are reported and do not stop the good ones."""
    options = options or ImportOptions(strict=strict)
    report = ImportReport(dry_run=options.dry_run, on_reject=options.on_reject)
    size = rt.settings.import_batch_size
    batches = _batches(iter(rows), size, rt.clock.now().date(), report, options.rules)
    if options.dry_run:
        with rt.db.read_session() as session:
            for batch in batches:
                _store(rt, session, batch, actor, report, dry_run=True)
        return report
    if not options.strict:
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
    rows: Iterator[RawRow], size: int, today: date, report: ImportReport, rules: RowRules
) -> Iterator[_Batch]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        valid: list[tuple[RawRow, ShipmentInput]] = []
        for raw in chunk:
            result = validate_row(raw, today, rules)
            if isinstance(result, list):
                report.reject(result, raw)
            else:
                valid.append((raw, result))
        yield _resolve(valid, report)


def _resolve(valid: list[tuple[RawRow, ShipmentInput]], report: ImportReport) -> _Batch:
    addresses: list[str] = []
    for _, item in valid:
        addresses += [item.sender.address.reveal(), item.recipient.address.reveal()]
    found = resolve_regions(addresses)
    batch = _Batch([], [], [])
    for i, (raw, item) in enumerate(valid):
        sender, recipient = found[2 * i], found[2 * i + 1]
        if sender is None or recipient is None:
            report.reject(_region_problems(item, sender, recipient), raw)
        else:
            batch.rows.append(item)
            batch.regions.append((sender, recipient))
            batch.raws.append(raw)
    return batch


def _region_problems(
    item: ShipmentInput, sender: Region | None, recipient: Region | None
) -> list[RowError]:
    problems = []
    for name, party, region in (
        ("sender_address", item.sender, sender),
        ("recipient_address", item.recipient, recipient),
    ):
        if region is None:
            problems.append(
                RowError(
                    item.row,
                    name,
                    "unknown_region",
                    "the address does not resolve to a province and city",
                    item.columns.get(name),
                    masked_value(name, party.address.reveal()),
                )
            )
    return problems


def _store(
    rt: Runtime,
    session: Session,
    batch: _Batch,
    actor: Actor,
    report: ImportReport,
    *,
    dry_run: bool = False,
) -> None:
    fresh = _fresh(rt, session, batch, report)
    if dry_run:
        report.imported += len(fresh)
        return
    if not fresh:
        return
    now = rt.clock.now()
    shipments: list[ShipmentRow] = []
    parties: list[dict[str, Any]] = []
    sealer = sealer_for(rt)
    for item, (sender, recipient), fp, waybill in fresh:
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
    bulk_insert(session, Shipment.__table__, shipments)
    bulk_insert(session, Party.__table__, parties)
    report.imported += len(shipments)
    details = {
        "count": len(shipments),
        "first_row": batch.rows[0].row,
        "last_row": batch.rows[-1].row,
    }
    auditor_for(rt).record(
        session, actor, Entry("shipments.import", "import", None, details=details)
    )


_Fresh = tuple[ShipmentInput, tuple[Region, Region], bytes, str]


def _fresh(rt: Runtime, session: Session, batch: _Batch, report: ImportReport) -> list[_Fresh]:
    """Return the batch's rows not stored yet, each with its waybill.

    Rows already stored are counted as skipped, waybills taken by other content rejected.
    """
    if not batch.rows:
        return []
    prints = [_fingerprint(rt, item) for item in batch.rows]
    known_prints, known_waybills = _existing(session, rt.tenant, batch.rows, prints)
    fresh: list[_Fresh] = []
    for item, regions, fp, raw in zip(batch.rows, batch.regions, prints, batch.raws, strict=True):
        if fp in known_prints:
            report.skipped += 1
            continue
        waybill = item.waybill_no or _new_waybill()
        if waybill in known_waybills:
            report.reject([_duplicate(item, waybill)], raw)
            continue
        known_prints.add(fp)
        known_waybills.add(waybill)
        fresh.append((item, regions, fp, waybill))
    return fresh


def _duplicate(item: ShipmentInput, waybill: str) -> RowError:
    return RowError(
        item.row,
        "waybill_no",
        "duplicate_waybill",
        "this waybill number already exists",
        item.columns.get("waybill_no"),
        waybill,
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
) -> ShipmentRow:
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
        # The base number's E.164 form as before (fingerprints of earlier imports still
        # match), the extension only when there is one.
        phone = party.phone.e164 + (f"-{party.phone.extension}" if party.phone.extension else "")
        parts += [party.name.reveal(), phone, party.address.reveal()]
        parts.append(party.id_no.reveal() if party.id_no else "")
    return rt.keyring.index.digest(rt.tenant, "row", "\x1f".join(parts))


def _new_waybill() -> str:
    return f"PG{secrets.randbelow(10**13):013d}"

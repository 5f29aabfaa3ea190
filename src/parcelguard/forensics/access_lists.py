"""Events that show many shipments at once (a console list, an export file): who saw what in them.

Such an event names its shipments in `details.shipment_ids` or `details.waybills` (no target
id), so SQL cannot join it; it is read here, in a stream, and each listed shipment counts as
seen by every channel the event credits (`channels.py`). Its volume is added to the channel's
volume from single-shipment events; a shipment seen both ways counts twice, which only makes
the chance of covering a record larger, never an accusation easier.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from parcelguard.audit.models import AuditEvent
from parcelguard.forensics.access_model import Access, AccessModel, ChannelFacts, ChannelKey
from parcelguard.forensics.channels import LIST_ACTIONS, channels_of
from parcelguard.vault.models import Party, Shipment

CHUNK = 500
MAX_LISTED = 5000  # per event: a list longer than this is an export and names its file instead


def add_list_events(
    session: Session, tenant_id: str, at: datetime, model: AccessModel, stratum_sql: Any
) -> None:
    """Credit channels with the shipments their list events showed (volumes and evidence)."""
    seen: dict[ChannelKey, set[str]] = defaultdict(set)
    shown: list[tuple[Any, list[str]]] = []
    for row, details, refs in _list_events(session, tenant_id, at):
        for key, holder, role in channels_of(row, details):
            if key not in model.channels:
                model.channels[key] = ChannelFacts(key, holder, role)
            seen[key].update(refs)
        shown.append((row, refs))
    if not seen:
        return
    every = sorted({ref for found in seen.values() for ref in found})
    resolved = _resolve(session, tenant_id, every, stratum_sql)
    for key, found in seen.items():
        facts = model.channels[key]
        for ref in found:
            hit = resolved.get(ref)
            if hit is not None and hit[1] in model.population:
                facts.volume[hit[1]] = facts.volume.get(hit[1], 0) + 1
                facts.total += 1
    _touch(model, shown, resolved)


def _list_events(
    session: Session, tenant_id: str, at: datetime
) -> Iterator[tuple[Any, dict[str, Any], list[str]]]:
    query = (
        select(
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.actor_id,
            AuditEvent.actor_role,
            AuditEvent.station_id,
            AuditEvent.action,
            AuditEvent.details,
            AuditEvent.purpose,
        )
        .where(
            AuditEvent.tenant_id == tenant_id,
            AuditEvent.action.in_(LIST_ACTIONS),
            AuditEvent.at <= at,
            or_(AuditEvent.decision.is_(None), AuditEvent.decision == "allow"),
        )
        .execution_options(yield_per=1000)
    )
    for row in session.execute(query).mappings():
        details = json.loads(row["details"] or "{}")
        listed = details.get("shipment_ids") or details.get("waybills") or []
        if isinstance(listed, list) and listed:
            yield row, details, [str(ref)[:64] for ref in listed[:MAX_LISTED]]


def _resolve(
    session: Session, tenant_id: str, refs: list[str], stratum_sql: Any
) -> dict[str, tuple[str, str]]:
    """Return ref (shipment id or waybill) → (shipment id, stratum) for ordinary shipments."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(refs), CHUNK):
        chunk = refs[start : start + CHUNK]
        query = (
            select(Shipment.shipment_id, Shipment.waybill_no, stratum_sql)
            .join(
                Party,
                and_(
                    Party.tenant_id == Shipment.tenant_id,
                    Party.shipment_id == Shipment.shipment_id,
                    Party.role == "recipient",
                ),
            )
            .where(
                Shipment.tenant_id == tenant_id,
                Shipment.kind == "normal",
                or_(Shipment.shipment_id.in_(chunk), Shipment.waybill_no.in_(chunk)),
            )
        )
        for sid, waybill, stratum in session.execute(query):
            found[sid] = found[waybill] = (sid, str(stratum))
    return found


def _touch(
    model: AccessModel, shown: list[tuple[Any, list[str]]], resolved: dict[str, tuple[str, str]]
) -> None:
    for row, refs in shown:
        details = json.loads(row["details"] or "{}")
        for ref in refs:
            hit = resolved.get(ref)
            if hit is None or hit[0] not in model.matched:
                continue
            access = Access(row["seq"], row["at"], str(row["action"]), hit[0], row["purpose"])
            for key, _holder, _role in channels_of(row, details):
                model.touch(key, access)

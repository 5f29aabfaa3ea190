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

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from parcelguard.audit import queries as audit_queries
from parcelguard.forensics.access_model import Access, AccessModel, ChannelFacts, ChannelKey
from parcelguard.forensics.channels import LIST_ACTIONS, channels_of

CHUNK = 500
MAX_LISTED = 5000  # per event: a list longer than this is an export and names its file instead


def add_list_events(
    session: Session,
    tenant_id: str,
    at: datetime,
    model: AccessModel,
    recipients: Subquery,
    stratum_sql: Any,
) -> None:
    """Credit channels with the shipments their list events showed (volumes and evidence).

    `recipients` is `vault.queries.normal_recipients`, `stratum_sql` a stratum over its columns.
    """
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
    resolved = _resolve(session, every, recipients, stratum_sql)
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
    shown = audit_queries.shown_events(tenant_id, at)
    query = select(shown).where(shown.c.action.in_(LIST_ACTIONS)).execution_options(yield_per=1000)
    for row in session.execute(query).mappings():
        details = json.loads(row["details"] or "{}")
        listed = details.get("shipment_ids") or details.get("waybills") or []
        if isinstance(listed, list) and listed:
            yield row, details, [str(ref)[:64] for ref in listed[:MAX_LISTED]]


def _resolve(
    session: Session, refs: list[str], recipients: Subquery, stratum_sql: Any
) -> dict[str, tuple[str, str]]:
    """Return ref (shipment id or waybill) → (shipment id, stratum) for ordinary shipments."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(refs), CHUNK):
        chunk = refs[start : start + CHUNK]
        query = select(recipients.c.shipment_id, recipients.c.waybill_no, stratum_sql).where(
            or_(recipients.c.shipment_id.in_(chunk), recipients.c.waybill_no.in_(chunk))
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

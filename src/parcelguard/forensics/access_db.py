"""Building the access model from the audit log, with the aggregation done by the database.

Three reads, whatever the size of the log: the population of each stratum the leak touches,
every channel's distinct-shipment volume in those strata (one `GROUP BY` over a `UNION ALL`
of the rules in `channels.py`), and the events about the matched shipments themselves. Events
that list many shipments at once are read in Python (`access_lists.py`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, cast, distinct, func, literal, or_, select, union_all
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select, Subquery

from parcelguard.audit import queries as audit_queries
from parcelguard.forensics.access_lists import add_list_events
from parcelguard.forensics.access_model import Access, AccessModel, ChannelFacts, ChannelKey
from parcelguard.forensics.channels import (
    ACCESS_ACTIONS,
    DELIVERY_ACTIONS,
    NOT_PRINCIPALS,
    RULES,
    Rule,
    channels_of,
)
from parcelguard.vault import queries as vault_queries

CHUNK = 500


def load_model(
    session: Session,
    tenant_id: str,
    at: datetime,
    shipment_ids: Collection[str],
    strata: Collection[str],
) -> AccessModel:
    """Return the access model of the tenant's log before `at`, for the leak's strata."""
    dialect = session.get_bind().dialect.name
    wanted = sorted(set(strata))
    model = AccessModel(population={}, channels={}, matched=set(shipment_ids))
    if not wanted:
        return model
    recipients = vault_queries.normal_recipients(tenant_id)
    stratum = stratum_expr(recipients.c, recipients.c, dialect)
    model.population = _population(session, at, wanted, recipients, stratum)
    model.channels = _volumes(session, tenant_id, at, wanted, dialect, recipients, stratum)
    _touched(session, tenant_id, at, sorted(model.matched), model)
    add_list_events(session, tenant_id, at, model, recipients, stratum)
    model.pool_small()
    return model


def month_of(column: Any, dialect: str) -> ColumnElement[str]:
    """Return the UTC month (YYYY-MM) of a timestamp column, in the dialect's words."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def stratum_expr(party: Any, shipment: Any, dialect: str) -> ColumnElement[str]:
    """Return `city:month` of a shipment as SQL, as `candidates.stratum_of` computes it."""
    city = func.substr(party.adcode, 1, 4)
    return city.op("||")(literal(":")).op("||")(month_of(shipment.created_at, dialect))


def json_text(column: Any, key: str, dialect: str) -> ColumnElement[str]:
    """Return a text value from a JSON text column (details), in the dialect's words."""
    if dialect == "postgresql":
        return cast(column, JSONB)[key].astext
    return func.json_extract(column, f"$.{key}")


def _population(
    session: Session,
    at: datetime,
    strata: list[str],
    recipients: Subquery,
    stratum: ColumnElement[str],
) -> dict[str, int]:
    query = (
        select(stratum, func.count())
        .select_from(recipients)
        .where(recipients.c.created_at <= at, stratum.in_(strata))
        .group_by(stratum)
    )
    return {str(s): int(n) for s, n in session.execute(query).all()}


def _rule_select(rule: Rule, event: Subquery, dialect: str) -> Select[Any]:
    ident = _source(event, rule.source, dialect)
    holder = _source(event, rule.holder, dialect) if rule.holder else literal(None)
    role = literal(rule.role) if rule.role else event.c.actor_role
    conditions = [
        event.c.target_id.is_not(None),
        ident.is_not(None),
        ident != "",
    ]
    if rule.actions == "access":
        conditions.append(event.c.action.in_(ACCESS_ACTIONS))
    elif rule.actions == "export":
        conditions.append(event.c.action.like("export.%"))
    else:
        conditions.append(event.c.action.in_(DELIVERY_ACTIONS))
    if rule.source == "actor":
        conditions.append(event.c.actor_role.not_in(NOT_PRINCIPALS))
    return select(
        literal(rule.kind).label("kind"),
        func.substr(ident, 1, 64).label("cid"),
        holder.label("holder"),
        role.label("role"),
        event.c.target_id.label("target"),
    ).where(*conditions)


def _source(event: Subquery, source: str, dialect: str) -> ColumnElement[Any]:
    if source == "actor":
        return event.c.actor_id
    if source == "station":
        return event.c.station_id
    return json_text(event.c.details, source.split(".", 1)[1], dialect)


def _volumes(
    session: Session,
    tenant_id: str,
    at: datetime,
    strata: list[str],
    dialect: str,
    recipients: Subquery,
    stratum: ColumnElement[str],
) -> dict[ChannelKey, ChannelFacts]:
    event = audit_queries.shown_events(tenant_id, at)
    rows = union_all(*(_rule_select(r, event, dialect) for r in RULES)).subquery()
    query = (
        select(
            rows.c.kind,
            rows.c.cid,
            func.max(rows.c.holder),
            func.max(rows.c.role),
            stratum,
            func.count(distinct(rows.c.target)),
        )
        .select_from(rows)
        .join(recipients, recipients.c.shipment_id == rows.c.target)
        .where(stratum.in_(strata))
        .group_by(rows.c.kind, rows.c.cid, stratum)
    )
    channels: dict[ChannelKey, ChannelFacts] = {}
    for kind, cid, holder, role, where, count in session.execute(query).all():
        key = ChannelKey(str(kind), str(cid))
        facts = channels.get(key)
        if facts is None:
            principal = holder if holder is not None else (cid if kind == "principal" else None)
            facts = channels[key] = ChannelFacts(key, principal, str(role or kind))
        facts.volume[str(where)] = int(count)
        facts.total += int(count)
    return channels


def _touched(
    session: Session, tenant_id: str, at: datetime, shipment_ids: Sequence[str], model: AccessModel
) -> None:
    event = audit_queries.shown_events(tenant_id, at)
    actions = or_(
        event.c.action.in_(ACCESS_ACTIONS + DELIVERY_ACTIONS), event.c.action.like("export.%")
    )
    for chunk in _chunks(shipment_ids):
        query = select(event).where(event.c.target_id.in_(chunk), actions)
        for row in session.execute(query.order_by(event.c.seq)).mappings():
            record_event(model, row, json.loads(row["details"] or "{}"), str(row["target_id"]))


def record_event(model: AccessModel, row: Any, details: dict[str, Any], shipment_id: str) -> None:
    """Credit every channel the event names with an access to one matched shipment."""
    fields = details.get("fields") or ()
    access = Access(
        seq=row["seq"],
        at=row["at"],
        action=str(row["action"]),
        shipment_id=shipment_id,
        purpose=row["purpose"],
        fields=tuple(str(f) for f in fields) if isinstance(fields, list) else (),
        key_id=str(details["key_id"]) if details.get("key_id") else None,
    )
    for key, holder, role in channels_of(row, details):
        if key not in model.channels:
            model.channels[key] = ChannelFacts(key, holder, role)
        model.touch(key, access)


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])

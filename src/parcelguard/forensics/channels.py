"""Which channels an audit event credits with seeing its shipment: the one rule table.

| rule | credits | from | for |
| --- | --- | --- | --- |
| actor | the principal | `actor_id` (role `actor_role`) | every access action |
| actor's station | the station | `station_id` | every access action |
| API key | the key | `details.key_id` (holder `actor_id`) | every access action |
| export | the export run | `details.export_id` | `export.*` |
| delivery | the courier | `details.courier_id` | lifecycle steps, relay calls |
| delivery | the station | `details.station_id` | lifecycle steps |

`access_db.py` runs the same table as SQL (volumes) and in Python (evidence), so the two can
never disagree about who saw what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from parcelguard.forensics.access_model import ChannelKey

# Single-shipment events (target_id is the shipment id) that show a person's data.
ACCESS_ACTIONS = (
    "reveal",
    "shipment.view",
    "label.scan",
    "label.print",
    "pickup.handover",
    "relay.connect",
    "export.run",
    "export.download",
)
DELIVERY_ACTIONS = (
    "shipment.assigned",
    "shipment.out_for_delivery",
    "shipment.at_station",
    "shipment.delivered",
    "shipment.returned",
    "relay.connect",
)
# Events that show many shipments at once name them in details.waybills / details.shipment_ids.
LIST_ACTIONS = ("shipment.list", "shipments.list", "export.list", "console.list")
NOT_PRINCIPALS = frozenset({"anonymous", "system", "public", "unknown", "recipient"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One way an event credits a channel."""

    kind: str
    source: str  # "actor", "station", or "details.<key>"
    holder: str | None  # where the principal behind the channel comes from
    role: str | None  # a fixed role, or None for the actor's role
    actions: str  # "access", "delivery" or "export"


RULES = (
    Rule("principal", "actor", "actor", None, "access"),
    Rule("station", "station", None, "station", "access"),
    Rule("api_key", "details.key_id", "actor", None, "access"),
    Rule("export", "details.export_id", "actor", "export", "export"),
    Rule("principal", "details.courier_id", "details.courier_id", "courier", "delivery"),
    Rule("station", "details.station_id", None, "station", "delivery"),
)


def applies(rule: Rule, action: str) -> bool:
    """Return whether the rule reads events of this action."""
    if rule.actions == "access":
        return action in ACCESS_ACTIONS or action in LIST_ACTIONS
    if rule.actions == "export":
        return action.startswith("export.")
    return action in DELIVERY_ACTIONS


def channels_of(
    event: Mapping[str, Any], details: Mapping[str, Any]
) -> list[tuple[ChannelKey, str | None, str]]:
    """Return (channel, principal behind it, role) for every channel the event credits."""
    action = str(event["action"])
    found = []
    for rule in RULES:
        if not applies(rule, action):
            continue
        value = _value(rule.source, event, details)
        if not value or (rule.source == "actor" and event["actor_role"] in NOT_PRINCIPALS):
            continue
        holder = _value(rule.holder, event, details) if rule.holder else None
        role = rule.role or str(event["actor_role"])
        found.append((ChannelKey(rule.kind, value), holder, role))
    return found


def _value(source: str, event: Mapping[str, Any], details: Mapping[str, Any]) -> str | None:
    if source == "actor":
        raw = event["actor_id"]
    elif source == "station":
        raw = event["station_id"]
    else:
        raw = details.get(source.split(".", 1)[1])
    return str(raw)[:64] if raw not in (None, "") else None

"""The automatic investigation attached to a complaint for staff.

Each section is one investigator: a function of the complainant's phone and the complaint
that returns a titled section or None. Built in: who accessed the complainant's parcels
(audit log), the monitor's alerts about those who did, and the relay's privacy-number
bindings and connected calls of those parcels. Another domain adds its own section by
subscribing to `INVESTIGATE` (in the composition root, `assembly.SUBSCRIPTIONS`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from parcelguard.audit.service import events_for_targets
from parcelguard.complaints.models import Complaint
from parcelguard.complaints.results import (
    AccessSection,
    AlertsSection,
    CallsSection,
    InvestigationReport,
    LinkedAccess,
    RelayCall,
)
from parcelguard.errors import NotFound
from parcelguard.hooks import Hook
from parcelguard.monitor import service as monitor
from parcelguard.relay import service as relay
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.vault.service import ACCESS_ACTIONS, access_history, shipment_ids_for_phone

Investigator = Callable[[Runtime, Session, Sensitive, Complaint], Mapping[str, Any] | None]
LIMIT = 300


@dataclass(frozen=True)
class Investigation:
    """A complaint is being investigated; a subscriber answers one section (or None)."""

    rt: Runtime
    session: Session
    phone: Sensitive
    complaint: Complaint


INVESTIGATE: Hook[Investigation, Mapping[str, Any] | None] = Hook("complaints.investigate")


def access_section(
    rt: Runtime, session: Session, phone: Sensitive, complaint: Complaint
) -> AccessSection:
    """Return who accessed the complainant's parcels and when, the linked ones flagged."""
    linked = set(_waybills(complaint))
    rows: list[LinkedAccess] = [
        {**row, "linked": row["waybill_no"] in linked}
        for row in access_history(rt, session, phone.reveal(), limit=LIMIT)
    ]
    staff = [r for r in rows if r["role"] != "recipient"]
    by_role = Counter((r["role"], r["decision"] or "view") for r in staff)
    return {
        "key": "access",
        "rows": staff,
        "summary": [
            {"role": role, "decision": decision, "count": n}
            for (role, decision), n in sorted(by_role.items())
        ],
        "reveals": sum(1 for r in staff if r["action"] == "reveal" and r["decision"] == "allow"),
        "denied": sum(1 for r in staff if r["decision"] == "deny"),
        "first_at": staff[-1]["at"] if staff else None,
        "last_at": staff[0]["at"] if staff else None,
    }


def alerts_section(
    rt: Runtime, session: Session, phone: Sensitive, complaint: Complaint
) -> AlertsSection:
    """Return the monitor alerts (any status) on staff who accessed the complainant's parcels."""
    ids = shipment_ids_for_phone(rt, session, phone.reveal())
    events = events_for_targets(session, rt.tenant, ids, ACCESS_ACTIONS)
    accessors = {e.actor_id for e in events if e.actor_role not in ("recipient", "system")}
    incidents = [
        i
        for i in monitor.list_alerts(session, rt.tenant, monitor.STATUSES, limit=LIMIT)
        if i.principal_id in accessors
    ]
    return {
        "key": "alerts",
        "alerts": [monitor.alert_view(i) for i in incidents],
        "accessors": len(accessors),
    }


def calls_section(
    rt: Runtime, session: Session, phone: Sensitive, complaint: Complaint
) -> CallsSection:
    """Return relay calls connected for the complainant's parcels and the linked bindings."""
    ids = shipment_ids_for_phone(rt, session, phone.reveal())
    calls: list[RelayCall] = []
    for event in events_for_targets(session, rt.tenant, ids, ("relay.connect",))[:LIMIT]:
        details = json.loads(event.details or "{}")
        calls.append(
            {
                "at": event.at.isoformat(),
                "channel": details.get("channel"),
                "direction": details.get("direction"),
                "caller": details.get("caller"),
                "courier_id": details.get("courier_id"),
            }
        )
    bindings = []
    for waybill in _waybills(complaint):
        try:
            bindings += relay.list_bindings(rt, session, waybill=waybill, status=None)
        except NotFound:  # erased or purged since
            continue
    return {"key": "calls", "calls": calls, "bindings": bindings}


BUILT_IN: tuple[Investigator, ...] = (access_section, alerts_section, calls_section)


def investigate(
    rt: Runtime, session: Session, phone: Sensitive | None, complaint: Complaint
) -> InvestigationReport:
    """Run every investigator; say which sections exist."""
    made_at = rt.clock.now().isoformat()
    if phone is None:  # shredded at the end of retention
        return {"made_at": made_at, "sections": {}, "available": []}
    found = [investigator(rt, session, phone, complaint) for investigator in BUILT_IN]
    found += rt.hooks.emit(INVESTIGATE, Investigation(rt, session, phone, complaint))
    sections = {section["key"]: section for section in found if section is not None}
    return {"made_at": made_at, "sections": sections, "available": sorted(sections)}


def _waybills(complaint: Complaint) -> list[str]:
    return list(json.loads(complaint.waybills or "[]"))

"""What the complaints services return: typed JSON shapes (TypedDicts, so the JSON is unchanged).

A newcomer reads here what `service.file`, `detail`, `staff_view` and the investigation hand back;
the API and the console serialise these dicts as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict

from parcelguard.monitor.results import AlertView
from parcelguard.relay.results import BindingView
from parcelguard.vault.results import AccessRecord, MaskedShipment


class ComplaintSummary(TypedDict):
    """What a queue or a list shows of a complaint (no sealed fields)."""

    id: str
    kind: str
    status: str
    badge: str
    waybills: list[str]
    created_at: str
    due_at: str
    answered_at: str | None
    appeal_deadline: str
    appeal_reason: str | None


class TimelineStep(TypedDict):
    """One step of a complaint's timeline."""

    type: str
    at: str
    actor_role: str
    note: str | None


class ComplaintDetail(ComplaintSummary):
    """A complaint with its words and answer opened, and its timeline."""

    text: str | None
    answer: str | None
    answered_by_role: str | None
    timeline: list[TimelineStep]


class InvestigationReport(TypedDict):
    """The automatic investigation: each section by its key (hook sections included)."""

    made_at: str
    sections: dict[str, Mapping[str, Any]]
    available: list[str]


class ComplaintStaffView(ComplaintDetail):
    """A complaint for staff: the detail plus the masked parcels and the investigation."""

    parcels: list[MaskedShipment]
    investigation: InvestigationReport


class ComplaintQueue(TypedDict):
    """`GET /api/v1/complaints`."""

    complaints: list[ComplaintSummary]


class ComplaintReveal(TypedDict):
    """`POST /api/v1/complaints/{id}/reveal`: the revealed field by name."""

    fields: dict[str, str]


class AccessCount(TypedDict):
    """How many accesses one role made with one decision."""

    role: str
    decision: str
    count: int


class LinkedAccess(AccessRecord):
    """An access to the complainant's parcels, flagged when the complaint names the parcel."""

    linked: bool


class AccessSection(TypedDict):
    """Investigation section `access`: who accessed the complainant's parcels."""

    key: str
    rows: list[LinkedAccess]
    summary: list[AccessCount]
    reveals: int
    denied: int
    first_at: str | None
    last_at: str | None


class AlertsSection(TypedDict):
    """Investigation section `alerts`: monitor alerts on those who accessed the parcels."""

    key: str
    alerts: list[AlertView]
    accessors: int


class RelayCall(TypedDict):
    """One connected relay call, as its audit event recorded it."""

    at: str
    channel: Any
    direction: Any
    caller: Any
    courier_id: Any


class CallsSection(TypedDict):
    """Investigation section `calls`: relay calls and bindings of the parcels."""

    key: str
    calls: list[RelayCall]
    bindings: list[BindingView]


class TimelineRow(TimelineStep):
    """A timeline step with its type and note in words, as the pages show it."""

    type_words: str
    note_words: str


class LookupStep(TypedDict):
    """One lifecycle step of a looked-up parcel (scan, handover), local times on the page."""

    type: str
    at: str
    station_id: str | None


class StaffName(TypedDict):
    """A member of staff as pages show them: masked name, employee number, role."""

    name: str
    employee_no: str
    role: str


class LookupViewer(StaffName):
    """Who looked at a looked-up parcel, what they did and why."""

    at: str
    action: str
    decision: str | None
    purpose: str | None


class LookedUpParcel(MaskedShipment):
    """A parcel found by customer service: its masked view, steps and who looked."""

    steps: list[LookupStep]
    looked: list[LookupViewer]


class LookupResult(TypedDict):
    """What a customer-service lookup found under a ticket (masked, audited)."""

    by: str
    ticket: str
    parcels: list[LookedUpParcel]

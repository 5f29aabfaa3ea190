"""What the web layer's helpers and console JSON endpoints return: typed shapes (TypedDicts).

The error document is the contract's (CONTRACTS.md); the console endpoints answer `portal.js`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NotRequired

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict

from parcelguard.access.results import StaffView
from parcelguard.audit.results import EventFields
from parcelguard.monitor.results import AlertView
from parcelguard.vault.results import MaskedShipment

if TYPE_CHECKING:
    from parcelguard.access.principals import Caller
    from parcelguard.web.charts import Chart


@dataclass(frozen=True)
class Staff:
    """The signed-in member of staff of one page request, with the session's CSRF token."""

    caller: Caller
    csrf: str


class ErrorDetail(TypedDict):
    """The `error` of an error document: a stable code, a message, optional details."""

    code: str
    message: str
    details: Any


class ErrorDocument(TypedDict):
    """The error document every endpoint answers with (CONTRACTS.md)."""

    error: ErrorDetail


class FieldProblem(TypedDict):
    """One 422 problem: the field's path, the reason and the error type (never the value)."""

    field: str
    reason: str
    type: str


class ServerOptions(TypedDict):
    """The uvicorn options every server of ours runs with."""

    proxy_headers: bool
    server_header: bool
    log_config: dict[str, Any]


class ConsoleMenu(TypedDict):
    """The signed-in caller's console menu (`staff` None when nobody is signed in)."""

    staff: Staff | None
    menu: list[tuple[str, str]]
    current: str


class PersonRef(TypedDict):
    """How a page names a principal that is gone: its id (shortened) and no details."""

    id: str
    name: str
    employee_no: str
    role: str


class AlertRow(AlertView):
    """An alert on the security pages, with the person it is about named as pages name people."""

    who: StaffView | PersonRef


class WaitingParcel(TypedDict):
    """A parcel waiting at a station, as the counter lists it (masked name only)."""

    code: str
    shelf: int
    layer: int
    waybill_no: str
    name: str
    arrived_at: datetime


class AuditRow(EventFields[datetime]):
    """One row of the console's audit log page: the event's fields and its target as shown."""

    target: str  # "type:id", or the type alone


class Shown(TypedDict):
    """A secret shown once (an API key, an enrolment link) and its label."""

    label: str
    value: str
    hint: NotRequired[str]  # what to send next and to whom (admin enrolment)


class ShowOnce(TypedDict):
    """A console answer that shows a secret once."""

    show: Shown


class NextPage(TypedDict):
    """A console answer that sends the browser to the next page."""

    next: str


class CourierCall(TypedDict):
    """The virtual number a courier dials for a parcel: `tel:` target, as shown, until when."""

    tel: str
    shown: str
    until: str


class CourierCard(MaskedShipment):
    """A courier's parcel card: the masked view, the number to call, whether it may reveal."""

    call: CourierCall | None
    revealable: bool


class SuspensionNotice(TypedDict):
    """What a suspended member of staff is told: the rule that suspended them, whom to call."""

    rule: str
    officers: list[str]


class AccessTimeline(TypedDict):
    """The portal's "who viewed" timeline: the drawn line and the accesses by local day."""

    chart: Chart
    days: list[tuple[str, list[dict[str, Any]]]]

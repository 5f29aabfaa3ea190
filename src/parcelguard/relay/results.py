"""What the relay services return: typed JSON shapes (TypedDicts, so the JSON is unchanged).

No shape here holds a real number of a party: bindings show the virtual number X, calls the
masked parties. `ProviderAnswer` is the one exception, by design: it goes to the carrier only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NotRequired

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict


class BindingView(TypedDict):
    """What the API and CLI show of a binding (no party, no real number)."""

    binding_id: str
    kind: str
    virtual_number: str | None
    extension: str | None
    group_id: str | None
    expires_at: str
    status: str
    waybill: str | None
    courier_id: str | None
    created_at: str
    ended_at: str | None
    end_reason: str | None


class BindingList(TypedDict):
    """`GET /api/v1/relay/bindings`."""

    bindings: list[BindingView]


class CallView(TypedDict):
    """A call record as the API shows it (masked parties only)."""

    call_id: str
    channel: str
    virtual_number: str | None
    binding_id: str | None
    direction: str | None
    caller: str | None
    callee: str | None
    decision: str | None
    reason: str | None
    status: str
    started_at: str
    answered_at: str | None
    ended_at: str | None
    duration_s: int | None


class RecordingView(TypedDict):
    """What a list shows of a call recording (no audio, no party)."""

    recording_id: str
    call_id: str
    binding_id: str | None
    size: int
    content_type: str
    recorded_at: str
    expires_at: str
    erased: bool


class StatusApplied(TypedDict):
    """A status callback applied to its call record."""

    call_id: str
    status: str


class RelayCheck(TypedDict):
    """One line of `relay doctor`."""

    name: str
    ok: bool
    detail: str


class RelayDoctor(TypedDict):
    """`relay doctor`: the platform's credentials and the reachability of our callbacks."""

    provider: str
    ok: bool
    checks: list[Mapping[str, Any]]


class ProviderAnswer(TypedDict):
    """The answer to the carrier: connect to `number` (the real one) or reject with `reason`."""

    action: str
    number: str | None
    reason: str | None
    extension: NotRequired[str]
    attempt: NotRequired[int | None]
    text: NotRequired[str]


class MaskedAnswer(TypedDict):
    """The same answer with the number masked (for people and screens)."""

    action: str
    number: str | None
    reason: str | None
    attempt: NotRequired[int | None]


class SimulatedCall(MaskedAnswer):
    """`relay simulate`: what the demo carrier would do with a call, masked."""

    call_id: str | None
    connected_to: str | None
    waybill: str | None
    summary: str


class CourierRef(TypedDict):
    """A courier as a recipient may see them: masked name and employee number."""

    name: str
    employee_no: str


class CallerVerdict(TypedDict):
    """`relay verify`: is the caller one of the recipient's couriers, and how we know."""

    verdict: str
    genuine: bool
    via: str | None
    courier: CourierRef | None
    waybill: str | None
    message: dict[str, str]  # by language: zh, en


class PoolProblem(TypedDict):
    """A rejected row of a pool import: which row, which field, code and message."""

    row: int
    field: str
    code: str
    message: str


class PoolImport(TypedDict):
    """A pool import: numbers added, known ones skipped, bad rows by row."""

    imported: int
    duplicates: int
    rejected: int
    errors: list[PoolProblem]


class NumberRow(TypedDict):
    """The column values of a new pool number."""

    tenant_id: str
    number_id: str
    number: str
    city: str | None
    state: str
    mode: str
    slot: int
    cooling_until: datetime | None
    label: str | None
    created_at: Any
    updated_at: Any


class Reserved(TypedDict):
    """`POST /api/v1/relay/pool/reserve`: the numbers set aside as canaries."""

    reserved: list[dict[str, Any]]


class CanaryOwner(TypedDict):
    """Whose canary a called pool number is (a `CANARY` subscriber's answer; ids only)."""

    canary_id: str
    holder_id: str
    channel_kind: str

"""What the monitor services return: typed JSON shapes (TypedDicts, so the JSON is unchanged).

`details` stay plain dicts: each rule writes its own (documented with the detectors).
"""

from __future__ import annotations

from typing import Any, NotRequired

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict


class EvidenceSummary(TypedDict):
    """What evidence keeps of an access event: sequence, time, action, waybill, outcome."""

    seq: int | None
    at: str
    action: str
    waybill: str | None
    outcome: str | None


class AlertView(TypedDict):
    """An alert as the CLI and API show it (no PII: ids, codes, waybills)."""

    id: str
    principal_id: str
    role: str | None
    rule: str
    severity: str
    status: str
    assignee: str | None
    first_at: str | None
    last_at: str | None
    findings: int
    evidence_count: int
    suspended: bool
    details: dict[str, Any]
    resolved_at: str | None
    resolved_by: str | None
    evidence: NotRequired[list[dict[str, Any]]]


class ResolvedAlert(AlertView):
    """A resolved alert and whether the person's reveal rights were restored."""

    restored: bool


class AlertList(TypedDict):
    """`GET /api/v1/alerts` (CONTRACTS.md: `{"alerts": [...]}`)."""

    alerts: list[AlertView]


class AlertNotification(TypedDict):
    """The webhook body of a new incident: ids, rule, severity, codes; never PII."""

    type: str
    tenant_id: str
    incident_id: str
    principal_id: str
    role: str | None
    rule: str
    severity: str
    suspended: bool
    first_at: str
    details: dict[str, Any]
    evidence_seqs: list[int]


class ReplayAlert(TypedDict):
    """One line of `monitor replay`: a finding as an alert."""

    principal_id: str
    rule: str
    severity: str
    at: str
    details: dict[str, Any]

"""What the audit services return: typed JSON shapes (TypedDicts, so the JSON is unchanged).

See docs/audit.md for the proof format. The leaf itself (`leaf.leaf_document`) stays a plain dict:
its keys are the canonical `PUBLIC_FIELDS`, hashed as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, Generic, TypeVar

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict

At = TypeVar("At")  # how a form carries the event's time: a datetime, or ISO text


class KeyRef(TypedDict):
    """A witness (or other signer) by name and its public note key."""

    name: str
    public_key: str


class LogRef(TypedDict):
    """The log's origin line and public note key."""

    origin: str
    public_key: str


class PublicKeys(TypedDict):
    """What a verifier needs and may trust once published: the log's and witnesses' keys."""

    origin: str
    public_key: str
    witnesses: list[KeyRef]


class InclusionProof(TypedDict):
    """The inclusion proof document of one event (`parcelguard-audit-proof/v1`)."""

    format: str
    log: LogRef
    witnesses: list[KeyRef]
    event: dict[str, Any]
    leaf: str
    leaf_index: int
    tree_size: int
    inclusion_path: list[str]
    checkpoint: str


class VerifyReport(TypedDict):
    """`audit verify`: the contract's five keys, then what the witnesses said."""

    ok: bool
    events: int
    checkpoints: int
    first_bad_seq: int | None
    reason: str | None
    signed_size: int
    witnessed_size: int
    witnesses: list[dict[str, Any]]


class ProofVerdict(TypedDict):
    """`audit verify-proof`: the verdict on one proof document."""

    ok: bool
    reason: str | None
    seq: int | None
    tree_size: int | None
    event: dict[str, Any] | None
    witnesses: list[dict[str, Any]]
    warning: str | None


class EventFields(TypedDict, Generic[At]):
    """What every audit event says, whatever form it travels in (`at` in the form's own type)."""

    tenant_id: str
    seq: int
    at: At
    actor_id: str
    actor_role: str
    station_id: str | None
    action: str
    target_type: str
    target_id: str | None
    decision: str | None
    reason: str | None
    purpose: str | None
    reference: str | None


class AuditColumns(EventFields[datetime]):
    """The columns of a new audit event, before its salt, leaf hash and MAC."""

    details: str  # JSON


class EventPayload(EventFields[str]):
    """An audit event as published on the bus (no hashes, no PII); built in column order."""

    details: dict[str, Any]


def column_reader(event: Any) -> Callable[[str], Any]:
    """Return how to read a column off an event: a stored row's attribute, or a mapping's key."""
    return event.__getitem__ if isinstance(event, Mapping) else partial(getattr, event)


def event_fields(event: Any) -> EventFields[datetime]:
    """Return the fields every event says, read off a stored row or a mapping of its columns."""
    get = column_reader(event)
    return {
        "tenant_id": get("tenant_id"),
        "seq": get("seq"),
        "at": get("at"),
        "actor_id": get("actor_id"),
        "actor_role": get("actor_role"),
        "station_id": get("station_id"),
        "action": get("action"),
        "target_type": get("target_type"),
        "target_id": get("target_id"),
        "decision": get("decision"),
        "reason": get("reason"),
        "purpose": get("purpose"),
        "reference": get("reference"),
    }

"""What the forensics services return: typed JSON shapes (TypedDicts, so the JSON is unchanged).

`TraceDocument` is the contract's trace document (CONTRACTS.md); `StoredTrace` is what a traced
leak keeps (the document plus its matched records). Evidence items stay plain dicts: each kind
(`canary`, `peers`, `coverage`…) has its own fields, documented in `evidence.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict


class CanaryHit(TypedDict):
    """A canary found in a leaked file: certain proof of the channel it was given to."""

    channel: str
    principal_id: str
    canary_id: str
    waybill_no: str
    rows: list[int]
    certain: bool


class SuspectView(TypedDict):
    """One suspect of a trace, with its evidence."""

    principal_id: str
    kind: str
    channel: str
    role: str
    coverage: float
    covered: int
    matched: int
    score: float
    accused: bool
    certain: bool
    evidence: list[Mapping[str, Any]]


class TraceDocument(TypedDict):
    """The contract's trace document (`forensics trace`, `POST /api/v1/forensics/trace`)."""

    leak_id: str
    at: str
    rows: int
    records: int
    matched: int
    unmatched: int
    skipped_rows: int
    unmatched_reasons: dict[str, int]
    unmatched_rows: list[int]
    canaries: list[CanaryHit]
    threshold: float
    accused: list[str]
    suspects: list[SuspectView]


class StoredTrace(TraceDocument):
    """What a traced leak stores and `leaks/{id}` returns: the document and its records.

    The pages pop `matched_records` to show the records apart from the document.
    """

    matched_records: NotRequired[list[dict[str, Any]]]


class PeersEvidence(TypedDict):
    """Evidence item `peers`: how others of the same role covered the leak."""

    type: str
    role: str
    peers_covering_any: int
    median_covered: int | float
    best_other_covered: int


class CanaryView(TypedDict):
    """What `canaries list` shows of a canary (masked number only)."""

    canary_id: str
    waybill_no: str
    channel: str
    principal_id: str | None
    phone: str
    number_source: str
    status: str
    seeded_at: str
    retired_at: str | None


class CanaryList(TypedDict):
    """`GET`/`POST /api/v1/forensics/canaries`."""

    canaries: list[CanaryView]


class Rotation(TypedDict):
    """`canaries rotate`: the canary ids retired and seeded in their place."""

    retired: list[str]
    seeded: list[str]


class ExposureCheck(TypedDict):
    """`exposure check`: the masked phone and the leaks it appeared in."""

    phone: str
    exposed: bool
    leaks: list[dict[str, str]]


class ExposureSalt(TypedDict):
    """`GET /api/v1/exposure/salt`: what a browser needs to compute the range prefix."""

    salt: str
    algorithm: str
    input: str
    prefix_length: int
    recipe: str
    range: str


class ExposureBucket(TypedDict):
    """`GET /api/v1/exposure/range/{prefix}`: stored suffixes padded with decoys."""

    prefix: str
    suffixes: list[str]
    bucket_size: int

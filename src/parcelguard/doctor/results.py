"""What the doctor returns: typed JSON shapes (TypedDicts, so the JSON is unchanged)."""

from __future__ import annotations

from typing import Literal

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict

Status = Literal["pass", "warn", "fail"]


class FindingDocument(TypedDict):
    """One check's verdict (the contract's shape)."""

    name: str
    status: Status
    detail: str


class DoctorDocument(TypedDict):
    """`parcelguard doctor --json`: the contract's shape, plus `at`."""

    ok: bool
    checks: list[FindingDocument]
    at: str

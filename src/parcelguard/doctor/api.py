"""Doctor API: `GET /api/v1/doctor` runs the self-check for admins and security officers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from parcelguard.access.guards import require
from parcelguard.access.principals import Caller
from parcelguard.doctor.service import examine
from parcelguard.runtime import Runtime
from parcelguard.web.deps import get_caller, get_runtime

router = APIRouter(prefix="/api/v1/doctor", tags=["ops"])


class FindingOut(BaseModel):
    """One check's verdict."""

    name: str
    status: Literal["pass", "warn", "fail"]
    detail: str


class DoctorReport(BaseModel):
    """The self-check: `ok` is false when any check failed."""

    ok: bool
    at: str
    checks: list[FindingOut]


@router.get("", response_model=DoctorReport)
def doctor(
    caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    """Run every check now (what `parcelguard doctor --json` prints)."""
    require(caller, roles=("admin", "security_officer"))
    return examine(rt).as_dict()


def mount(app: FastAPI) -> None:
    """Add the doctor API."""
    app.include_router(router)

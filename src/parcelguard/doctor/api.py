"""Doctor API: `GET /api/v1/doctor` runs the self-check for admins and security officers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from parcelguard.access.principals import Caller
from parcelguard.access.roles import Role
from parcelguard.doctor.results import DoctorDocument
from parcelguard.doctor.service import examine
from parcelguard.runtime import Runtime
from parcelguard.web.deps import RequireRole, get_runtime

router = APIRouter(prefix="/api/v1/doctor", tags=["ops"])
Reader = Annotated[Caller, RequireRole(Role.ADMIN, Role.OFFICER)]


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
def doctor(caller: Reader, rt: Runtime = Depends(get_runtime)) -> DoctorDocument:
    """Run every check now (what `parcelguard doctor --json` prints)."""
    return examine(rt).as_dict()


def mount(app: FastAPI) -> None:
    """Add the doctor API."""
    app.include_router(router)

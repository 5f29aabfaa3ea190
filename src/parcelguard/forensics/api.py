"""Forensics API: trace uploads and canaries for security officers; the anonymous exposure check."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from parcelguard.access.principals import Caller
from parcelguard.access.roles import Role
from parcelguard.clock import parse_instant
from parcelguard.errors import InvalidInput
from parcelguard.forensics import service
from parcelguard.forensics.results import (
    CanaryList,
    ExposureBucket,
    ExposureSalt,
    Rotation,
    StoredTrace,
    TraceDocument,
)
from parcelguard.runtime import Runtime
from parcelguard.web.deps import RequireRole, get_runtime
from parcelguard.web.reports import leak_report_html
from parcelguard.web.security import client_ip
from parcelguard.web.security.headers import document_policy

router = APIRouter(prefix="/api/v1/forensics", tags=["forensics"])
exposure_router = APIRouter(prefix="/api/v1/exposure", tags=["exposure"])
Officer = Annotated[Caller, RequireRole(Role.OFFICER)]
MAX_UPLOAD = 1 << 30
MAX_PASTE = 4 << 20


class SeedIn(BaseModel):
    """Which channel gets canaries, and how many."""

    kind: str = Field(description="courier, station, api_key or export")
    channel_id: str = Field(max_length=64)
    count: int = Field(default=1, ge=1, le=20)


class RotateIn(BaseModel):
    """Which canaries to rotate (all active ones when empty)."""

    kind: str | None = None
    channel_id: str | None = Field(default=None, max_length=64)


@router.post("/trace")
def trace(
    caller: Officer,
    file: UploadFile | None = File(default=None, description="Leaked CSV, XLSX or text file."),
    text: str | None = Form(default=None, description="Pasted text, instead of a file."),
    at: str | None = Form(default=None, description="When the leak was found (ISO 8601)."),
    rt: Runtime = Depends(get_runtime),
) -> TraceDocument:
    """Trace a leaked file or pasted text; answer the contract's trace document."""
    when = _instant(at)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leak"
        _save(path, file, text)
        return service.trace(rt, caller.actor, path, at=when)


def _save(path: Path, upload: UploadFile | None, text: str | None) -> None:
    with path.open("wb") as out:
        path.chmod(0o600)
        if upload is not None:
            written = 0
            while chunk := upload.file.read(1 << 20):
                written += len(chunk)
                if written > MAX_UPLOAD:
                    raise InvalidInput("the upload is larger than 1 GiB", code="too_large")
                out.write(chunk)
        elif text:
            data = text.encode("utf-8")
            if len(data) > MAX_PASTE:
                raise InvalidInput(
                    "pasted text is limited to 4 MiB; upload a file", code="too_large"
                )
            out.write(data)
        else:
            raise InvalidInput("send a `file` or a `text` field", code="missing_field")


def _instant(text: str | None) -> Any:
    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise InvalidInput("`at` must be an ISO 8601 time", code="invalid_time") from None


# A stored report is served as stored (older reports may carry other keys): no response model.
@router.get("/leaks/{leak_id}", response_model=None)
def leak(caller: Officer, leak_id: str, rt: Runtime = Depends(get_runtime)) -> StoredTrace:
    """Return the stored report of a traced leak."""
    return service.leak_report(rt, caller.actor, leak_id)


@router.get("/leaks/{leak_id}/report", response_class=HTMLResponse)
def leak_html(caller: Officer, leak_id: str, rt: Runtime = Depends(get_runtime)) -> HTMLResponse:
    """Return the HTML report of a traced leak (standalone page)."""
    document = service.leak_report(rt, caller.actor, leak_id)
    rows = document.pop("matched_records", [])
    page = leak_report_html(document, rows)
    return HTMLResponse(page, headers={"Content-Security-Policy": document_policy(page)})


@router.get("/canaries")
def canaries(
    caller: Officer,
    include_retired: bool = False,
    rt: Runtime = Depends(get_runtime),
) -> CanaryList:
    """List canaries and the channel each was given to."""
    return {"canaries": service.list_canaries(rt, caller.actor, include_retired=include_retired)}


@router.post("/canaries")
def seed(caller: Officer, body: SeedIn, rt: Runtime = Depends(get_runtime)) -> CanaryList:
    """Seed canaries for one channel."""
    return {
        "canaries": service.seed_canaries(rt, caller.actor, body.kind, body.channel_id, body.count)
    }


@router.post("/canaries/rotate")
def rotate(caller: Officer, body: RotateIn, rt: Runtime = Depends(get_runtime)) -> Rotation:
    """Retire active canaries and seed fresh ones for the same channels."""
    return service.rotate_canaries(rt, caller.actor, kind=body.kind, channel_id=body.channel_id)


@exposure_router.get("/salt")
def salt(rt: Runtime = Depends(get_runtime)) -> ExposureSalt:
    """Return the public salt and recipe: prefix = hex(SHA-256(salt + E.164))[:5]."""
    return service.exposure_salt(rt)


@exposure_router.get("/range/{prefix}")
def exposure_range(
    prefix: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> ExposureBucket:
    """Return every stored suffix under a 5-hex-digit prefix, padded with decoys and shuffled."""
    return service.exposure_range(rt, prefix, client_ip(request.scope))


def mount(app: FastAPI) -> None:
    """Add the forensics and exposure APIs."""
    app.include_router(router)
    app.include_router(exposure_router)

"""Shipments API: import, masked view, lifecycle events and reveal (CONTRACTS.md)."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from parcelguard.access.principals import Caller
from parcelguard.access.roles import STAFF_ROLES, Role
from parcelguard.runtime import Runtime
from parcelguard.vault import export, ingest, lifecycle, service
from parcelguard.vault import reveal as reveal_case
from parcelguard.vault.config import row_rules
from parcelguard.vault.readers import RawRow
from parcelguard.vault.results import (
    ExportDecision,
    ExportList,
    ExportRef,
    ImportDocument,
    MaskedShipment,
)
from parcelguard.vault.schemas import (
    EventIn,
    ImportResult,
    RevealIn,
    RevealOut,
    ShipmentIn,
    ShipmentView,
)
from parcelguard.web.deps import (
    RequireRole,
    bearer,
    get_caller,
    get_runtime,
    json_body,
    json_body_doc,
    runtime_of,
)
from parcelguard.web.writers import run_writing

router = APIRouter(prefix="/api/v1/shipments", tags=["shipments"])
Ingester = Annotated[Caller, RequireRole(Role.ADMIN, scope="ingest")]
Reader = Annotated[Caller, RequireRole(*STAFF_ROLES, scope="read")]
Officer = Annotated[Caller, RequireRole(Role.OFFICER)]
MAX_BATCH = 5000


@router.post("", response_model=ImportResult)
def create_shipments(
    caller: Ingester,
    body: ShipmentIn | list[ShipmentIn] = Body(...),
    assign_waybills: bool = Query(
        False, description="Generate waybill numbers for shipments that have none."
    ),
    rt: Runtime = Depends(get_runtime),
) -> ImportDocument:
    """Import one shipment or a list (fields as the import file); bad ones come back by index.

    A shipment without a waybill number is rejected unless `assign_waybills` is set; one
    without any sender field takes the configured default sender (`[sender]`).
    """
    items = body if isinstance(body, list) else [body]
    if len(items) > MAX_BATCH:
        from parcelguard.errors import InvalidInput

        raise InvalidInput(f"at most {MAX_BATCH} shipments per request", code="too_many")
    rows = (
        RawRow(i + 1, {k: str(v) for k, v in item.model_dump(exclude_none=True).items()})
        for i, item in enumerate(items)
    )
    options = ingest.ImportOptions(rules=row_rules(rt, assign_waybills=assign_waybills))
    report = ingest.import_shipments(rt, caller.actor, rows, options=options)
    return report.as_dict()


@router.get("/{waybill}", response_model=ShipmentView, response_model_exclude_none=True)
def get_shipment(
    caller: Reader, waybill: str, rt: Runtime = Depends(get_runtime)
) -> MaskedShipment:
    """Return the masked view of a shipment."""
    with rt.db.session() as session:
        return service.show(rt, session, caller.actor, waybill)


@router.post("/{waybill}/events", response_model=ShipmentView, response_model_exclude_none=True)
def post_event(
    waybill: str,
    event: EventIn,
    caller: Caller = Depends(get_caller),
    rt: Runtime = Depends(get_runtime),
) -> MaskedShipment:
    """Record a lifecycle step; the service checks station, courier, state, proof and time."""
    return lifecycle.record(
        rt,
        caller,
        waybill,
        event.type,
        courier_id=event.courier_id,
        station_id=event.station_id,
        at=event.at,
        pickup_code=event.pickup_code,
        reason=event.reason,
    )


@router.post("/{waybill}/reveal", response_model=RevealOut, openapi_extra=json_body_doc(RevealIn))
async def reveal(
    waybill: str,
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> JSONResponse:
    """Reveal plaintext fields through the policy; 403 with the reason code when denied."""
    raw = await request.body()

    def authenticate_and_reveal() -> dict[str, str]:
        # One trip to the thread pool: the caller (and its rate limit), the body, the reveal.
        caller = get_caller(request, credentials)
        asked = json_body(RevealIn, raw, request.headers.get("content-type"))
        rt = runtime_of(request)
        return reveal_case.reveal(rt, caller, waybill, asked.fields, asked.purpose, asked.reference)

    return JSONResponse({"fields": await run_writing(runtime_of(request), authenticate_and_reveal)})


exports = APIRouter(prefix="/api/v1/exports", tags=["exports"])


class ExportIn(BaseModel):
    """A bulk export request."""

    case_id: str = Field(max_length=32)
    waybills: list[str] = Field(min_length=1, max_length=10_000)
    fields: list[str] = Field(min_length=1, max_length=7)


@exports.get("")
def list_exports(caller: Officer, rt: Runtime = Depends(get_runtime)) -> ExportList:
    """List export requests (security officers)."""
    with rt.db.read_session() as session:
        return {"exports": export.list_exports(rt, session)}


@exports.post("")
def request_export(
    body: ExportIn, caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> ExportRef:
    """Ask for a bulk export under an open case; a second officer must approve."""
    request = export.request_export(rt, caller, body.case_id, body.waybills, body.fields)
    return {"id": request.request_id, "status": request.status}


@exports.post("/{request_id}/approve")
def approve_export(
    request_id: str, caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> ExportDecision:
    """Approve another officer's export (`approvals` of `needed` so far)."""
    return export.approve_export(rt, caller, request_id)


@exports.post("/{request_id}/run", response_class=PlainTextResponse)
def run_export(
    request_id: str, caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> PlainTextResponse:
    """Run an approved export once; the answer is the CSV."""
    buffer = io.StringIO()
    export.run_export(rt, caller, request_id, buffer)
    return PlainTextResponse(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="export-{request_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


def mount(app: FastAPI) -> None:
    """Add the shipments and exports API."""
    app.include_router(router)
    app.include_router(exports)

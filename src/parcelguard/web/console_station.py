"""The station counter: parcels waiting for pickup, hand-over by pickup code, shelf labels.

A clerk sees their own station's waiting parcels with the masked name, the pickup code and the
shelf; nothing on the page reads a phone number. The hand-over form posts to the pickup API
(`POST /api/v1/stations/{station}/pickup`, through `static/console.js` with the session's CSRF
token), which checks the code and the optional last four digits, counts wrong attempts and
audits every one. Shelf labels of the selected parcels come as one PDF. Parcels transferred
into or out of the station are listed too: both stations see every transfer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from parcelguard.access.roles import Role
from parcelguard.labels import pickup
from parcelguard.labels import service as labels_service
from parcelguard.runtime import Runtime
from parcelguard.vault import lifecycle
from parcelguard.vault import service as vault_service
from parcelguard.vault.results import Transfer
from parcelguard.web.console_shell import Staff, StaffSession, render
from parcelguard.web.deps import get_runtime
from parcelguard.web.results import WaitingParcel
from parcelguard.words import both

router = APIRouter(prefix="/console/station", include_in_schema=False)
ClerkPage = Annotated[Staff, StaffSession(Role.CLERK)]
MAX_LABELS = 200
TEXT: dict[str, dict[str, Any]] = both("station")


def waiting_rows(rt: Runtime, session: Session, station: str) -> list[WaitingParcel]:
    """Return the station's waiting parcels as the counter lists them (masked name only)."""
    rows: list[WaitingParcel] = []
    for code in pickup.waiting_at(session, rt.tenant, station):
        shipment = vault_service.get_by_id(session, rt.tenant, code.shipment_id)
        parties = vault_service.parties_of(session, shipment) if shipment is not None else {}
        recipient = parties.get("recipient")
        rows.append(
            {
                "code": code.code,
                "shelf": code.shelf,
                "layer": code.layer,
                "waybill_no": code.waybill_no,
                "name": recipient.name_masked if recipient is not None else "*",
                "arrived_at": code.arrived_at,
            }
        )
    return rows


def _counter(request: Request, rt: Runtime, staff: Staff, *, notice: str = "") -> Response:
    station = staff.caller.station_id or ""
    rows: list[WaitingParcel] = []
    transfers: list[Transfer] = []
    if station:
        with rt.db.read_session() as session:
            rows = waiting_rows(rt, session, station)
            transfers = lifecycle.transfers_at(session, rt.tenant, station)
    context = {"station": station, "rows": rows, "notice": notice, "transfers": transfers}
    status = 400 if notice else 200
    return render(request, "console/station/counter.html", TEXT, context, staff, status_code=status)


@router.get("", response_model=None)
def counter(staff: ClerkPage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the counter: the hand-over form and the parcels waiting at the clerk's station."""
    return _counter(request, rt, staff)


@router.get("/shelf-labels.pdf", response_model=None)
def shelf_labels(
    staff: ClerkPage,
    request: Request,
    waybill: list[str] = Query(default=[]),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Return the shelf labels of the selected waiting parcels as one PDF (each print audited)."""
    chosen = [w.strip()[:40] for w in waybill if w.strip()][:MAX_LABELS]
    station = staff.caller.station_id
    if not chosen or not station:
        return _counter(request, rt, staff, notice="print_none")
    job = labels_service.PrintJob(chosen, "pdf", "100x180", 203)
    (data,) = labels_service.print_shelf_labels(rt, staff.caller.actor, job, station=station)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="shelf-labels.pdf"',
            "Cache-Control": "no-store",
        },
    )

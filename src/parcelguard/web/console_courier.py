"""The courier's deliveries: assigned parcels (masked), reveal on step-up, call through the relay.

The call button dials the virtual number X of the parcel's active AXB binding (the relay
connects X to the recipient): the recipient's real number never reaches the page. Without a
binding the card says so and offers "request a privacy number" (`POST /api/v1/relay/bindings`,
which a courier may call for their own parcels). Revealing the address asks for a passkey
step-up, then the reveal API decides and audits, as for any caller (`static/console.js`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from parcelguard.access import service as access_service
from parcelguard.access.principals import Caller
from parcelguard.access.roles import Role
from parcelguard.relay import printed
from parcelguard.relay import service as relay_service
from parcelguard.runtime import Runtime
from parcelguard.vault import service as vault_service
from parcelguard.vault.service import Shipment
from parcelguard.web.console_shell import Staff, StaffSession, render
from parcelguard.web.deps import get_runtime
from parcelguard.web.results import CourierCall, CourierCard, SuspensionNotice

router = APIRouter(prefix="/console", include_in_schema=False)
CourierPage = Annotated[Staff, StaffSession(Role.COURIER)]
ON_ROUTE = ("out_for_delivery",)
SCANNABLE = ("assigned", "out_for_delivery")


def parcel_cards(rt: Runtime, session: Session, caller: Caller) -> list[CourierCard]:
    """Return the courier's parcels out for delivery: masked view plus the number to call."""
    assigned = vault_service.list_for_courier(session, rt.tenant, caller.principal_id, ON_ROUTE)
    return [_card(rt, session, caller, s) for s in assigned if s.kind == "normal"]


def _card(rt: Runtime, session: Session, caller: Caller, shipment: Shipment) -> CourierCard:
    view = vault_service.view(session, shipment)
    return {
        **view,
        "call": relay_number(rt, session, shipment.waybill_no, caller.principal_id),
        # A suspended courier gets no reveal button: the notice says why and whom to call.
        "revealable": shipment.status in ON_ROUTE and not caller.reveal_suspended,
    }


def suspension_notice(rt: Runtime, session: Session, caller: Caller) -> SuspensionNotice | None:
    """Return what a suspended member of staff is told, or None when not suspended.

    What happened (the alert rule that suspended them, when the monitor did) and whom to
    contact: the active security officers who may restore them (masked name, employee no.).
    """
    if not caller.reveal_suspended:
        return None
    me = access_service.get(session, rt.tenant, caller.principal_id)
    reason = (me.suspended_reason or "") if me is not None else ""
    officers = [
        f"{p.name_masked}（{p.employee_no}）"
        for p in access_service.list_principals(session, rt.tenant, Role.OFFICER)
        if p.status == "active" and not p.reveal_suspended and p.principal_id != caller.principal_id
    ]
    return {
        "rule": reason.removeprefix("monitor:") if reason.startswith("monitor:") else "",
        "officers": officers[:3],
    }


def relay_number(
    rt: Runtime, session: Session, waybill: str, courier_id: str
) -> CourierCall | None:
    """Return the virtual number X of the courier's live AXB or AXE binding, or None.

    An AXE binding shows "X 转 1234"; its `tel:` link dials X, pauses, then keys the
    extension (the relay's IVR asks for it), so one tap still reaches the recipient.
    """
    now = rt.clock.now()
    for binding in relay_service.list_bindings(rt, session, waybill=waybill, status="active"):
        number = binding["virtual_number"]
        live = datetime.fromisoformat(binding["expires_at"]) > now
        mine = binding["kind"] in ("axb", "axe") and binding["courier_id"] == courier_id
        if mine and number and live:
            extension = binding.get("extension")
            return {
                "tel": printed.dialled(number, extension),
                "shown": printed.shown(number, extension),  # as the label prints it
                "until": binding["expires_at"],
            }
    return None


def _scanned(rt: Runtime, session: Session, caller: Caller, waybill: str) -> CourierCard | None:
    """Return the scanned parcel's card if it is this courier's, else None (nothing told)."""
    shipment = vault_service.get(session, rt.tenant, waybill)
    if (
        shipment is None
        or shipment.kind != "normal"
        or shipment.courier_id != caller.principal_id
        or shipment.status not in SCANNABLE
    ):
        return None
    return _card(rt, session, caller, shipment)


@router.get("/deliveries", response_model=None)
def deliveries(
    staff: CourierPage,
    request: Request,
    reveal: str | None = Query(default=None, max_length=40),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Show the courier's parcels out for delivery; `?reveal=` puts a scanned parcel on top."""
    wanted = (reveal or "").strip()
    with rt.db.read_session() as session:
        parcels = parcel_cards(rt, session, staff.caller)
        scanned = _scanned(rt, session, staff.caller, wanted) if wanted else None
        notice = suspension_notice(rt, session, staff.caller)
    if scanned is not None:  # shown once, on top
        parcels = [p for p in parcels if p["waybill_no"] != scanned["waybill_no"]]
    context = {
        "parcels": parcels,
        "scanned": scanned,
        "wanted": wanted,
        "suspended": staff.caller.reveal_suspended,
        "notice": notice,
    }
    return render(request, "console/courier/deliveries.html", {}, context, staff)

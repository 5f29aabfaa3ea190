"""Shipments API: import, masked view, lifecycle events and reveal (CONTRACTS.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, FastAPI

from parcelguard.access.guards import STAFF, require
from parcelguard.access.principals import Caller
from parcelguard.runtime import Runtime
from parcelguard.vault import ingest, lifecycle, service
from parcelguard.vault import reveal as reveal_case
from parcelguard.vault.readers import RawRow
from parcelguard.vault.schemas import (
    EventIn,
    ImportResult,
    RevealIn,
    RevealOut,
    ShipmentIn,
    ShipmentView,
)
from parcelguard.web.deps import get_caller, get_runtime

router = APIRouter(prefix="/api/v1/shipments", tags=["shipments"])
MAX_BATCH = 5000


@router.post("", response_model=ImportResult)
def create_shipments(
    body: ShipmentIn | list[ShipmentIn] = Body(...),
    caller: Caller = Depends(get_caller),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    """Import one shipment or a list (fields as the import file); bad ones come back by index."""
    require(caller, roles=("admin",), scope="ingest")
    items = body if isinstance(body, list) else [body]
    if len(items) > MAX_BATCH:
        from parcelguard.errors import InvalidInput

        raise InvalidInput(f"at most {MAX_BATCH} shipments per request", code="too_many")
    rows = (
        RawRow(i + 1, {k: str(v) for k, v in item.model_dump(exclude_none=True).items()})
        for i, item in enumerate(items)
    )
    report = ingest.import_shipments(rt, rows, caller.actor)
    return report.as_dict()


@router.get("/{waybill}", response_model=ShipmentView, response_model_exclude_none=True)
def get_shipment(
    waybill: str, caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    """Return the masked view of a shipment."""
    require(caller, roles=STAFF, scope="read")
    with rt.db.session() as session:
        return service.show(rt, session, waybill, caller.actor)


@router.post("/{waybill}/events", response_model=ShipmentView, response_model_exclude_none=True)
def post_event(
    waybill: str,
    event: EventIn,
    caller: Caller = Depends(get_caller),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    """Record a lifecycle step (assigned, out_for_delivery, at_station, delivered, returned)."""
    require(caller, roles=("admin", "station_clerk"), scope="events")
    with rt.db.session() as session:
        return lifecycle.record_event(
            rt,
            session,
            waybill,
            event.type,
            caller.actor,
            courier_id=event.courier_id,
            station_id=event.station_id
            or (caller.station_id if caller.role == "station_clerk" else None),
            at=event.at,
        )


@router.post("/{waybill}/reveal", response_model=RevealOut)
def reveal(
    waybill: str,
    body: RevealIn,
    caller: Caller = Depends(get_caller),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    """Reveal plaintext fields through the policy; 403 with the reason code when denied."""
    return {
        "fields": reveal_case.reveal(rt, caller, waybill, body.fields, body.purpose, body.reference)
    }


def mount(app: FastAPI) -> None:
    """Add the shipments API."""
    app.include_router(router)

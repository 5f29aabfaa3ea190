"""Alerts API for security officers: list, show, assign, resolve (and restore rights)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query

from parcelguard.access.principals import Caller
from parcelguard.access.roles import Role
from parcelguard.errors import InvalidInput
from parcelguard.monitor import service
from parcelguard.monitor.models import OPEN_STATUSES, STATUSES
from parcelguard.monitor.results import AlertList, AlertView, ResolvedAlert
from parcelguard.monitor.schemas import AlertsOut, AssignIn, ResolveIn
from parcelguard.runtime import Runtime
from parcelguard.web.deps import RequireRole, get_runtime

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])
Officer = Annotated[Caller, RequireRole(Role.OFFICER)]


@router.get("", response_model=AlertsOut)
def list_alerts(
    caller: Officer,
    status: list[str] = Query(default=[]),
    limit: int = Query(default=200, ge=1, le=10_000),
    rt: Runtime = Depends(get_runtime),
) -> AlertList:
    """Return open alerts (or those of the given statuses), most recent first."""
    unknown = sorted(set(status) - set(STATUSES))
    if unknown:
        raise InvalidInput(f"unknown status {', '.join(unknown)}", code="invalid_status")
    with rt.db.session() as session:
        found = service.list_alerts(session, rt.tenant, status or OPEN_STATUSES, limit)
        return {"alerts": [service.alert_view(i) for i in found]}


@router.get("/{alert_id}")
def show_alert(caller: Officer, alert_id: str, rt: Runtime = Depends(get_runtime)) -> AlertView:
    """Return one alert with its evidence."""
    with rt.db.session() as session:
        return service.show_alert(rt, session, alert_id)[1]


@router.post("/{alert_id}/assign")
def assign_alert(
    alert_id: str,
    body: AssignIn,
    caller: Officer,
    rt: Runtime = Depends(get_runtime),
) -> AlertView:
    """Assign an alert; an open one becomes acknowledged."""
    return service.assign_alert(rt, caller.actor, alert_id, body.to)


@router.post("/{alert_id}/resolve")
def resolve_alert(
    alert_id: str,
    body: ResolveIn,
    caller: Officer,
    rt: Runtime = Depends(get_runtime),
) -> ResolvedAlert:
    """Resolve an alert (or close it as a false positive), restoring reveal rights if asked."""
    return service.resolve_alert(
        rt, caller.actor, alert_id, false_positive=body.false_positive, restore=body.restore
    )


@router.post("/{alert_id}/restore")
def restore_rights(
    alert_id: str,
    caller: Officer,
    rt: Runtime = Depends(get_runtime),
) -> ResolvedAlert:
    """Give back the reveal rights this alert suspended (another officer; the alert stays)."""
    return service.restore_alert(rt, caller.actor, alert_id)


def mount(app: FastAPI) -> None:
    """Add the alerts API."""
    app.include_router(router)

"""Labels over HTTP: label documents, shelf labels, hand-over by pickup code, and `/s/{token}`.

The scan landing page is rendered on the server (templates under `web/templates/scan/`).
Its answers never depend on who printed the label; the token in its path is kept out of the
access log, and the page sends no referrer, so the token does not travel on from there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from parcelguard.access.principals import Caller
from parcelguard.access.roles import STAFF_ROLES, Role
from parcelguard.errors import Denied, NotAuthenticated
from parcelguard.labels import handover, scan, service
from parcelguard.labels.registry import renderer_for
from parcelguard.labels.results import Handover
from parcelguard.runtime import Runtime
from parcelguard.web.deps import RequireRole, bearer, get_caller, get_runtime
from parcelguard.web.pages import language, render
from parcelguard.web.security import client_ip
from parcelguard.web.security.access_log import AccessLogMask as ScanPathFilter  # noqa: F401
from parcelguard.words import both

TEXT = both("scan")
router = APIRouter(prefix="/api/v1", tags=["labels"])
pages = APIRouter(include_in_schema=False)
LabelReader = Annotated[Caller, RequireRole(*STAFF_ROLES, scope="labels")]
ShelfPrinter = Annotated[Caller, RequireRole(Role.CLERK, Role.ADMIN, scope="labels")]
TokenRevoker = Annotated[
    Caller, RequireRole(Role.ADMIN, Role.OFFICER, Role.CUSTOMER_SERVICE, scope="labels")
]
Clerk = Annotated[Caller, RequireRole(Role.CLERK, Role.ADMIN)]  # handover.CLERK_ROLES

# The security headers (no referrer: the token is in this page's URL) come from the one
# middleware; search engines are asked to keep away from the token's page too.
PAGE_HEADERS = {"X-Robots-Tag": "noindex, nofollow"}
SCAN_STATUS = {
    "anonymous": 200,
    "assigned_courier": 200,
    "staff_not_assigned": 403,
    "rate_limited": 429,
}


class PickupIn(BaseModel):
    """A hand-over at the counter: the pickup code, maybe the phone's last four digits."""

    code: str = Field(min_length=1, max_length=16, examples=["3-2-0417"])
    last4: str | None = Field(default=None, pattern=r"^\d{4}$")


class PickupOut(BaseModel):
    """The parcel handed over."""

    waybill_no: str
    pickup_code: str
    station_id: str
    status: str


class RevokeOut(BaseModel):
    """How many live QR tokens were revoked."""

    revoked: int


def _document(data: bytes, fmt: str, name: str) -> Response:
    renderer_type = renderer_for(fmt)
    return Response(
        data,
        media_type=renderer_type.media_type,
        headers={
            "Content-Disposition": f'inline; filename="{name}.{renderer_type.extension}"',
            "Cache-Control": "no-store",  # a label carries a live QR token
        },
    )


@router.get(
    "/shipments/{waybill}/label.{fmt}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "text/plain": {}}}},
)
def get_label(
    waybill: str,
    fmt: str,
    caller: LabelReader,
    size: str = Query("100x180", description="100x180 or 76x130 (mm)"),
    dpi: int = Query(203, description="203, 300 or 600"),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Return a privacy waybill label (pdf, png or zpl) with a fresh QR token; audited."""
    job = service.PrintJob([waybill], fmt, size, dpi)
    (data,) = service.print_labels(rt, caller.actor, job)
    return _document(data, fmt, f"label-{waybill.strip()}")


@router.get("/shipments/{waybill}/shelf-label.{fmt}", response_class=Response)
def get_shelf_label(
    waybill: str,
    fmt: str,
    caller: ShelfPrinter,
    dpi: int = Query(203, description="203, 300 or 600"),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Return the station shelf label of a parcel waiting for pickup; audited."""
    station = caller.station_id if caller.role == Role.CLERK else None
    if caller.role == Role.CLERK and not station:
        raise Denied("this clerk belongs to no station", code="other_station")
    job = service.PrintJob([waybill], fmt, "100x180", dpi)
    (data,) = service.print_shelf_labels(rt, caller.actor, job, station=station)
    return _document(data, fmt, f"shelf-{waybill.strip()}")


@router.post("/shipments/{waybill}/labels/revoke", response_model=RevokeOut)
def revoke_labels(
    caller: TokenRevoker, waybill: str, rt: Runtime = Depends(get_runtime)
) -> dict[str, int]:
    """Revoke every QR token of a shipment (its printed labels stop opening anything)."""
    with rt.db.session() as session:
        return {"revoked": service.revoke(rt, session, caller.actor, waybill)}


@router.post("/stations/{station}/pickup", response_model=PickupOut)
def post_pickup(
    station: str,
    body: PickupIn,
    caller: Clerk,
    rt: Runtime = Depends(get_runtime),
) -> Handover:
    """Hand a waiting parcel over by pickup code (and last four digits); marks it delivered."""
    handover.check_station(caller, station)
    request = handover.PickupRequest(station, body.code, body.last4)
    return handover.hand_over(rt, caller.actor, request)


@pages.get("/s/{token}", response_class=HTMLResponse)
def scan_landing(
    token: str,
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    rt: Runtime = Depends(get_runtime),
) -> HTMLResponse:
    """Answer a scanned QR code: what the page shows depends on who scans."""
    result = scan.scan(rt, _caller_or_none(request, credentials), token, _client(request))
    return render(
        request,
        "scan/landing.html",
        TEXT[language(request)],
        {"result": result},
        status_code=SCAN_STATUS.get(result.outcome, 404),
        headers=PAGE_HEADERS,
    )


def _caller_or_none(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Caller | None:
    """Return the signed-in caller (bearer key or session cookie), or None for a stranger."""
    try:
        return get_caller(request, credentials)
    except (NotAuthenticated, Denied):
        return None


def _client(request: Request) -> str:
    return client_ip(request.scope)


def mount(app: FastAPI) -> None:
    """Add the labels API and the scan landing page (the access log masks `/s/…`)."""
    app.include_router(router)
    app.include_router(pages)

"""Staff console shell: passkey sign-in, enrolment by a one-time link, and the home page.

Pages are rendered on the server; the ceremonies run in `static/webauthn.js` and
`static/console.js` (no inline script: the pages' CSP allows scripts from this origin only).
Home shows who is signed in and the links to their role's pages; a courier also sees the
parcels out for delivery. `/console?reveal=<waybill>` is where a courier lands after scanning
a label: it opens the delivery list at that parcel, ready to reveal its address.
`mount` adds the role pages too (courier, station, security centre).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcelguard.access import enrolment, passkeys
from parcelguard.access import service as access_service
from parcelguard.access.roles import Role
from parcelguard.runtime import Runtime
from parcelguard.web import (
    console_audit,
    console_courier,
    console_leaks,
    console_security,
    console_station,
    console_system,
)
from parcelguard.web.console_shell import login_redirect, render, safe_next, signed_in
from parcelguard.web.deps import get_runtime

router = APIRouter(prefix="/console", include_in_schema=False)
WAYBILL = Query(default=None, max_length=40)


@router.get("/login", response_model=None)
def login_page(
    request: Request,
    next: str | None = Query(default=None, max_length=200),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Show the passkey sign-in page (or go on when already signed in)."""
    if signed_in(rt, request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "console/login.html", {}, {"next": safe_next(next)}, None)


@router.get("/enrol")
def enrol_page(request: Request, rt: Runtime = Depends(get_runtime)) -> HTMLResponse:
    """Show the page that registers a passkey with a one-time link.

    The token is in the link's fragment, which the browser keeps to itself: the page's script
    reads it, checks it and registers with it, in POST bodies only (the link is not spent).
    """
    return render(request, "console/enrol.html", {}, {}, signed_in(rt, request))


@router.get("/enrol/{token}")
def exposed_enrol_link(
    token: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> HTMLResponse:
    """Refuse an enrolment token sent in the path, and cancel its link: logs on the way hold it."""
    with rt.db.session() as session:
        cancelled = enrolment.cancel_exposed(rt, session, token[:128])
    context = {"exposed": cancelled}
    return render(
        request, "console/enrol.html", {}, context, signed_in(rt, request), status_code=404
    )


@router.get("", response_model=None)
def home(
    request: Request, reveal: str | None = WAYBILL, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show who is signed in, the role's pages and, for a courier, the parcels out for delivery."""
    staff = signed_in(rt, request)
    wanted = (reveal or "").strip()
    if staff is None:
        if wanted:
            return login_redirect(f"/console?reveal={quote(wanted, safe='')}")
        return RedirectResponse("/console/login", status_code=303)
    caller = staff.caller
    if wanted and caller.role == Role.COURIER:
        return RedirectResponse(f"/console/deliveries?reveal={quote(wanted, safe='')}", 303)
    with rt.db.read_session() as session:
        me = access_service.public_view(
            access_service.get_or_raise(session, rt.tenant, caller.principal_id)
        )
        count = len(passkeys.list_passkeys(session, rt.tenant, caller.principal_id))
        parcels = (
            console_courier.parcel_cards(rt, session, caller) if caller.role == Role.COURIER else []
        )
        notice = console_courier.suspension_notice(rt, session, caller)
    context = {
        "me": me,
        "courier": caller.role == Role.COURIER,
        "parcels": parcels,
        "passkey_count": count,
        "scan_notice": bool(wanted),
        "notice": notice,
        "suspended": caller.reveal_suspended,
    }
    return render(request, "console/home.html", {}, context, staff)


def mount(app: FastAPI) -> None:
    """Add the console shell and the role pages (courier, station, security centre)."""
    app.include_router(router)
    for module in (
        console_courier,
        console_station,
        console_security,
        console_audit,
        console_leaks,
        console_system,
    ):
        app.include_router(module.router)

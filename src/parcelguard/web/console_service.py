"""Customer-service console pages: the complaints queue with SLA badges, and one complaint.

A complaint page shows the complainant's words, the linked parcels (masked), the automatic
investigation and the answer form; "reveal" asks for a passkey step-up, then reveals one
field under the complaint as ticket (`/api/v1/complaints/{id}/reveal`), which the policy
decides and the audit log keeps. Forms post JSON with the session's CSRF token
(`static/portal.js`); the pages carry no inline script.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from parcelguard.access.roles import Role
from parcelguard.complaints import lookup as cs_lookup
from parcelguard.complaints import service as complaints
from parcelguard.complaints.words import timeline_rows
from parcelguard.complaints.words import words as complaint_words
from parcelguard.errors import InvalidInput, RateLimited
from parcelguard.portal.words import access_row, field_words
from parcelguard.portal.words import words as access_words
from parcelguard.runtime import Runtime
from parcelguard.web import pages
from parcelguard.web.console_shell import Staff, StaffSession, render
from parcelguard.web.deps import get_runtime
from parcelguard.web.pages import language
from parcelguard.web.results import NextPage
from parcelguard.words import both

router = APIRouter(prefix="/console/service", include_in_schema=False)
# Customer service and security officers (`complaints.service.STAFF_ROLES`, checked there too).
ServicePage = Annotated[Staff, StaffSession(Role.CUSTOMER_SERVICE, Role.OFFICER)]
FILTERS = ("open", "overdue", "answered", "unsatisfied", "resolved", "all")
REVEALABLE = ("recipient.name", "recipient.phone", "recipient.address", "sender.name")

TEXT: dict[str, dict[str, Any]] = both("service")


class AnswerForm(BaseModel):
    """The answer form, posted as JSON by `portal.js`."""

    text: str = Field(min_length=1, max_length=complaints.MAX_TEXT)


def staff_page(
    request: Request,
    name: str,
    text: dict[str, dict[str, Any]],
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """Render a console page in the caller's language (the one page shell)."""
    return pages.render(request, name, text[language(request)], context, status_code=status_code)


@router.get("", response_model=None)
def queue(staff: ServicePage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the complaints queue, oldest due first, with SLA badges."""
    caller = staff.caller
    chosen = request.query_params.get("status") or "open"
    chosen = chosen if chosen in FILTERS else "open"
    with rt.db.read_session() as session:
        found = complaints.queue(rt, session, caller.actor, None if chosen == "all" else chosen)
    context = {
        "complaints": found,
        "filters": FILTERS,
        "chosen": chosen,
        "cw": complaint_words(language(request)),
    }
    return staff_page(request, "console/service/queue.html", TEXT, context)


@router.get("/complaints/{complaint_id}", response_model=None)
def complaint(
    staff: ServicePage, complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show a complaint with the automatic investigation and the answer form (audited)."""
    caller = staff.caller
    lang = language(request)
    found = complaints.staff_view(rt, caller.actor, complaint_id)
    access = found["investigation"]["sections"].get("access")
    rows = [access_row(r, lang) for r in access["rows"]] if access else []
    context = {
        "c": found,
        "timeline": timeline_rows(found["timeline"], lang),
        "access": access,
        "rows": rows,
        "missing": [
            TEXT[lang]["inv_names"][n]
            for n in ("alerts", "calls")
            if n not in found["investigation"]["sections"]
        ],
        "cw": complaint_words(lang),
        "w": access_words(lang),
        "revealable": [(f, field_words(f, lang)) for f in REVEALABLE],
        "can_answer": found["status"] in ("open", "unsatisfied"),
    }
    return staff_page(request, "console/service/complaint.html", TEXT, context)


@router.post("/complaints/{complaint_id}/answer")
def answer(
    staff: ServicePage, complaint_id: str, body: AnswerForm, rt: Runtime = Depends(get_runtime)
) -> NextPage:
    """Answer from the console (JSON from `portal.js`); the complainant is told by SMS."""
    done = complaints.answer(rt, staff.caller.actor, complaint_id, body.text)
    return {"next": f"/console/service/complaints/{done['id']}"}


@router.get("/lookup", response_model=None)
def lookup_page(staff: ServicePage, request: Request) -> Response:
    """Show the lookup form: a waybill or a phone, and the ticket the call is about."""
    return render(request, "console/service/lookup.html", TEXT, {"found": None}, staff)


@router.post("/lookup", response_model=None)
def lookup(
    staff: ServicePage,
    request: Request,
    ticket: str = Form("", max_length=128),
    waybill: str = Form("", max_length=40),
    phone: str = Form("", max_length=32),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Look a parcel up by waybill or phone under a ticket (audited, rate-limited).

    A POST form, so a phone number never travels in a URL (access logs, history). A refusal
    shows the form again with the reason; the phone typed is not sent back.
    """
    context: dict[str, Any] = {"found": None, "ticket": ticket.strip()[:64], "waybill": waybill}
    try:
        context["found"] = cs_lookup.lookup(
            rt, staff.caller.actor, ticket=ticket, waybill=waybill, phone=phone
        )
    except (InvalidInput, RateLimited) as refused:
        context["error"] = refused.code
        status = 429 if isinstance(refused, RateLimited) else 400
        return render(
            request, "console/service/lookup.html", TEXT, context, staff, status_code=status
        )
    return render(request, "console/service/lookup.html", TEXT, context, staff)


def mount(app: FastAPI) -> None:
    """Add the customer-service console pages."""
    app.include_router(router)

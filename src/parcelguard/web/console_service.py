"""Customer-service console pages: the complaints queue with SLA badges, and one complaint.

A complaint page shows the complainant's words, the linked parcels (masked), the automatic
investigation and the answer form; "reveal" asks for a passkey step-up, then reveals one
field under the complaint as ticket (`/api/v1/complaints/{id}/reveal`), which the policy
decides and the audit log keeps. Forms post JSON with the session's CSRF token
(`static/portal.js`); the pages carry no inline script.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from parcelguard.access import sessions as staff_sessions
from parcelguard.access.principals import Caller
from parcelguard.complaints import service as complaints
from parcelguard.complaints.words import timeline_rows
from parcelguard.complaints.words import words as complaint_words
from parcelguard.errors import Denied, NotAuthenticated
from parcelguard.portal.words import access_row, field_words
from parcelguard.portal.words import words as access_words
from parcelguard.runtime import Runtime
from parcelguard.web import filters
from parcelguard.web.deps import get_caller, get_runtime
from parcelguard.web.pages import language, templates
from parcelguard.web.portal import HEADERS
from parcelguard.words import both

router = APIRouter(prefix="/console/service", include_in_schema=False)
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
    """Render a console page in the caller's language with the console's headers."""
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        name,
        {"t": text[lang], "lang": lang, "when": filters.when, **context},
        status_code=status_code,
        headers=HEADERS,
    )
    response.set_cookie("lang", lang, samesite="lax")
    return response


def signed_in_staff(rt: Runtime, request: Request) -> tuple[Caller, str] | None:
    """Return the caller of the staff session cookie and its CSRF token, or None."""
    token = request.cookies.get(staff_sessions.COOKIE) or ""
    if not token:
        return None
    try:
        caller = get_caller(request, None)
    except NotAuthenticated:
        return None
    with rt.db.read_session() as session:
        live = staff_sessions.find_live(rt, session, token)
        return (caller, live.csrf_token) if live is not None else None


def require_csrf(request: Request, csrf: str) -> None:
    """Refuse a state-changing page request without the session's CSRF header."""
    presented = request.headers.get(staff_sessions.CSRF_HEADER) or ""
    if not hmac.compare_digest(presented.encode(), csrf.encode()):
        raise Denied("send the session's CSRF token", code="csrf_failed")


def _forbidden(request: Request) -> HTMLResponse:
    return staff_page(request, "console/service/forbidden.html", TEXT, {"csrf": ""}, 403)


@router.get("", response_model=None)
def queue(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the complaints queue, oldest due first, with SLA badges."""
    signed = signed_in_staff(rt, request)
    if signed is None:
        return RedirectResponse("/console/login", status_code=303)
    caller, csrf = signed
    if caller.role not in complaints.STAFF_ROLES:
        return _forbidden(request)
    chosen = request.query_params.get("status") or "open"
    chosen = chosen if chosen in FILTERS else "open"
    with rt.db.read_session() as session:
        found = complaints.queue(rt, session, caller.actor, None if chosen == "all" else chosen)
    context = {
        "complaints": found,
        "filters": FILTERS,
        "chosen": chosen,
        "cw": complaint_words(language(request)),
        "csrf": csrf,
    }
    return staff_page(request, "console/service/queue.html", TEXT, context)


@router.get("/complaints/{complaint_id}", response_model=None)
def complaint(complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show a complaint with the automatic investigation and the answer form (audited)."""
    signed = signed_in_staff(rt, request)
    if signed is None:
        return RedirectResponse("/console/login", status_code=303)
    caller, csrf = signed
    if caller.role not in complaints.STAFF_ROLES:
        return _forbidden(request)
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
        "csrf": csrf,
    }
    return staff_page(request, "console/service/complaint.html", TEXT, context)


@router.post("/complaints/{complaint_id}/answer")
def answer(
    complaint_id: str, body: AnswerForm, request: Request, rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    """Answer from the console (JSON from `portal.js`); the complainant is told by SMS."""
    signed = signed_in_staff(rt, request)
    if signed is None:
        raise NotAuthenticated("sign in again", code="not_authenticated")
    caller, csrf = signed
    require_csrf(request, csrf)
    if caller.role not in complaints.STAFF_ROLES:
        raise Denied("only customer service and security officers", code="role_not_allowed")
    done = complaints.answer(rt, caller.actor, complaint_id, body.text)
    return {"next": f"/console/service/complaints/{done['id']}"}


def mount(app: FastAPI) -> None:
    """Add the customer-service console pages."""
    app.include_router(router)

"""Recipient portal pages (`/portal`): sign in by one-time code, then one's own data.

Server-rendered and usable without JavaScript: every action is a plain form carrying the
browser session's CSRF token in a `csrf` field (before sign-in, the pre-session's), which
`web.csrf.protect` checks before any route runs. The person's
session lives in the `pg_portal` cookie (HttpOnly, SameSite=Strict, path /portal). Pages
show masked data; plaintext leaves only in the person's own data copy, through `reveal`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcelguard.audit import service as audit
from parcelguard.clock import CHINA, as_utc
from parcelguard.complaints import complainant
from parcelguard.complaints import service as complaints
from parcelguard.complaints.appeal import as_text
from parcelguard.complaints.words import words as complaint_words
from parcelguard.errors import (
    InvalidInput,
    ParcelGuardError,
    RateLimited,
)
from parcelguard.portal import export, otp, sessions
from parcelguard.portal import service as portal
from parcelguard.portal.config import portal_config
from parcelguard.portal.words import access_row, field_words
from parcelguard.portal.words import words as access_words
from parcelguard.relay import service as relay
from parcelguard.runtime import Runtime
from parcelguard.web import charts, csrf, pages
from parcelguard.web.deps import clear_session_cookie, get_runtime, set_session_cookie
from parcelguard.web.errors import Redirect
from parcelguard.web.pages import language
from parcelguard.web.results import AccessTimeline
from parcelguard.web.security import client_ip
from parcelguard.words import both, catalogue
from parcelguard.words.formats import zone

router = APIRouter(prefix="/portal", include_in_schema=False)
PRE_COOKIE = "pg_portal_pre"
TEXT = both("portal")


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    extra = {
        "w": access_words(lang),
        "cw": complaint_words(lang),
        "field_words": lambda f: field_words(f, lang),
        **context,
    }
    return pages.render(request, name, TEXT[lang], extra, status_code=status_code)


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _download(body: str | bytes, media_type: str, filename: str) -> Response:
    """Return a file the browser saves under `filename` (a download of the person's own)."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers)


def _client(request: Request) -> str:
    return client_ip(request.scope)


def _person(rt: Runtime, request: Request) -> sessions.Person | None:
    with rt.db.read_session() as session:
        person = sessions.find(rt, session, request.cookies.get(sessions.COOKIE) or "")
    if person is not None:
        csrf.remember(request, person.csrf_token)
    return person


def _signed_in(request: Request, rt: Annotated[Runtime, Depends(get_runtime)]) -> sessions.Person:
    """Return the signed-in person; anyone else is sent to the sign-in page."""
    person = _person(rt, request)
    if person is None:
        raise Redirect("/portal")
    return person


# Who may open a page of their own data or post one of its forms (a form's CSRF token was
# checked before, by `csrf.protect`).
SignedInPerson = Annotated[sessions.Person, Depends(_signed_in)]


# -- sign-in -----------------------------------------------------------------------------------


def _signin_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    """Show the sign-in form (its token is the pre-session's, started here if need be)."""
    return _page(request, "portal/signin.html", {"error": error}, status)


@router.get("", response_model=None)
def home(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the sign-in form, or the menu of a signed-in person."""
    person = _person(rt, request)
    if person is None:
        return _signin_page(request)
    with rt.db.read_session() as session:
        parcels = portal.my_parcels(rt, session, person)[:3]
    done = request.query_params.get("done")
    return _page(request, "portal/home.html", {"me": person, "parcels": parcels, "done": done})


@router.post("/code", response_model=None)
def send_code(
    request: Request,
    phone: str = Form("", max_length=32),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Text a one-time code to a mobile number (rate-limited), then ask for it."""
    try:
        sent = otp.send_code(rt, phone, _client(request), language(request))
    except ParcelGuardError as exc:
        return _signin_page(request, exc.code, 429 if isinstance(exc, RateLimited) else 400)
    context = {"phone": phone, "sent": sent, "minutes": portal_config(rt).code_minutes}
    return _page(request, "portal/code.html", context)


@router.post("/signin", response_model=None)
def sign_in(
    request: Request,
    phone: str = Form("", max_length=32),
    code: str = Form("", max_length=16),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Check the code; on success set the session cookie and go to the menu."""
    try:
        opened = otp.sign_in(rt, phone, code, _client(request))
    except ParcelGuardError as exc:
        if exc.code in ("otp_invalid", "otp_used", "otp_expired"):
            context = {"phone": phone, "error": exc.code, "sent": None}
            return _page(request, "portal/code.html", context, 401)
        return _signin_page(request, exc.code, 429 if isinstance(exc, RateLimited) else 400)
    response = _go("/portal")
    max_age = portal_config(rt).session_minutes * 60
    set_session_cookie(response, rt, sessions.COOKIE, opened.token, max_age=max_age, path="/portal")
    csrf.end_pre_session(response, rt)
    return response


@router.post("/signout", response_model=None)
def sign_out(
    person: SignedInPerson, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """End the session."""
    with rt.db.session() as session:
        sessions.close(rt, session, request.cookies.get(sessions.COOKIE) or "")
    response = _go("/portal?done=signed_out")
    clear_session_cookie(response, rt, sessions.COOKIE, path="/portal")
    return response


# -- own data ----------------------------------------------------------------------------------


@router.get("/parcels", response_model=None)
def parcels(
    person: SignedInPerson, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """List the person's parcels, masked, newest first."""
    with rt.db.read_session() as session:
        found = portal.my_parcels(rt, session, person)
    return _page(request, "portal/parcels.html", {"me": person, "parcels": found})


@router.get("/parcels/{waybill}", response_model=None)
def parcel(
    person: SignedInPerson, waybill: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show one of the person's parcels and who accessed it."""
    lang = language(request)
    with rt.db.read_session() as session:
        view = portal.my_parcel(rt, session, person, waybill)
        rows = [access_row(r, lang) for r in portal.who_viewed(rt, session, person, waybill)]
    return _page(request, "portal/parcel.html", {"me": person, "p": view, "rows": rows})


@router.get("/access", response_model=None)
def access(
    person: SignedInPerson, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show who viewed the person's data: role, station, purpose, time, decision."""
    lang = language(request)
    with rt.db.read_session() as session:
        rows = [access_row(r, lang) for r in portal.who_viewed(rt, session, person)]
    keys = audit.public_keys(rt)
    drawn = access_timeline(rows, rt.clock.now(), rt.settings.timezone, lang)
    context = {"me": person, "rows": rows, "keys": keys, "timeline": drawn}
    return _page(request, "portal/access.html", context)


def access_timeline(
    rows: Sequence[Mapping[str, Any]], now: datetime, where: str, lang: str
) -> AccessTimeline:
    """Return the "who viewed" timeline: one dot per access on a line, and the days in order.

    Local times in the tenant's zone, the accessor's role in words (no staff names: the
    person learns role and station). Newest day first, as the list below it.
    """
    place = zone(where)
    points: list[tuple[datetime, str, str]] = []
    days: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        at = as_utc(datetime.fromisoformat(row["at"]))
        local = at.astimezone(place)
        kind = "deny" if row.get("decision") == "deny" else "allow"
        said = f"{local:%Y-%m-%d %H:%M} · {row['role_words']} · {row['action_words']}"
        points.append((at, kind, f"{said} · {row['decision_words']}"))
        days.setdefault(local.strftime("%Y-%m-%d"), []).append(
            {**row, "time": local.strftime("%H:%M"), "kind": kind}
        )
    start = min((at for at, _, _ in points), default=now - timedelta(days=1))
    ticks = [(start, f"{start.astimezone(place):%m-%d}"), (now, f"{now.astimezone(place):%m-%d}")]
    return {
        "chart": charts.timeline(points, start, now, ticks),
        "days": sorted(days.items(), reverse=True),
    }


@router.get("/access/{seq}/proof", response_model=None)
def access_proof(person: SignedInPerson, seq: int, rt: Runtime = Depends(get_runtime)) -> Response:
    """Download the inclusion proof of one access to the person's own data (JSON)."""
    with rt.db.read_session() as session:
        document = portal.access_proof(rt, session, person, seq)
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return _download(body, "application/json", f"parcelguard-proof-{seq}.json")


@router.get("/copy", response_model=None)
def copy_page(person: SignedInPerson, request: Request) -> Response:
    """Explain the data copy and offer its two formats."""
    return _page(request, "portal/copy.html", {"me": person})


@router.post("/copy", response_model=None)
def copy_download(
    person: SignedInPerson,
    fmt: str = Form("json", pattern="^(json|csv)$"),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Download the person's own data (each field revealed through the policy, audited)."""
    copy = portal.data_copy(rt, person, fmt)
    day = rt.clock.now().astimezone(CHINA).strftime("%Y%m%d")
    body, media = (
        (export.as_csv(copy), "text/csv; charset=utf-8")
        if fmt == "csv"
        else (export.as_json(copy), "application/json")
    )
    return _download(body, media, f"parcelguard-my-data-{day}.{fmt}")


@router.get("/erase", response_model=None)
def erase_page(
    person: SignedInPerson, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show what erasure would remove, with a confirmation step."""
    with rt.db.read_session() as session:
        counts = portal.erasure_preview(rt, session, person)
    return _page(request, "portal/erase.html", {"me": person, "counts": counts, "result": None})


@router.post("/erase", response_model=None)
def erase(
    person: SignedInPerson,
    request: Request,
    confirm: str = Form("", max_length=8),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Erase the person's delivered and returned parcels once they confirmed."""
    if confirm != "yes":
        with rt.db.read_session() as session:
            counts = portal.erasure_preview(rt, session, person)
        context = {"me": person, "counts": counts, "result": None, "error": "confirm_required"}
        return _page(request, "portal/erase.html", context, 400)
    result = portal.erase(rt, person)
    return _page(request, "portal/erase.html", {"me": person, "counts": None, "result": result})


@router.get("/verify", response_model=None)
def verify_page(person: SignedInPerson, request: Request) -> Response:
    """Ask for the number that called: is this really my courier?"""
    return _page(request, "portal/verify.html", {"me": person, "result": None, "caller": ""})


@router.post("/verify", response_model=None)
def verify(
    person: SignedInPerson,
    request: Request,
    caller: str = Form("", max_length=32),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Check the calling number against the person's live privacy-number bindings (audited)."""
    lang = language(request)
    try:
        with rt.db.session() as session:
            result = relay.verify(rt, session, person.actor, person.phone.reveal(), caller)
    except InvalidInput:
        refused: dict[str, Any] = {"me": person, "result": None, "error": "invalid_caller"}
        return _page(request, "portal/verify.html", {**refused, "caller": caller}, 400)
    message = result["message"].get(lang) or result["message"]["zh"]
    context: dict[str, Any] = {"me": person, "result": result, "message": message}
    return _page(request, "portal/verify.html", {**context, "caller": caller})


@router.get("/exposure", response_model=None)
def exposure_page(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Offer the leak check; the number is hashed in the browser (k-anonymous range query)."""
    return _page(request, "portal/exposure.html", {"me": _person(rt, request)})


@router.get("/redact", response_model=None)
def redact_page(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Offer photo redaction (the photo goes to /api/v1/pii/redact-image and is not kept)."""
    return _page(request, "portal/redact.html", {"me": _person(rt, request)})


# -- complaints --------------------------------------------------------------------------------


@router.get("/complaints", response_model=None)
def complaints_page(
    person: SignedInPerson, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """List the person's complaints."""
    with rt.db.read_session() as session:
        found = complainant.mine(rt, session, person.caller)
    return _page(request, "portal/complaints.html", {"me": person, "complaints": found})


def _new_complaint(
    request: Request, rt: Runtime, person: sessions.Person, **extra: Any
) -> HTMLResponse:
    with rt.db.read_session() as session:
        found = portal.my_parcels(rt, session, person)
    context = {"me": person, "parcels": found, "kinds": complaints.KINDS, "error": None, "form": {}}
    context.update(extra)
    return _page(request, "portal/complaint_new.html", context, 400 if extra.get("error") else 200)


@router.get("/complaints/new", response_model=None)
def complaint_form(
    person: SignedInPerson, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show the complaint form: kind, parcels, what happened."""
    return _new_complaint(request, rt, person)


@router.post("/complaints", response_model=None)
async def file_complaint(
    person: SignedInPerson, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """File a complaint (the words are sealed at once); the person gets an SMS."""
    form = await request.form()
    kind, text = str(form.get("kind") or ""), str(form.get("text") or "")
    waybills = [str(w) for w in form.getlist("waybill")][: complaints.MAX_PARCELS]
    try:
        filed = complaints.file(
            rt, person.caller, person.phone, kind, waybills, text, language(request)
        )
    except ParcelGuardError as exc:
        kept = {"kind": kind, "text": text[: complaints.MAX_TEXT], "waybills": waybills}
        return _new_complaint(request, rt, person, error=exc.code, form=kept)
    return _go(f"/portal/complaints/{filed['id']}?done=filed")


@router.get("/complaints/{complaint_id}", response_model=None)
def complaint(
    person: SignedInPerson, complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show one complaint: words, answer, deadline, timeline, feedback and appeal."""
    with rt.db.read_session() as session:
        found = complainant.my_complaint(rt, session, person.caller, complaint_id)
    done = request.query_params.get("done")
    return _page(request, "portal/complaint.html", {"me": person, "c": found, "done": done})


@router.post("/complaints/{complaint_id}/feedback", response_model=None)
def complaint_feedback(
    person: SignedInPerson,
    complaint_id: str,
    satisfied: str = Form("", pattern="^(yes|no)$"),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Record whether the answer settled it."""
    found = complainant.feedback(rt, person.caller, complaint_id, satisfied == "yes")
    return _go(f"/portal/complaints/{found['id']}?done=feedback")


@router.get("/complaints/{complaint_id}/appeal", response_model=None)
def appeal(
    person: SignedInPerson, complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show the ready-made appeal to the postal regulator, with its deadline."""
    lang = language(request)
    prepared = complainant.prepare_appeal(rt, person.caller, complaint_id)
    context = {"me": person, "a": prepared, "channel": catalogue(lang)["appeal"]["channel"]}
    return _page(request, "portal/appeal.html", context)


@router.get("/complaints/{complaint_id}/appeal.txt", response_model=None)
def appeal_text(
    person: SignedInPerson, complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Download the appeal as plain text."""
    prepared = complainant.prepare_appeal(rt, person.caller, complaint_id)
    body = as_text(prepared, language(request)).encode()
    return _download(body, "text/plain; charset=utf-8", f"appeal-{prepared.complaint['id']}.txt")


def mount(app: FastAPI) -> None:
    """Add the portal pages (their errors are pages in the portal's words: `web.errors`)."""
    app.include_router(router)

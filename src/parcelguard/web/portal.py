"""Recipient portal pages (`/portal`): sign in by one-time code, then one's own data.

Server-rendered and usable without JavaScript: every action is a plain form with the
session's CSRF token (before sign-in, a double-submit token in `pg_portal_pre`). The person's
session lives in the `pg_portal` cookie (HttpOnly, SameSite=Strict, path /portal). Pages
show masked data; plaintext leaves only in the person's own data copy, through `reveal`.
"""

from __future__ import annotations

import hmac
import inspect
import json
import secrets
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcelguard.audit import service as audit
from parcelguard.clock import CHINA
from parcelguard.complaints import complainant
from parcelguard.complaints import service as complaints
from parcelguard.complaints.appeal import as_text
from parcelguard.complaints.models import KINDS
from parcelguard.complaints.words import words as complaint_words
from parcelguard.errors import (
    Conflict,
    Denied,
    InvalidInput,
    NotFound,
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
from parcelguard.web import filters
from parcelguard.web.deps import get_runtime
from parcelguard.web.pages import language, templates
from parcelguard.web.security import client_ip
from parcelguard.words import both, catalogue

router = APIRouter(prefix="/portal", include_in_schema=False)
PRE_COOKIE = "pg_portal_pre"
TEXT = both("portal")
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": TEXT[lang],
            "lang": lang,
            "w": access_words(lang),
            "cw": complaint_words(lang),
            "when": filters.when,
            "field_words": lambda f: field_words(f, lang),
            **context,
        },
        status_code=status_code,
        headers=HEADERS,
    )
    response.set_cookie("lang", lang, samesite="lax")
    return response


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=HEADERS)


def _client(request: Request) -> str:
    return client_ip(request.scope)


def _person(rt: Runtime, request: Request) -> sessions.Person | None:
    with rt.db.read_session() as session:
        return sessions.find(rt, session, request.cookies.get(sessions.COOKIE) or "")


def _posted_by(rt: Runtime, request: Request, csrf: str) -> sessions.Person:
    """Return the person behind a form post, or refuse (signed out, or a forged form)."""
    person = _person(rt, request)
    if person is None:
        raise _SignedOut()
    if not sessions.csrf_matches(person, csrf):
        raise Denied("the form's CSRF token does not match", code="csrf_failed")
    return person


class _SignedOut(Exception):
    """The request needs a signed-in person and has none."""


# -- sign-in -----------------------------------------------------------------------------------


def _signin_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    response = _page(request, "portal/signin.html", {"pre": pre, "error": error}, status)
    secure = request.app.state.runtime.settings.cookies_secure
    response.set_cookie(
        PRE_COOKIE, pre, httponly=True, samesite="strict", path="/portal", secure=secure
    )
    return response


def _pre_ok(request: Request, pre: str) -> bool:
    cookie = request.cookies.get(PRE_COOKIE) or ""
    return bool(cookie) and hmac.compare_digest(cookie.encode(), pre.encode())


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
    pre: str = Form("", max_length=64),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Text a one-time code to a mobile number (rate-limited), then ask for it."""
    if not _pre_ok(request, pre):
        return _signin_page(request, "csrf_failed", 403)
    try:
        sent = otp.send_code(rt, phone, _client(request), language(request))
    except ParcelGuardError as exc:
        return _signin_page(request, exc.code, 429 if isinstance(exc, RateLimited) else 400)
    context = {"pre": pre, "phone": phone, "sent": sent, "minutes": portal_config(rt).code_minutes}
    return _page(request, "portal/code.html", context)


@router.post("/signin", response_model=None)
def sign_in(
    request: Request,
    phone: str = Form("", max_length=32),
    code: str = Form("", max_length=16),
    pre: str = Form("", max_length=64),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Check the code; on success set the session cookie and go to the menu."""
    if not _pre_ok(request, pre):
        return _signin_page(request, "csrf_failed", 403)
    try:
        opened = otp.sign_in(rt, phone, code, _client(request))
    except ParcelGuardError as exc:
        if exc.code in ("otp_invalid", "otp_used", "otp_expired"):
            context = {"pre": pre, "phone": phone, "error": exc.code, "sent": None}
            return _page(request, "portal/code.html", context, 401)
        return _signin_page(request, exc.code, 429 if isinstance(exc, RateLimited) else 400)
    response = _go("/portal")
    response.set_cookie(
        sessions.COOKIE,
        opened.token,
        max_age=portal_config(rt).session_minutes * 60,
        path="/portal",
        httponly=True,
        samesite="strict",
        secure=rt.settings.cookies_secure,
    )
    response.delete_cookie(PRE_COOKIE, path="/portal", secure=rt.settings.cookies_secure)
    return response


@router.post("/signout", response_model=None)
def sign_out(
    request: Request, csrf: str = Form("", max_length=64), rt: Runtime = Depends(get_runtime)
) -> Response:
    """End the session."""
    _posted_by(rt, request, csrf)
    with rt.db.session() as session:
        sessions.close(rt, session, request.cookies.get(sessions.COOKIE) or "")
    response = _go("/portal?done=signed_out")
    response.delete_cookie(
        sessions.COOKIE,
        path="/portal",
        httponly=True,
        samesite="strict",
        secure=rt.settings.cookies_secure,
    )
    return response


# -- own data ----------------------------------------------------------------------------------


@router.get("/parcels", response_model=None)
def parcels(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """List the person's parcels, masked, newest first."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    with rt.db.read_session() as session:
        found = portal.my_parcels(rt, session, person)
    return _page(request, "portal/parcels.html", {"me": person, "parcels": found})


@router.get("/parcels/{waybill}", response_model=None)
def parcel(waybill: str, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show one of the person's parcels and who accessed it."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    lang = language(request)
    with rt.db.read_session() as session:
        view = portal.my_parcel(rt, session, person, waybill)
        rows = [access_row(r, lang) for r in portal.who_viewed(rt, session, person, waybill)]
    return _page(request, "portal/parcel.html", {"me": person, "p": view, "rows": rows})


@router.get("/access", response_model=None)
def access(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show who viewed the person's data: role, station, purpose, time, decision."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    lang = language(request)
    with rt.db.read_session() as session:
        rows = [access_row(r, lang) for r in portal.who_viewed(rt, session, person)]
    keys = audit.public_keys(rt)
    return _page(request, "portal/access.html", {"me": person, "rows": rows, "keys": keys})


@router.get("/access/{seq}/proof", response_model=None)
def access_proof(seq: int, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Download the inclusion proof of one access to the person's own data (JSON)."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    with rt.db.read_session() as session:
        document = portal.access_proof(rt, session, person, seq)
    headers = {
        **HEADERS,
        "Content-Disposition": f'attachment; filename="parcelguard-proof-{seq}.json"',
    }
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/copy", response_model=None)
def copy_page(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Explain the data copy and offer its two formats."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    return _page(request, "portal/copy.html", {"me": person})


@router.post("/copy", response_model=None)
def copy_download(
    request: Request,
    csrf: str = Form("", max_length=64),
    fmt: str = Form("json", pattern="^(json|csv)$"),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Download the person's own data (each field revealed through the policy, audited)."""
    person = _posted_by(rt, request, csrf)
    copy = portal.data_copy(rt, person, fmt)
    day = rt.clock.now().astimezone(CHINA).strftime("%Y%m%d")
    body, media = (
        (export.as_csv(copy), "text/csv; charset=utf-8")
        if fmt == "csv"
        else (export.as_json(copy), "application/json")
    )
    headers = {
        **HEADERS,
        "Content-Disposition": f'attachment; filename="parcelguard-my-data-{day}.{fmt}"',
    }
    return Response(body, media_type=media, headers=headers)


@router.get("/erase", response_model=None)
def erase_page(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show what erasure would remove, with a confirmation step."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    with rt.db.read_session() as session:
        counts = portal.erasure_preview(rt, session, person)
    return _page(request, "portal/erase.html", {"me": person, "counts": counts, "result": None})


@router.post("/erase", response_model=None)
def erase(
    request: Request,
    csrf: str = Form("", max_length=64),
    confirm: str = Form("", max_length=8),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Erase the person's delivered and returned parcels once they confirmed."""
    person = _posted_by(rt, request, csrf)
    if confirm != "yes":
        with rt.db.read_session() as session:
            counts = portal.erasure_preview(rt, session, person)
        context = {"me": person, "counts": counts, "result": None, "error": "confirm_required"}
        return _page(request, "portal/erase.html", context, 400)
    result = portal.erase(rt, person)
    return _page(request, "portal/erase.html", {"me": person, "counts": None, "result": result})


@router.get("/verify", response_model=None)
def verify_page(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Ask for the number that called: is this really my courier?"""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    return _page(request, "portal/verify.html", {"me": person, "result": None, "caller": ""})


@router.post("/verify", response_model=None)
def verify(
    request: Request,
    csrf: str = Form("", max_length=64),
    caller: str = Form("", max_length=32),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Check the calling number against the person's live privacy-number bindings (audited)."""
    person = _posted_by(rt, request, csrf)
    lang = language(request)
    try:
        with rt.db.session() as session:
            result = relay.verify(rt, session, person.phone.reveal(), caller, person.actor)
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
def complaints_page(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """List the person's complaints."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    with rt.db.read_session() as session:
        found = complainant.mine(rt, session, person.caller)
    return _page(request, "portal/complaints.html", {"me": person, "complaints": found})


def _new_complaint(
    request: Request, rt: Runtime, person: sessions.Person, **extra: Any
) -> HTMLResponse:
    with rt.db.read_session() as session:
        found = portal.my_parcels(rt, session, person)
    context = {"me": person, "parcels": found, "kinds": KINDS, "error": None, "form": {}}
    context.update(extra)
    return _page(request, "portal/complaint_new.html", context, 400 if extra.get("error") else 200)


@router.get("/complaints/new", response_model=None)
def complaint_form(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the complaint form: kind, parcels, what happened."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    return _new_complaint(request, rt, person)


@router.post("/complaints", response_model=None)
async def file_complaint(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """File a complaint (the words are sealed at once); the person gets an SMS."""
    form = await request.form()
    csrf = str(form.get("csrf") or "")
    person = _posted_by(rt, request, csrf)
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
def complaint(complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show one complaint: words, answer, deadline, timeline, feedback and appeal."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    with rt.db.read_session() as session:
        found = complainant.my_complaint(rt, session, person.caller, complaint_id)
    done = request.query_params.get("done")
    return _page(request, "portal/complaint.html", {"me": person, "c": found, "done": done})


@router.post("/complaints/{complaint_id}/feedback", response_model=None)
def complaint_feedback(
    complaint_id: str,
    request: Request,
    csrf: str = Form("", max_length=64),
    satisfied: str = Form("", pattern="^(yes|no)$"),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Record whether the answer settled it."""
    person = _posted_by(rt, request, csrf)
    found = complainant.feedback(rt, person.caller, complaint_id, satisfied == "yes")
    return _go(f"/portal/complaints/{found['id']}?done=feedback")


@router.get("/complaints/{complaint_id}/appeal", response_model=None)
def appeal(complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the ready-made appeal to the postal regulator, with its deadline."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    lang = language(request)
    prepared = complainant.prepare_appeal(rt, person.caller, complaint_id)
    context = {"me": person, "a": prepared, "channel": catalogue(lang)["appeal"]["channel"]}
    return _page(request, "portal/appeal.html", context)


@router.get("/complaints/{complaint_id}/appeal.txt", response_model=None)
def appeal_text(
    complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Download the appeal as plain text."""
    person = _person(rt, request)
    if person is None:
        return _go("/portal")
    prepared = complainant.prepare_appeal(rt, person.caller, complaint_id)
    headers = {
        **HEADERS,
        "Content-Disposition": f'attachment; filename="appeal-{prepared.complaint["id"]}.txt"',
    }
    body = as_text(prepared, language(request)).encode()
    return Response(body, media_type="text/plain; charset=utf-8", headers=headers)


def mount(app: FastAPI) -> None:
    """Add the portal pages and their error pages."""
    app.include_router(router)

    @app.exception_handler(_SignedOut)
    async def signed_out(_request: Request, _exc: _SignedOut) -> Response:
        return _go("/portal")

    previous = app.exception_handlers.get(ParcelGuardError)

    @app.exception_handler(ParcelGuardError)
    async def portal_error(request: Request, exc: ParcelGuardError) -> Response:
        """Answer portal pages with a page in the person's language; others as before."""
        path = request.url.path
        if previous is not None and not (path == "/portal" or path.startswith("/portal/")):
            answer = previous(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        status = 400
        for kind, code in ((NotFound, 404), (Denied, 403), (Conflict, 409), (RateLimited, 429)):
            if isinstance(exc, kind):
                status = code
        return _page(request, "portal/error.html", {"me": None, "error": exc.code}, status)

"""What every staff console page shares: the signed-in gate, the role menu and the rendering.

A page asks `gate(rt, request, roles)` for its caller: a signed-out browser is sent to the
sign-in page, a member of staff of another role gets the "not for your role" page (403).
Pages render through `render`, which adds the console's headers (no inline script, no
referrer), the page language and the menu of the caller's role.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcelguard.access import sessions
from parcelguard.access.principals import Caller
from parcelguard.errors import NotAuthenticated
from parcelguard.runtime import Runtime
from parcelguard.web import filters
from parcelguard.web.pages import language, templates
from parcelguard.words import both

BASE = both("console")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",  # enrolment links carry their token in the path
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

# Each role's pages, in menu order: (path, key of the link's words in BASE).
ROLE_LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "courier": (("/console/deliveries", "nav_deliveries"),),
    "station_clerk": (("/console/station", "nav_station"),),
    "customer_service": (("/console/service", "nav_service"),),
    "security_officer": (
        ("/console/security", "nav_security"),
        ("/console/service", "nav_service"),
        ("/console/admin/policy", "nav_policy"),
    ),
    "admin": (
        ("/console/admin", "nav_admin"),
        ("/console/admin/policy", "nav_policy"),
        ("/console/security", "nav_security_admin"),
    ),
}


@dataclass(frozen=True)
class Staff:
    """The signed-in member of staff of one page request, with the session's CSRF token."""

    caller: Caller
    csrf: str


def signed_in(rt: Runtime, request: Request) -> Staff | None:
    """Return the member of staff behind the session cookie, or None."""
    token = request.cookies.get(sessions.COOKIE) or ""
    if not token:
        return None
    with rt.db.read_session() as session:
        live = sessions.find_live(rt, session, token)
        if live is None:
            return None
        try:
            return Staff(sessions.authenticate_session(rt, session, token), live.csrf_token)
        except NotAuthenticated:
            return None


def gate(rt: Runtime, request: Request, roles: Iterable[str]) -> Staff | Response:
    """Return the signed-in caller if their role may open the page, else the answer to send."""
    staff = signed_in(rt, request)
    if staff is None:
        return RedirectResponse("/console/login", status_code=303)
    if staff.caller.role not in set(roles):
        return forbidden(request, staff)
    return staff


def forbidden(request: Request, staff: Staff | None) -> HTMLResponse:
    """Return the "not for your role" page (403), with the menu of the caller's own role."""
    return render(request, "console/forbidden.html", {}, {}, staff, status_code=403)


def render(
    request: Request,
    name: str,
    text: dict[str, dict[str, Any]],
    context: dict[str, Any],
    staff: Staff | None,
    *,
    status_code: int = 200,
    current: str = "",
) -> HTMLResponse:
    """Render a console page in the caller's language, with the menu and the console headers."""
    lang = language(request)
    own = text.get(lang, {})
    words = {**BASE[lang], **own, "err": {**BASE[lang]["err"], **own.get("err", {})}}
    role = staff.caller.role if staff is not None else ""
    menu = [(path, words[key]) for path, key in ROLE_LINKS.get(role, ())]
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": words,
            "lang": lang,
            "csrf": staff.csrf if staff is not None else "",
            "staff": staff,
            "menu": menu,
            "current": current or request.url.path,
            "when": filters.when,
            **context,
        },
        status_code=status_code,
        headers=SECURITY_HEADERS,
    )
    response.set_cookie("lang", lang, samesite="lax")
    return response


def safe_next(target: str | None) -> str:
    """Return a console path to go to after sign-in; anything else becomes `/console`."""
    if not target or not target.startswith("/console") or "//" in target or "\\" in target:
        return "/console"
    return target


def login_redirect(target: str) -> RedirectResponse:
    """Send a signed-out browser to the sign-in page, to come back to `target` afterwards."""
    return RedirectResponse(f"/console/login?next={quote(safe_next(target), safe='')}", 303)

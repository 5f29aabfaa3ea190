"""The one CSRF mechanism: a browser session's synchronizer token, checked before every route.

Every browser session carries a secret CSRF token: a staff session (`pg_session`, any path)
and a person's portal session (`pg_portal`, under `/portal`) keep theirs on the session row;
before sign-in, the portal's pre-session cookie (`pg_portal_pre`, HttpOnly) is its own token.
Pages get the token as `csrf` (`pages.render`) and put it in a hidden `csrf` field; scripts
send it in `X-CSRF-Token`; the staff sign-in API answers it as `csrf_token`.

`protect` is the one check, installed as an app-wide dependency (`create_app`), so no route
can forget it: a POST, PUT, PATCH or DELETE that a session cookie would authorise must carry
that session's token (constant-time compare), and one the browser marks `Sec-Fetch-Site:
cross-site` is refused outright. Under `/portal`, where the cookie is the only credential and
the sign-in forms open a session, a request without any session or pre-session is refused too.
Requests with `Authorization: Bearer` are exempt outside the portal: a key is not ambient
authority, and the caller is the key's, never the cookie's (`deps.get_caller`).
Refusals are `Denied("csrf_failed")`: 403, a JSON error or the HTML page saying "reload".
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from parcelguard.access import sessions as staff_sessions
from parcelguard.errors import Denied
from parcelguard.portal import sessions as person_sessions
from parcelguard.runtime import Runtime

HEADER = "X-CSRF-Token"
FIELDS = ("csrf", "pre")  # `pre`: the older name of the portal sign-in forms' field
PRE_COOKIE = "pg_portal_pre"
PORTAL = "/portal"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_NONE = ""  # cached on request.state: looked up, and the request names no session


def in_portal(path: str) -> bool:
    """Return whether a path is one of the portal's (its cookies are scoped to it)."""
    return path == PORTAL or path.startswith(PORTAL + "/")


def session_token(request: Request) -> str | None:
    """Return the CSRF token of the browser session the request's cookies name, or None."""
    known = getattr(request.state, "csrf_token", None)
    if isinstance(known, str):
        return known or None
    rt: Runtime = request.app.state.runtime
    if in_portal(request.url.path):
        cookie = request.cookies.get(person_sessions.COOKIE)
        found = _stored(rt, cookie, person_sessions.KIND) or _pre_session(request)
    else:
        found = _stored(rt, request.cookies.get(staff_sessions.COOKIE), None)
    request.state.csrf_token = found or _NONE
    return found


def remember(request: Request, token: str) -> None:
    """Note the token of a session the route has just looked up (saves a second lookup)."""
    request.state.csrf_token = token


def token_for(request: Request) -> str:
    """Return the token a page's forms must carry ("" outside any session).

    A portal page shown to someone not signed in starts a pre-session (its cookie is set by
    `keep_pre_session` on the way out), so the sign-in form has a token to carry.
    """
    token = session_token(request)
    if token is None and in_portal(request.url.path):
        token = secrets.token_urlsafe(24)
        request.state.csrf_pre_minted = token
        remember(request, token)
    return token or ""


def keep_pre_session(response: Response, request: Request) -> None:
    """Set the pre-session cookie if this request started one."""
    minted = getattr(request.state, "csrf_pre_minted", None)
    if isinstance(minted, str):
        rt: Runtime = request.app.state.runtime
        response.set_cookie(
            PRE_COOKIE,
            minted,
            httponly=True,
            samesite="strict",
            path=PORTAL,
            secure=rt.settings.cookies_secure,
        )


def end_pre_session(response: Response, rt: Runtime) -> None:
    """Drop the pre-session cookie (the person is signed in now)."""
    response.delete_cookie(PRE_COOKIE, path=PORTAL, secure=rt.settings.cookies_secure)


async def protect(request: Request) -> None:
    """App-wide dependency: refuse an unsafe request without its browser session's token."""
    if request.method in SAFE_METHODS:
        return
    portal = in_portal(request.url.path)
    if not portal and _bearer(request):
        return
    expected = await run_in_threadpool(session_token, request)
    if expected is None:
        if portal:
            raise Denied("this form needs a page of ours; reload it", code="csrf_failed")
        return  # no session: the request carries no authority a forger could borrow
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Denied("the request came from another site", code="csrf_failed")
    presented = request.headers.get(HEADER) or await _form_token(request)
    if not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Denied(
            f"send the session's CSRF token (form field `csrf` or {HEADER}); reload the page",
            code="csrf_failed",
        )


def _stored(rt: Runtime, cookie: str | None, kind: str | None) -> str | None:
    if not cookie:
        return None
    with rt.db.read_session() as session:
        row = staff_sessions.find_live(rt, session, cookie, kind=kind)
        return row.csrf_token if row is not None else None


def _pre_session(request: Request) -> str | None:
    value = request.cookies.get(PRE_COOKIE) or ""
    return value if 16 <= len(value) <= 128 else None


def _bearer(request: Request) -> bool:
    return request.headers.get("authorization", "")[:7].lower() == "bearer "


async def _form_token(request: Request) -> str | None:
    if not request.headers.get("content-type", "").startswith(FORMS):
        return None
    form = await request.form()
    for name in FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value:
            return value
    return None

"""CSRF protection for server-rendered forms: a double-submit token plus an origin check.

A page that shows a form calls `form_token(request)` and puts the value in a hidden field
named `csrf_token` (or `csrf_field(request)` in the template); `attach(response, request)`
sets the matching cookie. A route that accepts the post depends on `require_form_csrf`,
which refuses (403 `csrf_failed`) unless the field (or the `X-CSRF-Token` header) equals the
cookie and the request's `Origin`, when sent, is our own. The cookie is HttpOnly,
SameSite=Strict and, with `secure_cookies`, `__Host-` prefixed so no subdomain can plant it.
The JSON API of signed-in sessions has its own per-session token (`access/api.py`).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response
from markupsafe import Markup

from parcelguard.errors import Denied
from parcelguard.runtime import Runtime

COOKIE = "pg_csrf"
SECURE_COOKIE = "__Host-pg_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_STATE = "csrf_token"


def cookie_name(rt: Runtime) -> str:
    """Return the cookie's name: `__Host-` prefixed when cookies are secure-only (https)."""
    return SECURE_COOKIE if rt.settings.cookies_secure else COOKIE


def form_token(request: Request) -> str:
    """Return the token to embed in this page's forms (the cookie's, or a new one)."""
    existing = getattr(request.state, _STATE, None)
    if isinstance(existing, str):
        return existing
    rt: Runtime = request.app.state.runtime
    token = request.cookies.get(cookie_name(rt)) or ""
    if not _well_formed(token):
        token = secrets.token_urlsafe(32)
    request.state.csrf_token = token
    return token


def csrf_field(request: Request) -> Markup:
    """Return the hidden input carrying the token, for a Jinja template."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, form_token(request))


def attach(response: Response, request: Request) -> Response:
    """Set the token cookie on a page response that embedded `form_token`."""
    token = getattr(request.state, _STATE, None)
    if isinstance(token, str):
        rt: Runtime = request.app.state.runtime
        response.set_cookie(
            cookie_name(rt),
            token,
            path="/",
            httponly=True,
            samesite="strict",
            secure=rt.settings.cookies_secure,
        )
    return response


async def require_form_csrf(request: Request) -> None:
    """FastAPI dependency: refuse a state-changing form post without a matching token."""
    if request.method in SAFE_METHODS:
        return
    rt: Runtime = request.app.state.runtime
    if not same_origin(request, rt):
        raise Denied("the form was posted from another site", code="csrf_failed")
    cookie = request.cookies.get(cookie_name(rt)) or ""
    presented = request.headers.get(HEADER)
    if presented is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(FIELD)
            presented = value if isinstance(value, str) else None
    if not verify(cookie, presented):
        raise Denied(
            "the form's security token is missing or stale; reload the page", code="csrf_failed"
        )


def verify(cookie: str, presented: str | None) -> bool:
    """Return whether the presented token equals the cookie's (in constant time)."""
    if not presented or not _well_formed(cookie):
        return False
    return hmac.compare_digest(cookie.encode(), presented.encode())


def same_origin(request: Request, rt: Runtime) -> bool:
    """Return whether the request's `Origin` (or `Referer`) is ours, when the browser said."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or claimed == "null":
        return True  # under Referrer-Policy no-referrer browsers send `null`: the token decides
    ours = {_origin(rt.settings.base_url), _origin(str(request.base_url))}
    return _origin(claimed) in ours


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _well_formed(token: str) -> bool:
    bare = token.replace("-", "").replace("_", "")
    return 32 <= len(token) <= 128 and bare.isascii() and bare.isalnum()

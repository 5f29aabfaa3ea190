"""Routes: `/auth/sso/login` and `/auth/sso/callback` (OIDC), `/scim/v2/Users` and `/Groups`.

SCIM answers in the SCIM error shape (RFC 7644 §3.12) and needs the `[scim]` bearer token,
compared in constant time; OIDC sign-in ends on a small page that moves to the console, so the
SameSite=Strict session cookie is sent on a same-site navigation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from parcelguard import errors
from parcelguard.access import sessions
from parcelguard.identity import scim, scim_groups, sso
from parcelguard.identity.config import scim_config, sso_config
from parcelguard.identity.oidc import OidcClient
from parcelguard.runtime import Runtime
from parcelguard.web.deps import bearer_matches, get_runtime, set_session_cookie
from parcelguard.web.errors import status_for

# One client per runtime: it keeps the issuer's discovery document and keys.
_CLIENTS: WeakKeyDictionary[Runtime, OidcClient] = WeakKeyDictionary()
STATE_COOKIE = "pg_sso_state"
CALLBACK = "/auth/sso/callback"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_TYPE = "application/scim+json"

sso_router = APIRouter(prefix="/auth/sso", tags=["sso"])
scim_router = APIRouter(prefix="/scim/v2", tags=["scim"])


def oidc_client(rt: Runtime) -> OidcClient:
    """Return the runtime's OIDC client (made on first use from `[sso]`)."""
    client = _CLIENTS.get(rt)
    if client is None:
        config = sso_config(rt)
        if not config.enabled:
            raise errors.NotFound("single sign-on is not configured", code="sso_off")
        redirect = rt.settings.base_url.rstrip("/") + CALLBACK
        client = OidcClient(config, redirect, httpx.Client(follow_redirects=False))
        _CLIENTS[rt] = client
    return client


@sso_router.get("/login")
def sso_login(login_hint: str | None = None, rt: Runtime = Depends(get_runtime)) -> Response:
    """Send the browser to the identity provider (a new state, nonce and PKCE verifier)."""
    url, state = sso.start_login(rt, oidc_client(rt), login_hint=(login_hint or None))
    answer = RedirectResponse(url, status_code=302)
    answer.set_cookie(
        STATE_COOKIE,
        state,
        max_age=600,
        path="/auth/sso",
        httponly=True,
        samesite="lax",
        secure=rt.settings.cookies_secure,
    )
    return answer


@sso_router.get("/callback")
def sso_callback(
    request: Request,
    state: str = "",
    code: str = "",
    error: str | None = None,
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Finish the sign-in: check everything, open a session, move on to the console."""
    if error or not code or not state:
        raise errors.NotAuthenticated(
            "the identity provider did not sign you in", code="sso_refused"
        )
    opened = sso.finish_login(
        rt,
        oidc_client(rt),
        state=state[:128],
        code=code[:512],
        browser_state=request.cookies.get(STATE_COOKIE, ""),
    )
    page = HTMLResponse(
        '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/console">'
        '<title>ParcelGuard</title><a href="/console">继续 / Continue</a>'
    )
    set_session_cookie(
        page, rt, sessions.COOKIE, opened.token, max_age=int(sessions.LIFETIME.total_seconds())
    )
    page.delete_cookie(STATE_COOKIE, path="/auth/sso")
    return page


# -- SCIM ------------------------------------------------------------------------------------


def _scim_error(status: int, detail: str, scim_type: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"schemas": [SCIM_ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return JSONResponse(body, status_code=status, media_type=SCIM_TYPE)


def scim_bearer(request: Request, rt: Runtime = Depends(get_runtime)) -> Runtime:
    """Let the request through only with the configured SCIM bearer token."""
    expected = scim_config(rt).bearer()
    if not bearer_matches(request, expected):
        raise errors.NotAuthenticated("a valid SCIM bearer token is required", code="scim_token")
    return rt


def _run(rt: Runtime, work: Callable[[Session], Any], status: int = 200) -> Response:
    try:
        with rt.db.session() as session:
            result = work(session)
    except errors.ParcelGuardError as exc:
        scim_type = (
            exc.code
            if exc.code in ("uniqueness", "invalidValue", "invalidSyntax", "noTarget")
            else None
        )
        return _scim_error(status_for(exc), exc.message, scim_type)
    if result is None:
        return Response(status_code=204)
    return JSONResponse(result, status_code=status, media_type=SCIM_TYPE)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise errors.InvalidInput("the body is not JSON", code="invalidSyntax") from None
    if not isinstance(body, dict):
        raise errors.InvalidInput("the body is not a SCIM resource", code="invalidSyntax")
    return body


def _user_filter(value: str | None) -> tuple[str, str] | None:
    """Parse `userName eq "…"` or `externalId eq "…"` (what directories send)."""
    if not value:
        return None
    parts = value.split(" ", 2)
    if len(parts) != 3 or parts[0] not in scim.FILTERS or parts[1].lower() != "eq":
        raise errors.InvalidInput(
            'only userName eq "…" and externalId eq "…" filters are supported',
            code="invalidFilter",
        )
    return parts[0], parts[2].strip().strip('"')


@scim_router.get("/Users")
def scim_list_users(
    filter: str | None = None,
    startIndex: int = 1,
    count: int = 100,
    rt: Runtime = Depends(scim_bearer),
) -> Response:
    """List users, optionally `filter=userName eq "…"`."""
    wanted = _user_filter(filter)
    return _run(rt, lambda s: scim.list_users(rt, s, wanted, startIndex, min(count, 500)))


@scim_router.post("/Users")
async def scim_create_user(request: Request, rt: Runtime = Depends(scim_bearer)) -> Response:
    """Create a user."""
    body = await _body(request)
    return _run(rt, lambda s: scim.create_user(rt, s, body, sso_config(rt)), 201)


@scim_router.get("/Users/{user_id}")
def scim_get_user(user_id: str, rt: Runtime = Depends(scim_bearer)) -> Response:
    """Read a user."""
    return _run(rt, lambda s: scim.user_view(rt, s, *scim.get_user(rt, s, user_id)))


@scim_router.put("/Users/{user_id}")
async def scim_put_user(
    user_id: str, request: Request, rt: Runtime = Depends(scim_bearer)
) -> Response:
    """Replace a user."""
    body = await _body(request)
    return _run(rt, lambda s: scim.replace_user(rt, s, user_id, body, sso_config(rt)))


@scim_router.patch("/Users/{user_id}")
async def scim_patch_user(
    user_id: str, request: Request, rt: Runtime = Depends(scim_bearer)
) -> Response:
    """Patch a user (e.g. `active: false`)."""
    body = await _body(request)
    return _run(rt, lambda s: scim.patch_user(rt, s, user_id, body, sso_config(rt)))


@scim_router.delete("/Users/{user_id}")
def scim_delete_user(user_id: str, rt: Runtime = Depends(scim_bearer)) -> Response:
    """Deactivate a user."""
    return _run(rt, lambda s: scim.deactivate_user(rt, s, user_id))


@scim_router.get("/Groups")
def scim_list_groups(rt: Runtime = Depends(scim_bearer)) -> Response:
    """List groups."""
    return _run(rt, lambda s: scim_groups.list_groups(rt, s))


@scim_router.post("/Groups")
async def scim_create_group(request: Request, rt: Runtime = Depends(scim_bearer)) -> Response:
    """Create a group."""
    body = await _body(request)
    return _run(rt, lambda s: scim_groups.create_group(rt, s, body, sso_config(rt)), 201)


@scim_router.get("/Groups/{group_id}")
def scim_get_group(group_id: str, rt: Runtime = Depends(scim_bearer)) -> Response:
    """Read a group."""
    return _run(rt, lambda s: scim_groups.group_view(scim_groups.get_group(rt, s, group_id)))


@scim_router.put("/Groups/{group_id}")
async def scim_put_group(
    group_id: str, request: Request, rt: Runtime = Depends(scim_bearer)
) -> Response:
    """Replace a group."""
    body = await _body(request)
    return _run(rt, lambda s: scim_groups.replace_group(rt, s, group_id, body, sso_config(rt)))


@scim_router.patch("/Groups/{group_id}")
async def scim_patch_group(
    group_id: str, request: Request, rt: Runtime = Depends(scim_bearer)
) -> Response:
    """Add or remove members."""
    body = await _body(request)
    return _run(rt, lambda s: scim_groups.patch_group(rt, s, group_id, body, sso_config(rt)))


@scim_router.delete("/Groups/{group_id}")
def scim_delete_group(group_id: str, rt: Runtime = Depends(scim_bearer)) -> Response:
    """Delete a group."""
    return _run(rt, lambda s: scim_groups.delete_group(rt, s, group_id))


@scim_router.get("/ServiceProviderConfig")
def scim_service_provider_config(rt: Runtime = Depends(scim_bearer)) -> Response:
    """Say what this SCIM service supports (RFC 7643 §5)."""
    return JSONResponse(scim.SERVICE_PROVIDER_CONFIG, media_type=SCIM_TYPE)


@scim_router.get("/ResourceTypes")
def scim_resource_types(rt: Runtime = Depends(scim_bearer)) -> Response:
    """List the resource types: users and groups (RFC 7643 §6)."""
    return JSONResponse(scim.RESOURCE_TYPES, media_type=SCIM_TYPE)


def mount(app: FastAPI) -> None:
    """Add the SSO and SCIM routes."""
    app.include_router(sso_router)
    app.include_router(scim_router)

"""Passkey and session API under `/api/v1/auth`, enrolment links, and staff role changes.

Browser sessions live in the `pg_session` cookie (HttpOnly, SameSite=Strict, Secure when
`secure_cookies` or an https `base_url`). Any state-changing request that relies on that
cookie must carry the session's CSRF token in `X-CSRF-Token` (`web.csrf`, checked before
every route); requests with a bearer API key are exempt. Enrolment tokens arrive in POST
bodies only (docs/access.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from pydantic import BaseModel, Field

from parcelguard.access import duties, enrolment, grants, passkeys, service, sessions
from parcelguard.access.ceremony import Ceremony
from parcelguard.access.principals import Caller
from parcelguard.access.results import (
    CeremonyStart,
    EnrolmentCheck,
    EnrolmentLinkView,
    GrantList,
    GrantView,
    Me,
    PasskeyAdded,
    SignedIn,
    SignedOut,
    SteppedUp,
)
from parcelguard.access.roles import Role
from parcelguard.runtime import Runtime
from parcelguard.web.deps import (
    Authenticator,
    RequireRole,
    clear_session_cookie,
    get_caller,
    get_runtime,
    set_session_cookie,
    use_authenticator,
)

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
Admin = Annotated[Caller, RequireRole(Role.ADMIN)]
GrantReader = Annotated[Caller, RequireRole(Role.OFFICER, Role.ADMIN)]
Credential = dict[str, Any]


class RegisterOptionsIn(BaseModel):
    """Start registering: with an enrolment link's token, or signed in (another passkey)."""

    token: str | None = Field(default=None, max_length=128)


class RegisterIn(BaseModel):
    """Finish registering: the authenticator's answer to the challenge."""

    challenge_id: str = Field(max_length=64)
    credential: Credential
    token: str | None = Field(default=None, max_length=128)
    label: str | None = Field(default=None, max_length=64)


class AssertionIn(BaseModel):
    """Finish a sign-in or a step-up: the authenticator's assertion."""

    challenge_id: str = Field(max_length=64)
    credential: Credential


class EnrolmentLinkIn(BaseModel):
    """Who gets a one-time enrolment link, and for how long."""

    principal_id: str = Field(max_length=32)
    hours: int = Field(default=enrolment.DEFAULT_HOURS, ge=1, le=enrolment.MAX_HOURS)


class EnrolmentCheckIn(BaseModel):
    """An enrolment link's token, as the enrolment page read it from the link's fragment."""

    token: str = Field(min_length=1, max_length=128)


def _ceremony(ceremony: Ceremony) -> CeremonyStart:
    return {"challenge_id": ceremony.challenge_id, "publicKey": ceremony.options}


def _signed_in(response: Response, rt: Runtime, opened: sessions.OpenedSession) -> SignedIn:
    set_session_cookie(
        response, rt, sessions.COOKIE, opened.token, max_age=int(sessions.LIFETIME.total_seconds())
    )
    return {
        "principal_id": opened.principal_id,
        "role": opened.role,
        "csrf_token": opened.csrf_token,
        "expires_at": opened.expires_at.isoformat(),
        "step_up_at": opened.step_up_at.isoformat() if opened.step_up_at else None,
    }


def _cookie(request: Request) -> str:
    return request.cookies.get(sessions.COOKIE) or ""


def _session_caller(request: Request) -> Caller:
    # Only the cookie can stand for a browser session; a bearer key is not looked at here.
    return get_caller(request, None)


@router.post("/register/options")
def register_options(
    body: RegisterOptionsIn, request: Request, rt: Runtime = Depends(get_runtime)
) -> CeremonyStart:
    """Start a passkey registration (enrolment link, or a signed-in person's next passkey)."""
    if body.token:
        return _ceremony(passkeys.start_enrolment(rt, body.token))
    return _ceremony(passkeys.start_registration(rt, _session_caller(request)))


# Two shapes: no response model, so neither is validated against the other.
@router.post("/register/verify", response_model=None)
def register_verify(
    body: RegisterIn, request: Request, response: Response, rt: Runtime = Depends(get_runtime)
) -> SignedIn | PasskeyAdded:
    """Store the new passkey; with an enrolment link this also signs the person in."""
    if body.token:
        opened = passkeys.finish_enrolment(
            rt, body.token, body.challenge_id, body.credential, body.label
        )
        return _signed_in(response, rt, opened)
    caller = _session_caller(request)
    passkey = passkeys.finish_registration(
        rt, caller, body.challenge_id, body.credential, body.label
    )
    return {"principal_id": caller.principal_id, "passkey": passkeys.passkey_view(passkey)}


@router.post("/login/options")
def login_options(rt: Runtime = Depends(get_runtime)) -> CeremonyStart:
    """Start a passkey sign-in."""
    return _ceremony(passkeys.start_sign_in(rt))


@router.post("/login/verify")
def login_verify(
    body: AssertionIn, response: Response, rt: Runtime = Depends(get_runtime)
) -> SignedIn:
    """Sign in: sets the session cookie and returns the session's CSRF token."""
    opened = passkeys.finish_sign_in(rt, body.challenge_id, body.credential)
    return _signed_in(response, rt, opened)


@router.post("/step-up/options")
def step_up_options(
    caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> CeremonyStart:
    """Start a step-up (a fresh passkey assertion before a reveal)."""
    return _ceremony(passkeys.start_step_up(rt, caller))


@router.post("/step-up/verify")
def step_up_verify(
    body: AssertionIn,
    request: Request,
    caller: Caller = Depends(get_caller),
    rt: Runtime = Depends(get_runtime),
) -> SteppedUp:
    """Record the step-up on the session."""
    at = passkeys.finish_step_up(rt, caller, _cookie(request), body.challenge_id, body.credential)
    return {"step_up_at": at.isoformat()}


@router.post("/logout")
def logout(request: Request, response: Response, rt: Runtime = Depends(get_runtime)) -> SignedOut:
    """End the browser session and clear its cookie."""
    with rt.db.session() as session:
        ended = sessions.close_session(rt, session, _cookie(request))
    clear_session_cookie(response, rt, sessions.COOKIE)
    return {"signed_out": ended}


@router.get("/me")
def me(
    request: Request, caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> Me:
    """Return who is signed in, their passkeys and (for a session) its CSRF token."""
    with rt.db.read_session() as session:
        principal = service.get_or_raise(session, rt.tenant, caller.principal_id)
        found = passkeys.list_passkeys(session, rt.tenant, caller.principal_id)
        live = None
        if caller.via == "session":
            live = sessions.find_live(rt, session, _cookie(request))
        return {
            "id": principal.principal_id,
            "role": principal.role,
            "name_masked": principal.name_masked,
            "employee_no": principal.employee_no,
            "station_id": principal.station_id,
            "via": caller.via,
            "step_up_at": caller.step_up_at.isoformat() if caller.step_up_at else None,
            "csrf_token": live.csrf_token if live else None,
            "expires_at": live.expires_at.isoformat() if live else None,
            "passkeys": [passkeys.passkey_view(p) for p in found],
        }


@router.post("/enrolment-links")
def issue_enrolment_link(
    caller: Admin, body: EnrolmentLinkIn, rt: Runtime = Depends(get_runtime)
) -> EnrolmentLinkView:
    """Issue a one-time link with which a person registers a passkey (admins only)."""
    with rt.db.session() as session:
        link = enrolment.issue(rt, session, caller.actor, body.principal_id, hours=body.hours)
    return {"url": link.url, "expires_at": link.expires_at.isoformat()}


@router.post("/enrolment-links/check")
def check_enrolment_link(
    body: EnrolmentCheckIn, rt: Runtime = Depends(get_runtime)
) -> EnrolmentCheck:
    """Say whether a link's token is live, without spending it (401 with the reason if not)."""
    with rt.db.read_session() as session:
        link = enrolment.redeemable(rt, session, body.token)
        return {"valid": True, "expires_at": link.expires_at.isoformat()}


staff = APIRouter(prefix="/api/v1/staff", tags=["staff"])


class RoleIn(BaseModel):
    """A role change asked for by an admin."""

    role: str = Field(max_length=24)


@staff.get("/grants")
def list_grants(caller: GrantReader, rt: Runtime = Depends(get_runtime)) -> GrantList:
    """Return the role grants waiting for a security officer (officers and admins)."""
    with rt.db.read_session() as session:
        return {"grants": [grants.grant_view(g) for g in grants.pending(session, rt.tenant)]}


@staff.post("/grants/{grant_id}/approve")
def approve_grant(
    grant_id: str, caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> GrantView:
    """Approve a waiting role grant (a security officer other than the person and the asker)."""
    return grants.decide_grant(rt, caller.actor, grant_id, approved=True)


@staff.post("/grants/{grant_id}/refuse")
def refuse_grant(
    grant_id: str, caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> GrantView:
    """Refuse a waiting role grant."""
    return grants.decide_grant(rt, caller.actor, grant_id, approved=False)


@staff.post("/{principal_id}/role")
def change_role(
    principal_id: str,
    body: RoleIn,
    caller: Admin,
    rt: Runtime = Depends(get_runtime),
) -> GrantView:
    """Change a person's role (admins); to or from security officer it waits for an officer."""
    with duties.audited_refusals(rt, caller.actor, "role_change"), rt.db.session() as session:
        return grants.grant_view(
            grants.change_role(rt, session, caller.actor, principal_id, body.role)
        )


def mount(app: FastAPI) -> None:
    """Add the auth API and make staff sessions a way to authenticate callers."""
    use_authenticator(app, Authenticator(session=sessions.authenticate_session))
    app.include_router(router)
    app.include_router(staff)

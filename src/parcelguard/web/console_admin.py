"""Admin console pages: accounts, API keys, enrolment links, training dates, the policy.

Admins manage accounts but reveal nothing (separation of duties). Secrets made here (an API
key, an enrolment link) are shown once, in the page, and never stored in the clear. Forms
post JSON with the session's CSRF token (`static/portal.js`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from parcelguard.access import duties, enrolment, keys, passkeys
from parcelguard.access import service as access
from parcelguard.access.guards import STAFF
from parcelguard.access.roles import Role
from parcelguard.access.schemas import NewPrincipal
from parcelguard.access.service import Principal
from parcelguard.runtime import Runtime
from parcelguard.vault.reveal import policy_for
from parcelguard.web import filters
from parcelguard.web.console_service import staff_page
from parcelguard.web.console_shell import Staff, StaffSession
from parcelguard.web.deps import get_runtime
from parcelguard.web.pages import language
from parcelguard.web.results import NextPage, ShowOnce
from parcelguard.words import both

router = APIRouter(prefix="/console/admin", include_in_schema=False)
AdminPage = Annotated[Staff, StaffSession(Role.ADMIN)]
PolicyPage = Annotated[Staff, StaffSession(Role.ADMIN, Role.OFFICER)]

TEXT: dict[str, dict[str, Any]] = both("admin")


class UserForm(BaseModel):
    """A new account from the admin page."""

    name: str = Field(min_length=1, max_length=64)
    role: str = Field(pattern="^(" + "|".join(access.ROLES) + ")$")
    station: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)
    trained_until: str = Field(default="", max_length=10)


class TrainingForm(BaseModel):
    """A privacy-training attestation date."""

    until: date


class RevokeForm(BaseModel):
    """Which API key to revoke."""

    key_id: str = Field(min_length=1, max_length=128)  # the id, or the whole key pasted


def next_step(principal: Principal, passkey_count: int) -> str:
    """Return what the admin sends next for an account (a key of the `next_steps` words).

    The flow: a member of staff first gets a one-time enrolment link (a passkey on their own
    phone, then they sign in); an API key only for a work device. A new security officer
    waits for a second officer before any link works; a service account only has API keys.
    """
    if principal.role not in STAFF:
        return "service"
    if principal.status == "pending":
        return "pending"
    if principal.status != "active":
        return "disabled"
    return "has_passkey" if passkey_count else "enrol"


def hint(
    lang: str,
    step: str,
    principal: Principal,
    passkey_count: int = 0,
    *,
    fill: Callable[..., str] = str.format,
) -> str:
    """Return the next-step sentence for an account, naming the person and employee number.

    Plain text for JSON; a page passes `filters.fill`, which marks the data in it.
    """
    words: str = TEXT[lang]["next_steps"][step]
    return fill(words, name=principal.name, no=principal.employee_no, n=passkey_count)


@router.get("", response_model=None)
def users(staff: AdminPage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """List accounts with their training dates, the next step of each, and the forms."""
    lang = language(request)
    found = []
    with rt.db.read_session() as session:
        for principal in access.list_principals(session, rt.tenant):
            count = len(passkeys.list_passkeys(session, rt.tenant, principal.principal_id))
            step = next_step(principal, count)
            found.append(
                {
                    **access.public_view(principal),
                    "step": step,
                    "hint": hint(lang, step, principal, count, fill=filters.fill),
                }
            )
    context = {"users": found, "roles": access.ROLES}
    return staff_page(request, "console/admin/users.html", TEXT, context)


@router.post("/users")
def add_user(
    staff: AdminPage, body: UserForm, request: Request, rt: Runtime = Depends(get_runtime)
) -> ShowOnce:
    """Create an account; its first API key is shown once."""
    caller = staff.caller
    new = NewPrincipal(
        name=body.name,
        role=body.role,
        station=body.station.strip() or None,
        phone=body.phone.strip() or None,
        trained_until=date.fromisoformat(body.trained_until) if body.trained_until else None,
    )
    lang = language(request)
    with rt.db.session() as session:
        principal, key = access.create(rt, session, caller.actor, new)
        label = "key_pending" if principal.status == "pending" else "key_shown"
        step = next_step(principal, 0)
        said = hint(lang, "created" if step == "enrol" else step, principal)
    return {"show": {"label": TEXT[lang][label], "value": key, "hint": said}}


@router.post("/users/{principal_id}/training")
def training(
    staff: AdminPage,
    principal_id: str,
    body: TrainingForm,
    rt: Runtime = Depends(get_runtime),
) -> NextPage:
    """Record a privacy-training attestation."""
    caller = staff.caller
    with duties.audited_refusals(rt, caller.actor, "principal.training"), rt.db.session() as s:
        access.set_training(rt, s, caller.actor, principal_id, body.until)
    return {"next": "/console/admin"}


@router.post("/users/{principal_id}/keys")
def issue_key(
    staff: AdminPage, principal_id: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> ShowOnce:
    """Issue another API key for an account (shown once)."""
    caller = staff.caller
    with duties.audited_refusals(rt, caller.actor, "apikey.issue"), rt.db.session() as session:
        principal = access.get_or_raise(session, rt.tenant, principal_id)
        key = access.issue_key(rt, session, caller.actor, principal)
        said = hint(language(request), "key_issued", principal)
    return {"show": {"label": TEXT[language(request)]["key_shown"], "value": key, "hint": said}}


@router.post("/users/{principal_id}/enrolment-link")
def enrolment_link(
    staff: AdminPage, principal_id: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> ShowOnce:
    """Make a one-time passkey enrolment link for a member of staff (shown once)."""
    caller = staff.caller
    with rt.db.session() as session:
        link = enrolment.issue(rt, session, caller.actor, principal_id)
        said = hint(
            language(request), "link_issued", access.get_or_raise(session, rt.tenant, principal_id)
        )
    return {
        "show": {"label": TEXT[language(request)]["link_shown"], "value": link.url, "hint": said}
    }


@router.post("/keys/revoke")
def revoke_key(staff: AdminPage, body: RevokeForm, rt: Runtime = Depends(get_runtime)) -> NextPage:
    """Revoke an API key by its id."""
    caller = staff.caller
    parts = keys.split_key(body.key_id.strip())
    key_id = parts[0] if parts is not None else body.key_id.strip().removeprefix("pg_")[:24]
    with rt.db.session() as session:
        access.revoke_key(rt, session, caller.actor, key_id)
    return {"next": "/console/admin"}


@router.get("/policy", response_model=None)
def policy(staff: PolicyPage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the reveal policy in force (default, tightened by the tenant)."""
    rules = []
    for role, rule in sorted(policy_for(rt).rules.items()):
        values = asdict(rule)
        values["fields"], values["purposes"] = sorted(rule.fields), sorted(rule.purposes)
        values["states"] = sorted(rule.states)
        rules.append({"role": role, **values})
    context = {"rules": rules, "step_up_keys": policy_for(rt).step_up_for_device_keys}
    return staff_page(request, "console/admin/policy.html", TEXT, context)


def mount(app: FastAPI) -> None:
    """Add the admin console pages."""
    app.include_router(router)

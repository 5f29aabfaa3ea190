"""Access commands: users (add, role, approve, train, suspend, enrol-link), API keys, cases.

Commands an officer does for themselves (approving a grant, opening or closing a case) take
that officer's key (`--api-key` or `PARCELGUARD_API_KEY`); account management runs as the
local operator who holds the server's keyring.
"""

from __future__ import annotations

from datetime import date

import typer

from parcelguard.access import cases, credentials, enrolment, grants, service
from parcelguard.access.schemas import NewPrincipal
from parcelguard.errors import InvalidInput
from parcelguard.terminal import (
    JSON_OPTION,
    PERSON_KEY_OPTION,
    acting_person,
    emit,
    local_operator,
    runtime,
)

users_app = typer.Typer(help="Staff and service accounts.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys (shown once, stored as a hash).", no_args_is_help=True)
case_app = typer.Typer(help="Investigation cases for security officers.", no_args_is_help=True)


@users_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Display name."),
    role: str = typer.Option(
        ...,
        "--role",
        help="courier, station_clerk, customer_service, security_officer, admin or service",
    ),
    phone: str | None = typer.Option(
        None, "--phone", help="The staff member's own phone (the relay connects it)."
    ),
    station: str | None = typer.Option(None, "--station", help="Station id."),
    trained_until: str | None = typer.Option(
        None, "--trained-until", help="Privacy training valid until (YYYY-MM-DD)."
    ),
    employee_no: str | None = typer.Option(
        None, "--employee-no", help="Employee number shown to recipients."
    ),
    scope: list[str] = typer.Option(
        [],
        "--scope",
        help="Service key scopes (ingest, read, events, labels, relay, pii, reveal:FIELD).",
    ),
    key_days: int = typer.Option(180, "--key-days", help="Days until the API key expires."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a principal and print its API key (shown this once).

    A security officer, unless it is the tenant's first, waits for an existing officer's
    approval (`users approve`); its key works from then on.
    """
    new = _validated(name, role, phone, station, trained_until, employee_no, scope, key_days)
    rt = runtime(ctx)
    with rt.db.session() as session:
        principal, key = service.create(rt, session, local_operator(), new)
        result: dict[str, str | None] = {
            "id": principal.principal_id,
            "role": principal.role,
            "api_key": key,
            "status": principal.status,
        }
        if principal.status == grants.PENDING:
            result["grant_id"] = grants.pending_for(session, rt.tenant, principal.principal_id)
    waits = f"\nwaits for a security officer: users approve {result.get('grant_id')}"
    human = f"created {role} {result['id']}\nAPI key (shown once): {key}"
    emit(result, as_json, human + (waits if "grant_id" in result else ""))


@users_app.command("role")
def role_(
    ctx: typer.Context,
    principal_id: str,
    role: str = typer.Option(..., "--role", help="The new staff role."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a person's role; to or from security officer it waits for an officer."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        grant = grants.grant_view(
            grants.change_role(rt, session, local_operator(), principal_id, role)
        )
    result = {"id": principal_id, "grant_id": grant["id"], "role": role, "status": grant["status"]}
    emit(result, as_json, f"{principal_id}: {role} {grant['status']}")


@users_app.command("grants")
def grants_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the role grants waiting for a security officer."""
    rt = runtime(ctx)
    with rt.db.read_session() as session:
        found = [grants.grant_view(g) for g in grants.pending(session, rt.tenant)]
    emit({"grants": found}, as_json)


@users_app.command("approve")
def approve(
    ctx: typer.Context, grant_id: str, api_key: str = PERSON_KEY_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Approve a waiting role grant as a security officer (not the person, not who asked)."""
    rt = runtime(ctx)
    officer = acting_person(rt, api_key).actor
    emit(grants.decide_grant(rt, officer, grant_id, approved=True), as_json)


@users_app.command("refuse")
def refuse(
    ctx: typer.Context, grant_id: str, api_key: str = PERSON_KEY_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Refuse a waiting role grant as a security officer."""
    rt = runtime(ctx)
    officer = acting_person(rt, api_key).actor
    emit(grants.decide_grant(rt, officer, grant_id, approved=False), as_json)


def _validated(
    name: str,
    role: str,
    phone: str | None,
    station: str | None,
    trained_until: str | None,
    employee_no: str | None,
    scope: list[str],
    key_days: int,
) -> NewPrincipal:
    from pydantic import ValidationError

    try:
        return NewPrincipal(
            name=name,
            role=role,
            phone=phone,
            station=station,
            employee_no=employee_no,
            trained_until=_date("--trained-until", trained_until),
            scopes=scope,
            key_days=key_days,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidInput(
            f"--{err['loc'][0]}: {err['msg']}".replace("_", "-"), code="invalid_input"
        ) from None


@users_app.command("list")
def list_(
    ctx: typer.Context, role: str | None = typer.Option(None, "--role"), as_json: bool = JSON_OPTION
) -> None:
    """List principals."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        found = [service.public_view(p) for p in service.list_principals(session, rt.tenant, role)]
    emit({"users": found}, as_json)


@users_app.command("train")
def train(
    ctx: typer.Context,
    principal_id: str,
    until: str = typer.Option(..., "--until"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a privacy-training attestation."""
    rt = runtime(ctx)
    day = _date("--until", until)
    assert day is not None
    with rt.db.session() as session:
        found = service.public_view(
            service.set_training(rt, session, local_operator(), principal_id, day)
        )
    emit(found, as_json)


@users_app.command("suspend")
def suspend(
    ctx: typer.Context,
    principal_id: str,
    reason: str = typer.Option("manual", "--reason"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Suspend a principal's reveal rights."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        found = service.public_view(
            service.suspend_reveal(rt, session, local_operator(), principal_id, reason)
        )
    emit(found, as_json)


@users_app.command("passkeys")
def passkeys(ctx: typer.Context, principal_id: str, as_json: bool = JSON_OPTION) -> None:
    """List a person's passkeys."""
    rt = runtime(ctx)
    with rt.db.read_session() as session:
        found = credentials.list_for(session, rt.tenant, principal_id)
    emit({"id": principal_id, "passkeys": found}, as_json)


@users_app.command("revoke-passkey")
def revoke_passkey(
    ctx: typer.Context, principal_id: str, passkey_id: str, as_json: bool = JSON_OPTION
) -> None:
    """Remove a lost passkey (after recovery by an enrolment link) and end the person's sessions."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        credentials.revoke(rt, session, local_operator(), principal_id, passkey_id)
    emit({"id": principal_id, "revoked": passkey_id}, as_json, f"revoked passkey {passkey_id}")


@users_app.command("enrol-link")
def enrol_link(
    ctx: typer.Context,
    principal_id: str,
    hours: int = typer.Option(
        enrolment.DEFAULT_HOURS, "--hours", help="Hours until the link expires (at most 168)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Issue a one-time link with which a person registers a passkey (first time or recovery)."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        link = enrolment.issue(rt, session, local_operator(), principal_id, hours=hours)
    result = {"url": link.url, "expires_at": link.expires_at.isoformat()}
    emit(result, as_json, f"enrolment link (one use, until {result['expires_at']}):\n{link.url}")


@apikey_app.command("issue")
def issue(
    ctx: typer.Context,
    principal_id: str,
    days: int = typer.Option(180, "--days"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Issue another API key for a principal."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        principal = service.get_or_raise(session, rt.tenant, principal_id)
        key = service.issue_key(rt, session, local_operator(), principal, days=days)
    emit({"id": principal_id, "api_key": key}, as_json, f"API key (shown once): {key}")


@apikey_app.command("list")
def list_keys(ctx: typer.Context, principal_id: str, as_json: bool = JSON_OPTION) -> None:
    """List a principal's API keys (prefix ids and dates; secrets are never stored)."""
    rt = runtime(ctx)
    with rt.db.read_session() as session:
        found = service.list_keys(session, rt.tenant, principal_id)
    emit({"id": principal_id, "keys": found}, as_json)


@apikey_app.command("revoke")
def revoke(ctx: typer.Context, key_id: str, as_json: bool = JSON_OPTION) -> None:
    """Revoke an API key by its prefix id (the part after `pg_`)."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        service.revoke_key(rt, session, local_operator(), key_id)
    emit({"revoked": key_id}, as_json, f"revoked {key_id}")


@case_app.command("open")
def open_(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title"),
    api_key: str = PERSON_KEY_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Open an investigation case as the security officer whose key is given."""
    rt = runtime(ctx)
    officer = acting_person(rt, api_key).actor
    with rt.db.session() as session:
        case = cases.open_case(rt, session, officer, title)
        result = {"case_id": case.case_id, "status": case.status}
    emit(result, as_json, f"opened case {result['case_id']}")


@case_app.command("close")
def close(
    ctx: typer.Context, case_id: str, api_key: str = PERSON_KEY_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Close an investigation case as the security officer whose key is given."""
    rt = runtime(ctx)
    officer = acting_person(rt, api_key).actor
    with rt.db.session() as session:
        cases.close_case(rt, session, officer, case_id)
    emit({"case_id": case_id, "status": "closed"}, as_json)


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{option} must be a date like 2027-06-30", code="invalid_date"
        ) from None


def register(app: typer.Typer) -> None:
    """Add the access commands to the root app."""
    app.add_typer(users_app, name="users")
    app.add_typer(apikey_app, name="apikey")
    app.add_typer(case_app, name="case")

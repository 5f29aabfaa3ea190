"""Audit commands: `audit verify`, `audit checkpoint`, `audit log`."""

from __future__ import annotations

import typer

from parcelguard.audit.service import auditor_for, event_payload, search
from parcelguard.audit.verify import verify_chain
from parcelguard.terminal import JSON_OPTION, emit, runtime

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Recompute the chain and checkpoint signatures; exit 4 when anything was tampered with."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        result = verify_chain(session, rt.tenant, rt.keyring.signer)
    human = (
        f"audit log intact: {result.events} events, {result.checkpoints} checkpoints"
        if result.ok
        else f"AUDIT LOG TAMPERED at event {result.first_bad_seq}: {result.reason}"
    )
    emit(result.as_dict(), as_json, human)
    if not result.ok:
        raise typer.Exit(4)


@audit_app.command("checkpoint")
def checkpoint(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Sign the current head of the chain now."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        point = auditor_for(rt).checkpoint(session)
        data = {"seq": point.seq if point else None, "signed": point is not None}
    emit(data, as_json, f"checkpoint at event {data['seq']}" if point else "nothing new to sign")


@audit_app.command("log")
def log(
    ctx: typer.Context,
    actor: str | None = typer.Option(None, help="Only this principal's events."),
    action: str | None = typer.Option(None, help="Only this action (e.g. reveal)."),
    target: str | None = typer.Option(None, help="Only events about this shipment id."),
    limit: int = typer.Option(50, min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """List recent audit events, newest first."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        events = [
            event_payload(e)
            for e in search(
                session, rt.tenant, actor_id=actor, action=action, target_id=target, limit=limit
            )
        ]
    emit({"events": events}, as_json)


def register(app: typer.Typer) -> None:
    """Add the audit commands to the root app."""
    app.add_typer(audit_app, name="audit")

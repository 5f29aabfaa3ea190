"""Audit commands: verify, checkpoint, log, prove, verify-proof, key, carry-over."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from parcelguard.audit import service as audit
from parcelguard.audit.models import TREE_FORMAT
from parcelguard.audit.proof_check import check_proof
from parcelguard.errors import InvalidInput
from parcelguard.terminal import JSON_OPTION, emit, runtime

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Recompute the tree, MACs and signatures, ask the witnesses; exit 4 when tampered with."""
    result = audit.verify(runtime(ctx))
    human = (
        f"audit log intact: {result.events} events, {result.checkpoints} checkpoints, "
        f"witnessed up to {result.witnessed_size}"
        if result.ok
        else f"AUDIT LOG TAMPERED at event {result.first_bad_seq}: {result.reason}"
    )
    emit(result.as_dict(), as_json, human)
    if not result.ok:
        raise typer.Exit(4)


@audit_app.command("checkpoint")
def checkpoint(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Sign the current head now and ask the witnesses to cosign it."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        point = audit.auditor_for(rt).checkpoint(session)
        size = point.size if point else None
    results = audit.cosign(rt)
    data = {
        "seq": size,
        "signed": point is not None,
        "witnesses": [{"name": r.witness, "status": r.status, "size": r.size} for r in results],
    }
    emit(data, as_json, f"checkpoint at event {size}" if point else "nothing new to sign")


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
            audit.event_payload(e)
            for e in audit.search(
                session, rt.tenant, actor_id=actor, action=action, target_id=target, limit=limit
            )
        ]
    emit({"events": events}, as_json)


@audit_app.command("prove")
def prove(
    ctx: typer.Context,
    seq: int = typer.Argument(..., min=1, help="The event's sequence number."),
    out: Path | None = typer.Option(None, "--out", help="Write the proof to this file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print (or write) the inclusion proof of one event against a witnessed checkpoint."""
    rt = runtime(ctx)
    with rt.db.read_session() as session:
        document = audit.prove(rt, session, seq)
    text = json.dumps(document, ensure_ascii=False, indent=1)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    emit({"written": str(out), "seq": seq}, as_json, f"proof of event {seq} written to {out}")


@audit_app.command("verify-proof")
def verify_proof(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A proof document."),
    log_key: str = typer.Option(..., "--log-key", help="The log's public key (published)."),
    witness_key: list[str] = typer.Option([], "--witness-key", help="A witness's public key."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check a proof document offline (no database); exit 4 when it does not hold."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(f"{file} is not a JSON document", code="bad_proof") from None
    result = check_proof(document, log_key, witness_key)
    if result.ok:
        cosigners = ", ".join(w["name"] for w in result.witnesses) or "no witness checked"
        human = f"event {result.seq} is in the log of {result.tree_size} events ({cosigners})"
    else:
        human = f"PROOF DOES NOT HOLD: {result.reason}"
    emit(result.as_dict(), as_json, human)
    if not result.ok:
        raise typer.Exit(4)


@audit_app.command("key")
def key(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print the log's origin and public key, and the witnesses' keys, for verifiers."""
    data = audit.public_keys(runtime(ctx))
    emit(data, as_json, data["public_key"])


@audit_app.command("carry-over")
def carry_over(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Move a log written as a hash chain into the tree now (appends also do it)."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        head = audit.head_of(session, rt.tenant)
        legacy = head is not None and head.format != TREE_FORMAT
        if legacy:
            audit.auditor_for(rt).checkpoint(session)
    if legacy:
        audit.cosign(rt)
    emit({"carried_over": legacy}, as_json, "carried over" if legacy else "already a tree")


def register(app: typer.Typer) -> None:
    """Add the audit commands to the root app."""
    app.add_typer(audit_app, name="audit")

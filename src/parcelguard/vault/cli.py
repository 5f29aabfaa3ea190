"""Vault commands: import (in `cli_import`), show, find, event, purge, erase, keys."""

from __future__ import annotations

from pathlib import Path

import typer

from parcelguard.access import service as access_service
from parcelguard.access.principals import Caller
from parcelguard.runtime import Runtime
from parcelguard.terminal import (
    JSON_OPTION,
    acting_person,
    emit,
    instant_option,
    local_operator,
    progress,
    runtime,
    stderr,
)
from parcelguard.vault import export, fields, keys, lifecycle, retention, service
from parcelguard.vault import reveal as reveal_case
from parcelguard.vault.cli_import import import_
from parcelguard.vault.results import KeysStatus
from parcelguard.vault.transitions import DELIVERY_REASONS

keys_app = typer.Typer(help="Keyring state and KEK rotation.", no_args_is_help=True)


def show(ctx: typer.Context, waybill: str, as_json: bool = JSON_OPTION) -> None:
    """Show a shipment's masked view."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        shipment_view = service.show(rt, session, local_operator(), waybill)
    emit(shipment_view, as_json)


def find(
    ctx: typer.Context,
    phone: str = typer.Option(..., "--phone", help="Sender's or recipient's phone."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Find shipments by phone through the blind index."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        waybills = service.find_by_phone(rt, session, local_operator(), phone)
    emit({"waybills": waybills}, as_json, "\n".join(waybills) or "no shipments")


def event(
    ctx: typer.Context,
    waybill: str,
    type_: str = typer.Argument(
        ...,
        metavar="TYPE",
        help="assigned, out_for_delivery, at_station, delivered, returned, transferred",
    ),
    courier: str | None = typer.Option(None, "--courier", help="Courier id (for assigned)."),
    station: str | None = typer.Option(
        None, "--station", help="Station id (at_station; the new station of transferred)."
    ),
    at: str | None = typer.Option(
        None,
        "--at",
        help="When it happened by your clock (ISO 8601): kept as information, within 15 min.",
    ),
    pickup_code: str | None = typer.Option(
        None, "--pickup-code", help="delivered: the recipient's pickup code (the proof)."
    ),
    reason: str | None = typer.Option(
        None, "--reason", help="delivered without a code: " + ", ".join(DELIVERY_REASONS)
    ),
    api_key: str | None = typer.Option(
        None,
        "--api-key",
        envvar="PARCELGUARD_API_KEY",
        help="Act as this person (default: the local operator).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a lifecycle event of a shipment (checked as for any caller; server time)."""
    courier = fields.require("courier_id", courier, name="--courier")
    station = fields.require("station_id", station, name="--station")
    rt = runtime(ctx)
    caller = acting_person(rt, api_key) if api_key else _operator()
    shipment_view = lifecycle.record(
        rt,
        caller,
        waybill,
        type_,
        courier_id=courier,
        station_id=station,
        at=instant_option("--at", at),
        pickup_code=pickup_code,
        reason=reason,
    )
    emit(shipment_view, as_json)


def _operator() -> Caller:
    operator = local_operator()
    return Caller(operator.id, operator.role)


def purge(
    ctx: typer.Context,
    now: str | None = typer.Option(None, "--now", help="Purge as if it were this time (ISO 8601)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Crypto-shred shipments past retention."""
    rt = runtime(ctx)
    result = retention.purge(rt, local_operator(), instant_option("--now", now))
    emit(
        result,
        as_json,
        f"purged {result['purged']} shipments, destroyed {result['epochs_destroyed']} epoch keys",
    )


def erase(
    ctx: typer.Context,
    phone: str = typer.Option(..., "--phone", help="The person's phone."),
    include_in_transit: bool = typer.Option(False, help="Also erase parcels still on their way."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Erase one person's data (PIPL art. 47)."""
    rt = runtime(ctx)
    result = retention.erase_person(
        rt, local_operator(), phone, include_in_transit=include_in_transit
    )
    emit(
        result,
        as_json,
        f"erased {result['erased']} shipments; {result['in_transit']} still in transit",
    )


def reveal(
    ctx: typer.Context,
    waybill: str,
    field: list[str] = typer.Option(
        ...,
        "--field",
        help="recipient.name|phone|address, sender.name|phone|address|id_no (repeatable)",
    ),
    purpose: str = typer.Option(
        ..., "--purpose", help="delivery, customer_service, investigation or self"
    ),
    reference: str | None = typer.Option(None, "--reference", help="Ticket or case id."),
    api_key: str = typer.Option(
        ..., "--api-key", envvar="PARCELGUARD_API_KEY", help="The caller's API key."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Reveal plaintext fields through the policy (exit 5 when denied)."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        caller = access_service.authenticate_key(rt, session, api_key)
    fields = reveal_case.reveal(rt, caller, waybill, field, purpose, reference)
    emit({"fields": fields}, as_json, "\n".join(f"{k}: {v}" for k, v in fields.items()))


@keys_app.command("status")
def keys_status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show KEK versions and how many data keys wait for a rewrap."""
    result = keys.status(runtime(ctx))
    emit(result, as_json, _keys_summary(result))


@keys_app.command("rotate")
def keys_rotate(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Make a new KEK version, rewrap every data key, retire unused versions."""
    rt = runtime(ctx)
    with progress("rewrapping data keys", keys.pending_count(rt) or None) as advance:
        result = keys.rotate(rt, local_operator(), advance)
    stderr.print(f"active KEK version {result['active']}")
    emit(result, as_json, _keys_summary(result))


def _keys_summary(result: KeysStatus) -> str:
    return (
        f"provider {result['provider']}, active KEK {result['active']}, "
        f"versions {result['versions']}, {result['pending_rewrap']} data keys pending rewrap, "
        f"{result['epochs']} live retention epochs"
    )


def register(app: typer.Typer) -> None:
    """Add the vault commands to the root app."""
    app.command("import")(import_)
    app.command()(show)
    app.command()(find)
    app.command()(event)
    app.command()(purge)
    app.command()(erase)
    app.command()(reveal)
    app.add_typer(keys_app, name="keys")
    app.add_typer(export_app, name="export")


export_app = typer.Typer(help="Bulk export for investigations (a second officer approves).")


def _officer_caller(rt: Runtime, api_key: str) -> Caller:
    with rt.db.read_session() as session:
        return access_service.authenticate_key(rt, session, api_key, touch=False)


@export_app.command("request")
def export_request(
    ctx: typer.Context,
    case: str = typer.Option(..., "--case", help="Open investigation case id."),
    waybill: list[str] = typer.Option(..., "--waybill", help="Waybill to include (repeatable)."),
    field: list[str] = typer.Option(..., "--field", help="Field to export (repeatable)."),
    api_key: str = typer.Option(..., "--api-key", envvar="PARCELGUARD_API_KEY"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask for a bulk export under an open case."""
    rt = runtime(ctx)
    request = export.request_export(rt, _officer_caller(rt, api_key), case, waybill, field)
    emit(
        {"id": request.request_id, "status": request.status},
        as_json,
        f"export {request.request_id} waits for other officers' approval",
    )


@export_app.command("approve")
def export_approve(
    ctx: typer.Context,
    request_id: str,
    api_key: str = typer.Option(..., "--api-key", envvar="PARCELGUARD_API_KEY"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Approve another officer's export request."""
    rt = runtime(ctx)
    emit(export.approve_export(rt, _officer_caller(rt, api_key), request_id), as_json)


@export_app.command("run")
def export_run(
    ctx: typer.Context,
    request_id: str,
    out: Path = typer.Option(..., "--out", help="CSV file to write (created with mode 0600)."),
    api_key: str = typer.Option(..., "--api-key", envvar="PARCELGUARD_API_KEY"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run an approved export once and write it as CSV."""
    import os

    rt = runtime(ctx)
    caller = _officer_caller(rt, api_key)
    fd = os.open(out, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            rows = export.run_export(rt, caller, request_id, fh)
    except BaseException:
        out.unlink(missing_ok=True)  # nothing half-written stays behind
        raise
    emit({"id": request_id, "rows": rows, "out": str(out)}, as_json, f"wrote {rows} rows to {out}")


@export_app.command("list")
def export_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List export requests."""
    rt = runtime(ctx)
    with rt.db.read_session() as session:
        emit({"exports": export.list_exports(rt, session)}, as_json)

"""Relay commands: pool import / status / reserve, bind, route, simulate, verify, sweep.

`relay route --json` prints the routed real number: it is the operator's diagnostic on the
server, run by whoever holds the keyring (who could open any number anyway), and each run is
audited as a `relay.connect` event naming the operator. Its human output masks the number,
because terminals are screenshotted and scrolled back; `--masked` masks the JSON as well.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Mapping
from pathlib import Path

import typer
from rich.console import Console

from parcelguard.errors import InvalidInput, Unavailable
from parcelguard.relay import service
from parcelguard.relay.results import CallerVerdict, PoolImport
from parcelguard.terminal import (
    JSON_OPTION,
    PERSON_KEY_OPTION,
    acting_person,
    emit,
    instant_option,
    local_operator,
    runtime,
)

relay_app = typer.Typer(help="Virtual-number relay (隐私号).", no_args_is_help=True)
pool_app = typer.Typer(help="The pool of virtual numbers.", no_args_is_help=True)
relay_app.add_typer(pool_app, name="pool")


@pool_app.command("import")
def pool_import(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV with a `number` column."
    ),
    mode: str = typer.Option("axb", "--mode", help="axb (AXB/AXN), axe (extensions) or axg."),
    group: str | None = typer.Option(None, "--group", help="AXG: the station of the group."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add numbers to the pool (CSV: `number`, optional `city` adcode); exit 3 on bad rows."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        result = service.import_numbers(
            rt,
            session,
            local_operator(),
            service.read_pool_file(file),
            mode=mode,
            group=group,
        )
    emit(result, as_json, _import_summary(result))
    if result["rejected"]:
        raise typer.Exit(3)


def _import_summary(result: PoolImport) -> str:
    lines = [
        f"imported {result['imported']}, already known {result['duplicates']}, "
        f"rejected {result['rejected']}"
    ]
    lines += [f"  row {e['row']}: {e['field']} {e['code']}" for e in result["errors"][:50]]
    return "\n".join(lines)


@pool_app.command("status")
def pool_status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Count the pool's numbers by state."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        result = service.pool_status(rt, session)
    emit(
        result,
        as_json,
        f"{result['total']} numbers: {result['free']} free, {result['bound']} bound "
        f"({result['axn']} AXN), {result['cooling']} cooling, {result['reserved']} reserved; "
        f"{result['active_bindings']} active bindings",
    )


@pool_app.command("reserve")
def pool_reserve(
    ctx: typer.Context,
    count: int = typer.Option(1, "--count", min=1, max=1000, help="How many free numbers."),
    number: list[str] = typer.Option([], "--number", help="Reserve exactly these numbers."),
    label: str = typer.Option("canary", "--label", help="Why (e.g. the canary's id)."),
    city: str | None = typer.Option(None, "--city", help="City adcode of the numbers."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Set numbers aside as canaries: never bound; every call to one is audited as a hit."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        taken = service.reserve(
            rt, session, local_operator(), count=count, numbers=number, label=label, city=city
        )
    result = {"reserved": [vars(n) for n in taken]}
    emit(result, as_json, "\n".join(f"reserved {n.number} ({n.label})" for n in taken))


@pool_app.command("unreserve")
def pool_unreserve(ctx: typer.Context, number_id: str, as_json: bool = JSON_OPTION) -> None:
    """Return a reserved number to the pool (after a full quiet period)."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        number = service.unreserve(rt, session, local_operator(), number_id)
        result = {"number_id": number.number_id, "state": number.state}
    emit(result, as_json, f"{number_id} is {result['state']}")


@relay_app.command("bind")
def bind(
    ctx: typer.Context,
    waybill: str,
    ttl: int | None = typer.Option(None, "--ttl", help="Lifetime in seconds."),
    axn: bool = typer.Option(False, "--axn", help="An AXN number for the recipient."),
    kind: str | None = typer.Option(None, "--kind", help="axb, axn, axe or axg."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Bind a shipment's courier and recipient through a pool number."""
    rt = runtime(ctx)
    chosen = kind or ("axn" if axn else "axb")
    result = service.bind_waybill(rt, local_operator(), waybill, kind=chosen, ttl_seconds=ttl)
    shown = result["virtual_number"]
    if result.get("extension"):
        shown = f"{shown} 转 {result['extension']}"
    emit(result, as_json, f"{result['kind'].upper()} {shown} until {result['expires_at']}")


@relay_app.command("route")
def route(
    ctx: typer.Context,
    caller: str = typer.Option(..., "--from", help="The calling number."),
    to: str = typer.Option(..., "--to", help="The pool number called."),
    now: str | None = typer.Option(None, "--now", help="Decide as if at this time (ISO 8601)."),
    channel: str = typer.Option("voice", "--channel", help="voice or sms"),
    extension: str | None = typer.Option(None, "--extension", help="AXE: the keyed extension."),
    masked: bool = typer.Option(False, "--masked", help="Mask the number in --json output too."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the routing decision for a call (diagnostic; audited)."""
    rt = runtime(ctx)
    if channel not in ("voice", "sms"):
        raise InvalidInput("--channel must be voice or sms", code="invalid_channel")
    with rt.db.session() as session:
        decision = service.route(
            rt,
            session,
            local_operator(),
            caller,
            to,
            channel=channel,
            now=instant_option("--now", now),
            extension=extension,
        )
    shown = decision.masked_answer()
    emit(
        shown if masked else decision.answer(),
        as_json,
        f"{shown['action']} {shown['number'] or ''} {shown['reason'] or ''}".strip(),
    )


@relay_app.command("simulate")
def simulate(
    ctx: typer.Context,
    caller: str = typer.Option(..., "--from", help="The calling number."),
    to: str = typer.Option(..., "--to", help="The pool number called."),
    now: str | None = typer.Option(None, "--now", help="Call as if at this time (ISO 8601)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Place a call through the demo carrier and print, masked, who would be connected."""
    rt = runtime(ctx)
    result = service.simulate(rt, local_operator(), caller, to, now=instant_option("--now", now))
    emit(result, as_json, result["summary"])


@relay_app.command("verify")
def verify(
    ctx: typer.Context,
    recipient: str = typer.Option(..., "--recipient", help="The recipient's phone."),
    caller: str = typer.Option(..., "--caller", help="The number that called them."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Is this really the recipient's courier? (genuine, or unknown with a scam warning)"""
    rt = runtime(ctx)
    with rt.db.session() as session:
        result = service.verify(rt, session, local_operator(), recipient, caller)
    emit(result, as_json, lambda out: _print_verdict(out, result))


def _print_verdict(out: Console, result: CallerVerdict) -> None:
    if result["genuine"]:
        courier: Mapping[str, object] = result["courier"] or {}
        out.print(
            f"[green]genuine[/green]: courier {courier.get('name', '?')} "
            f"({courier.get('employee_no', '?')}), waybill {result['waybill']}"
        )
    else:
        out.print("[red]unknown caller[/red]")
    out.print(result["message"]["zh"])
    out.print(result["message"]["en"])


@relay_app.command("sweep")
def sweep(
    ctx: typer.Context,
    now: str | None = typer.Option(None, "--now", help="Sweep as if at this time (ISO 8601)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """End expired bindings and move numbers through cooling back to free."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        result = service.sweep(
            rt, session, local_operator(), now=instant_option("--now", now), limit=100_000
        )
    emit(
        result,
        as_json,
        f"released {result['released']} bindings; {result['cooling']} numbers cooling, "
        f"{result['freed']} freed, {result['seats_cleared']} seats cleared",
    )


@relay_app.command("release")
def release(ctx: typer.Context, binding_id: str, as_json: bool = JSON_OPTION) -> None:
    """End a binding now."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        result = service.release_binding(rt, session, local_operator(), binding_id)
    emit(result, as_json, f"{binding_id} {result['status']}")


@relay_app.command("bindings")
def list_bindings(
    ctx: typer.Context,
    waybill: str | None = typer.Option(None, "--waybill"),
    all_: bool = typer.Option(False, "--all", help="Ended bindings too."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List active bindings (of one waybill, or the latest 200)."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        found = service.list_bindings(
            rt, session, waybill=waybill, status=None if all_ else "active"
        )
    emit(
        {"bindings": found},
        as_json,
        "\n".join(
            f"{b['binding_id']} {b['kind']} {b['virtual_number']} {b['waybill']} {b['status']} "
            f"until {b['expires_at']}"
            for b in found
        )
        or "no bindings",
    )


recording_app = typer.Typer(
    help="Call recordings, for security officers with an open case.", no_args_is_help=True
)
relay_app.add_typer(recording_app, name="recording")
CASE_OPTION = typer.Option(..., "--case", help="The open investigation case this serves.")


@recording_app.command("show")
def recording_show(
    ctx: typer.Context,
    recording_id: str | None = typer.Argument(None, help="One recording's id."),
    case_id: str = CASE_OPTION,
    waybill: str | None = typer.Option(None, "--waybill", help="The parcel's recordings."),
    call_id: str | None = typer.Option(None, "--call", help="The call's recordings."),
    api_key: str = PERSON_KEY_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List recordings (no audio): id, call, size, kept until; audited."""
    if recording_id is None and waybill is None and call_id is None:
        raise InvalidInput("name a recording id, --waybill or --call", code="recording_unspecified")
    rt = runtime(ctx)
    officer = acting_person(rt, api_key).actor
    with rt.db.session() as session:
        found = service.show_recordings(
            rt,
            session,
            officer,
            case_id,
            recording_id=recording_id,
            waybill=waybill,
            call_id=call_id,
        )
    lines = [
        f"{r['recording_id']}  call {r['call_id']}  {r['size']} bytes  {r['content_type']}  "
        f"kept until {r['expires_at']}{'  (erased)' if r['erased'] else ''}"
        for r in found
    ]
    emit({"recordings": found}, as_json, "\n".join(lines))


@recording_app.command("fetch")
def recording_fetch(
    ctx: typer.Context,
    recording_id: str = typer.Argument(..., help="The recording's id."),
    case_id: str = CASE_OPTION,
    api_key: str = PERSON_KEY_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Write the audio to standard output, for a player or an encrypted store; audited.

    Nothing is written to disk: pipe it (`… | mpv -`). A terminal is refused; `--json` gives
    the audio in Base64.
    """
    if not as_json and sys.stdout.isatty():
        raise InvalidInput(
            "the audio goes to a pipe (… | mpv -), not to a terminal", code="stdout_is_terminal"
        )
    rt = runtime(ctx)
    officer = acting_person(rt, api_key).actor
    with rt.db.session() as session:
        audio, media = service.reveal_recording(rt, session, officer, recording_id, case_id)
    if as_json:
        document = {
            "recording_id": recording_id,
            "content_type": media,
            "size": len(audio),
            "audio_base64": base64.b64encode(audio).decode(),
        }
        emit(document, as_json)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(audio)
    sys.stdout.buffer.flush()


receipts_app = typer.Typer(help="Platform receipts read from a queue.", no_args_is_help=True)
relay_app.add_typer(receipts_app, name="receipts")


@receipts_app.command("poll")
def receipts_poll(
    ctx: typer.Context,
    rounds: int = typer.Option(
        0, "--rounds", min=0, help="Stop after this many rounds (0: until interrupted)."
    ),
    wait: int = typer.Option(
        10, "--wait", min=0, max=30, help="Seconds an empty queue is waited on (long polling)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Pull Alibaba's receipts from the MNS queues, apply them, delete them once applied."""
    rt = runtime(ctx)
    poller = service.receipt_poller(rt)
    total = service.receipt_round()
    done = 0
    try:
        while rounds == 0 or done < rounds:
            total.add(poller.round(wait_seconds=wait))
            done += 1
    except KeyboardInterrupt:
        pass
    result = {"rounds": done, **total.as_dict()}
    emit(
        result,
        as_json,
        f"{done} rounds: received {total.received}, applied {total.applied} receipts, "
        f"deleted {total.deleted}, retried {total.retried}, dropped {total.dropped}",
    )


@relay_app.command("doctor")
def doctor(
    ctx: typer.Context,
    callback_url: str | None = typer.Option(
        None, "--callback-url", help="The public base URL the platform calls back."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check the platform's credentials and that its callbacks reach this server (exit 1 if not)."""
    rt = runtime(ctx)
    result = service.doctor(rt, callback_url=callback_url)
    lines = [f"provider {result['provider']}"] + [
        f"  {'ok  ' if c['ok'] else 'FAIL'} {c['name']}: {c['detail']}" for c in result["checks"]
    ]
    if result["ok"]:
        emit(result, as_json, "\n".join(lines))
        return
    if not as_json:
        typer.echo("\n".join(lines))
    failed = sum(not c["ok"] for c in result["checks"])
    raise Unavailable(
        f"relay doctor: {failed} of {len(result['checks'])} checks failed",
        code="relay_doctor_failed",
        details=result,
    )


def register(app: typer.Typer) -> None:
    """Add the relay commands to the root app."""
    app.add_typer(relay_app, name="relay")

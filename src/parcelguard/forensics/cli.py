"""Forensics commands: `trace`, `canaries seed|list|rotate`, `exposure check|salt`.

Run on the server by whoever holds its keyring (the local operator), like every CLI command.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from parcelguard.clock import parse_instant
from parcelguard.errors import InvalidInput
from parcelguard.forensics import service
from parcelguard.forensics.models import CHANNEL_KINDS
from parcelguard.forensics.results import TraceDocument
from parcelguard.runtime import Runtime
from parcelguard.terminal import JSON_OPTION, emit, local_operator, progress, stderr
from parcelguard.terminal import runtime as invocation_runtime
from parcelguard.web.reports import leak_report_html

canaries_app = typer.Typer(help="Canary records that name a leaking channel.", no_args_is_help=True)
exposure_app = typer.Typer(help="Whether a number appeared in a traced leak.", no_args_is_help=True)


def _runtime(ctx: typer.Context) -> Runtime:
    return invocation_runtime(ctx)


def trace(
    ctx: typer.Context,
    file: str = typer.Argument(..., help="Leaked CSV, XLSX or text file; - reads pasted text."),
    at: str | None = typer.Option(
        None, "--at", help="When the leak was found (ISO 8601); default now."
    ),
    report_dir: Path | None = typer.Option(
        None, "--report-dir", help="Also write trace-<leak>.json and .html into this folder."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Attribute a leaked list: matched records, canary hits, ranked suspects with evidence."""
    rt = _runtime(ctx)
    when = _instant(at)
    with _leak_file(file) as path:
        total = None if _is_zip(path) else path.stat().st_size
        with progress(f"tracing {path.name}", total) as advance:
            document = service.trace(
                rt,
                local_operator(),
                path,
                at=when,
                advance=advance,
                report_dir=report_dir,
                report_html=leak_report_html,
            )
    if report_dir is not None:
        stderr.print(f"reports written to {report_dir}")
    emit(document, as_json, lambda out: _print_trace(out, document))


def _is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


@contextmanager
def _leak_file(name: str) -> Iterator[Path]:
    if name != "-":
        path = Path(name)
        if not path.is_file():
            raise InvalidInput(
                "the leaked file does not exist or is not a file", code="no_such_file"
            )
        yield path
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pasted.txt"
        with path.open("wb") as out:
            path.chmod(0o600)
            shutil.copyfileobj(sys.stdin.buffer, out)
        yield path


def _print_trace(out: Console, document: TraceDocument) -> None:
    out.print(
        f"leak {document['leak_id']}: {document['rows']} rows, {document['matched']} matched, "
        f"{document['unmatched']} unmatched"
    )
    for hit in document["canaries"]:
        out.print(f"[bold red]canary {hit['canary_id']}[/] → {hit['channel']} (certain)")
    for i, suspect in enumerate(document["suspects"], start=1):
        verdict = "certain" if suspect["certain"] else "ACCUSED" if suspect["accused"] else ""
        out.print(
            f"{i:>2}. {suspect['channel']:<40} {suspect['role']:<18} "
            f"coverage {suspect['coverage']:.0%} score {suspect['score']:.1f} {verdict}"
        )


def _instant(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise InvalidInput("--at must be an ISO 8601 time", code="invalid_time") from None


@canaries_app.command("seed")
def canaries_seed(
    ctx: typer.Context,
    courier: str | None = typer.Option(None, "--courier", help="Courier principal id."),
    station: str | None = typer.Option(None, "--station", help="Station id."),
    api_key: str | None = typer.Option(None, "--api-key", help="API key id (the 8 characters)."),
    export: str | None = typer.Option(None, "--export", help="Export request id."),
    count: int = typer.Option(1, "--count", min=1, max=20, help="How many canaries."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Seed canaries for exactly one channel."""
    given = {
        k: v for k, v in zip(CHANNEL_KINDS, (courier, station, api_key, export), strict=True) if v
    }
    if len(given) != 1:
        raise InvalidInput(
            "name exactly one of --courier, --station, --api-key, --export", code="invalid_channel"
        )
    ((kind, ident),) = given.items()
    made = service.seed_canaries(_runtime(ctx), local_operator(), kind, ident, count)
    emit({"canaries": made}, as_json, "\n".join(f"{c['canary_id']} → {c['channel']}" for c in made))


@canaries_app.command("list")
def canaries_list(
    ctx: typer.Context,
    include_retired: bool = typer.Option(False, "--all", help="Include retired canaries."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List canaries and the channel each was given to."""
    found = service.list_canaries(_runtime(ctx), local_operator(), include_retired=include_retired)
    emit(
        {"canaries": found},
        as_json,
        "\n".join(f"{c['canary_id']} {c['status']:<8} {c['channel']}" for c in found)
        or "no canaries",
    )


@canaries_app.command("rotate")
def canaries_rotate(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", help="Only this channel kind."),
    channel: str | None = typer.Option(None, "--channel", help="Only this channel id."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Retire active canaries and seed fresh ones for the same channels."""
    result = service.rotate_canaries(_runtime(ctx), local_operator(), kind=kind, channel_id=channel)
    emit(result, as_json, f"retired {len(result['retired'])}, seeded {len(result['seeded'])}")


@exposure_app.command("check")
def exposure_check(
    ctx: typer.Context,
    phone: str = typer.Option(..., "--phone", help="The number to check."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Say whether a number appeared in a traced leak (and which)."""
    result = service.exposure_check(_runtime(ctx), local_operator(), phone)
    human = (
        f"{result['phone']} appeared in {len(result['leaks'])} traced leak(s)"
        if result["exposed"]
        else f"{result['phone']} is in no traced leak"
    )
    emit(result, as_json, human)


@exposure_app.command("salt")
def exposure_salt(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show the public salt and the browser recipe of the range query."""
    emit(service.exposure_salt(_runtime(ctx)), as_json)


def register(app: typer.Typer) -> None:
    """Add the forensics commands to the root app."""
    app.command("trace")(trace)
    app.add_typer(canaries_app, name="canaries")
    app.add_typer(exposure_app, name="exposure")

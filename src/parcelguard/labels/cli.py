"""Label commands: `label`, `labels revoke`, `labels shelf`, and `pickup` (hand-over by code).

The renderers (reportlab, Pillow) are imported by the commands that draw, not when the CLI
starts: every other command would pay for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from parcelguard.access import service as access_service
from parcelguard.access.guards import require
from parcelguard.audit.service import Actor
from parcelguard.errors import ConfigError
from parcelguard.labels import handover
from parcelguard.terminal import JSON_OPTION, emit, local_operator, progress, runtime

if TYPE_CHECKING:
    from parcelguard.labels import printing, service
    from parcelguard.labels.printers import Printer
    from parcelguard.runtime import Runtime

labels_app = typer.Typer(help="Label tokens and station shelf labels.", no_args_is_help=True)

FORMAT_OPTION = typer.Option(
    None,
    "--format",
    help="pdf, png, zpl, tspl, escpos or zpl-raster (default pdf); a printer takes tspl, "
    "escpos, zpl or zpl-raster (default: its language in config.toml).",
)
OUT_OPTION = typer.Option(
    None, "--out", help="File to write (PNG: one file per waybill); optional with --printer."
)
DPI_OPTION = typer.Option(
    None, "--dpi", help="Printer resolution: 203, 300 or 600 (default: the printer's, else 203)."
)
PRINTER_OPTION = typer.Option(
    None,
    "--printer",
    help="Send to a printer: tcp://host:9100 (raw TCP), cups://queue (lp -o raw), "
    "or a printer's name from config.toml (its printers.NAME table).",
)


def label(
    ctx: typer.Context,
    waybills: list[str] = typer.Argument(..., metavar="WAYBILL...", help="Waybill numbers."),
    out: Path | None = OUT_OPTION,
    format_: str | None = FORMAT_OPTION,
    size: str | None = typer.Option(
        None,
        "--size",
        help="100x180, 100x150 or 76x130 (mm; default: the printer's stock, else 100x180).",
    ),
    dpi: int | None = DPI_OPTION,
    printer: str | None = PRINTER_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print privacy waybill labels to a file (--out) or a printer (--printer), or both."""
    from parcelguard.labels import printing, service

    choice = printing.Choice(format_, size, dpi, printer)
    rt, job, target, unique = _plan(ctx, waybills, out, choice)
    sent: dict[str, Any] | None = None
    with progress("rendering labels", len(unique)) as advance:
        if target is None:
            documents = service.print_labels(rt, local_operator(), job, progress=advance)
        else:
            documents, sent = printing.send(rt, local_operator(), job, target, progress=advance)
    _report(out, documents, unique, job.format, sent, as_json)


@labels_app.command("revoke")
def revoke(ctx: typer.Context, waybill: str, as_json: bool = JSON_OPTION) -> None:
    """Revoke every QR token of a shipment: its printed labels stop opening the scan page."""
    from parcelguard.labels import service

    rt = runtime(ctx)
    with rt.db.session() as session:
        count = service.revoke(rt, session, local_operator(), waybill)
    emit({"revoked": count}, as_json, f"revoked {count} label token(s)")


@labels_app.command("shelf")
def shelf(
    ctx: typer.Context,
    waybills: list[str] = typer.Argument(..., metavar="WAYBILL...", help="Waybill numbers."),
    out: Path | None = OUT_OPTION,
    format_: str | None = FORMAT_OPTION,
    dpi: int | None = DPI_OPTION,
    printer: str | None = PRINTER_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print the station shelf labels (pickup code, masked name, shelf) of waiting parcels."""
    from parcelguard.labels import printing, service

    choice = printing.Choice(format_, "100x180", dpi, printer)
    rt, job, target, unique = _plan(ctx, waybills, out, choice)
    sent: dict[str, Any] | None = None
    if target is None:
        documents = service.print_shelf_labels(rt, local_operator(), job)
    else:
        documents, sent = printing.send(rt, local_operator(), job, target, shelf=True)
    _report(out, documents, unique, job.format, sent, as_json)


def pickup(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="The pickup code, e.g. 3-2-0417."),
    station: str = typer.Option(..., "--station", help="The station handing the parcel over."),
    last4: str | None = typer.Option(None, "--last4", help="Last four digits the customer says."),
    api_key: str | None = typer.Option(
        None,
        "--api-key",
        envvar="PARCELGUARD_API_KEY",
        help="The clerk's API key (default: the local operator).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Hand a parcel over by pickup code; marks it picked up and delivered."""
    rt = runtime(ctx)
    actor: Actor = local_operator()
    if api_key:
        with rt.db.session() as session:
            caller = access_service.authenticate_key(rt, session, api_key)
        require(caller, roles=handover.CLERK_ROLES)
        handover.check_station(caller, station)
        actor = caller.actor
    result = handover.hand_over(rt, actor, handover.PickupRequest(station, code, last4))
    emit(result, as_json, f"handed over {result['waybill_no']} ({result['pickup_code']})")


def _plan(
    ctx: typer.Context, waybills: list[str], out: Path | None, choice: printing.Choice
) -> tuple[Runtime, service.PrintJob, Printer | None, list[str]]:
    """Refuse a print with nowhere to go, plan the job, and list each waybill once."""
    from parcelguard.labels import printing

    _need_destination(out, choice.printer)
    rt = runtime(ctx)
    job, target = printing.plan(rt, waybills, choice)
    return rt, job, target, list(dict.fromkeys(w.strip() for w in waybills))


def _need_destination(out: Path | None, printer: str | None) -> None:
    """Refuse a print with nowhere to go: `--out`, `--printer` or both are needed."""
    if out is None and printer is None:
        raise typer.BadParameter("give --out PATH, --printer PRINTER or both", param_hint="--out")


def _report(
    out: Path | None,
    documents: list[bytes],
    waybills: list[str],
    fmt: str,
    sent: dict[str, Any] | None,
    as_json: bool,
) -> None:
    """Write the file when asked, then say what was written and what was sent."""
    written = _write(out, documents, waybills, fmt) if out is not None else []
    result: dict[str, Any] = {"written": written}
    lines = list(written)
    if sent is not None:
        result["printed"] = sent
        lines.append(f"sent {sent['labels']} label(s) to {sent['printer']} ({sent['format']})")
    emit(result, as_json, "\n".join(lines))


def _write(out: Path, documents: list[bytes], waybills: list[str], fmt: str) -> list[str]:
    """Write one document to `out`, or one per waybill named `<out stem>-<waybill>.<ext>`."""
    if len(documents) == 1:
        paths = [out]
    elif len(documents) == len(waybills):
        suffix = out.suffix or f".{fmt}"
        paths = [out.with_name(f"{out.stem}-{w}{suffix}") for w in waybills]
    else:
        raise ConfigError("the renderer returned an unexpected number of documents")
    out.parent.mkdir(parents=True, exist_ok=True)
    for path, data in zip(paths, documents, strict=True):
        path.write_bytes(data)
    return [str(path) for path in paths]


def register(app: typer.Typer) -> None:
    """Add the label commands to the root app."""
    app.command("label")(label)
    app.command("pickup")(pickup)
    app.add_typer(labels_app, name="labels")

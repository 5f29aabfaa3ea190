"""`parcelguard import`: a shop export or carrier template in, shipments stored, errors explained.

Recognition comes from `sources.toml`; `--map` and `[import.mappings.<source>]` override it;
`--dry-run` stores nothing; `--errors` writes the rejected rows (masked unless `--unmasked`).
A file without a waybill column is refused unless `--assign-waybills`: ParcelGuard never
invents the numbers a carrier issues.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from parcelguard.access import service as access_service
from parcelguard.errors import InvalidInput
from parcelguard.runtime import Runtime
from parcelguard.terminal import JSON_OPTION, local_operator, rows_progress, runtime
from parcelguard.vault import ingest
from parcelguard.vault.config import row_rules, saved_mappings
from parcelguard.vault.readers import ReadOptions, ShipmentFile, open_file
from parcelguard.vault.refusals import check_columns
from parcelguard.vault.rejects import RejectsWriter, authorize_unmasked
from parcelguard.vault.results import ReaderPlan
from parcelguard.vault.rows import RowRules

SHOWN_ERRORS = 50
DRY_RUN_ERRORS = 20


def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV, XLSX or JSONL file (shop export, template)."
    ),
    strict: bool = typer.Option(False, "--strict", help="All rows or none."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show the mapping, counts and first bad rows; store nothing."
    ),
    mapping: list[str] = typer.Option(
        [],
        "--map",
        metavar="COLUMN=FIELD",
        help="Map a column: --map 快递单号=waybill (repeatable).",
    ),
    source: str | None = typer.Option(
        None, "--source", help="Read the file as this layout (see docs/import.md)."
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet name or number."),
    assign_waybills: bool = typer.Option(
        False, "--assign-waybills", help="Generate waybill numbers for rows that have none."
    ),
    errors: Path | None = typer.Option(
        None, "--errors", dir_okay=False, help="Write the rejected rows to this CSV (masked)."
    ),
    unmasked: bool = typer.Option(
        False, "--unmasked", help="With --errors: write cells as read (needs --api-key)."
    ),
    api_key: str | None = typer.Option(
        None, "--api-key", envvar="PARCELGUARD_API_KEY", help="Your key, for --unmasked."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import shipments from a CSV, XLSX or JSONL file."""
    overrides = _parse_maps(mapping)
    if unmasked and errors is None:
        raise typer.BadParameter(
            "--unmasked only applies with --errors FILE", param_hint="--unmasked"
        )
    if unmasked and not api_key:
        raise typer.BadParameter(
            "--unmasked needs your --api-key (or PARCELGUARD_API_KEY)", param_hint="--api-key"
        )
    rt = runtime(ctx)
    if unmasked and api_key:
        with rt.db.session() as session:
            caller = access_service.authenticate_key(rt, session, api_key)
        authorize_unmasked(rt, caller, file.name)
    if errors is not None and errors.exists():
        raise InvalidInput(f"{errors} already exists; choose a new file", code="file_exists")
    rules = row_rules(rt, assign_waybills=assign_waybills)
    options = ReadOptions(overrides, source, saved_mappings(rt), sheet)
    _run(rt, file, options, rules, strict, dry_run, errors, unmasked, as_json)


def _run(
    rt: Runtime,
    file: Path,
    options: ReadOptions,
    rules: RowRules,
    strict: bool,
    dry_run: bool,
    errors: Path | None,
    unmasked: bool,
    as_json: bool,
) -> None:
    size = file.stat().st_size
    by_rows = file.suffix.lower() in (".xlsx", ".xlsm")
    with rows_progress(f"importing {file.name}", None if by_rows else size) as bar:
        opened = open_file(file, options, None if by_rows else bar.advance)
        try:
            check_columns(
                opened.name,
                opened.plan,
                rules.sender is not None or bool(rules.station_senders),
                rules.assign_waybills,
            )
            writer = RejectsWriter(errors, opened.plan, masked=not unmasked) if errors else None
            settings = ingest.ImportOptions(strict, dry_run, rules, writer)
            try:
                report = ingest.import_shipments(
                    rt, local_operator(), bar.count(opened.rows), options=settings
                )
            except BaseException:
                if writer is not None:
                    writer.discard()
                raise
        finally:
            opened.close()
    if writer is not None:
        writer.close() if writer.count else writer.discard()
    _answer(opened, report, as_json, errors if writer and writer.count else None)


def _parse_maps(items: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise typer.BadParameter(f"{item!r} is not COLUMN=FIELD", param_hint="--map")
        found[column.strip()] = target.strip()
    return found


def _answer(
    opened: ShipmentFile, report: ingest.ImportReport, as_json: bool, errors: Path | None
) -> None:
    about = opened.describe()
    if errors is not None:
        about["errors_file"] = str(errors)
    try:
        if as_json:
            report.write_json(sys.stdout.write, {"file": about})
            sys.stdout.flush()
        else:
            _print_report(about, report)
    finally:
        report.waybills.close()
        report.errors.close()
    if report.rejected:
        raise typer.Exit(3)


def _print_report(about: ReaderPlan, report: ingest.ImportReport) -> None:
    out = Console(highlight=False)
    out.print(_what(about))
    if report.dry_run:
        for name, column in about["mapping"].items():
            out.print(f"  {column} → {name}")
        if about["unmapped"]:
            out.print(f"  not imported: {', '.join(about['unmapped'])}")
        out.print(
            f"dry run: would import {report.imported}, reject {report.rejected}, "
            f"{report.skipped} already imported; nothing was stored"
        )
    else:
        out.print(
            f"imported {report.imported}, rejected {report.rejected}, "
            f"already imported {report.skipped}"
        )
    limit = DRY_RUN_ERRORS if report.dry_run else SHOWN_ERRORS
    for i, error in enumerate(report.errors):
        if i == limit:
            out.print(f"… and {report.errors.count - limit} more (use --json or --errors FILE)")
            break
        out.print("  " + describe_error(error))
    if about.get("errors_file"):
        out.print(f"rejected rows written to {about['errors_file']}")


def _what(about: ReaderPlan) -> str:
    parts = [f"file {about['file']}"]
    if about["sheet"]:
        others = [s for s in about["sheets"] if s != about["sheet"]]
        parts.append(
            f"sheet {about['sheet']!r}" + (f" (also: {', '.join(others)})" if others else "")
        )
    if about["encoding"] and about["format"] == "csv":
        parts.append(about["encoding"])
    if about["header_row"] != 1:
        parts.append(f"header on row {about['header_row']}")
    if about["source_title"]:
        parts.append(f"recognised as {about['source_title']}")
    return ", ".join(parts)


def describe_error(error: dict[str, Any]) -> str:
    """Return one rejected row's problem in the user's words: row, column, masked value, why."""
    where = f"row {error['row']}"
    if error.get("column"):
        where += f", column {error['column']}"
    else:
        where += f", {error['field']}"
    if error.get("value"):
        where += f" ({error['value']})"
    return f"{where}: {error['message']} [{error['code']}]"

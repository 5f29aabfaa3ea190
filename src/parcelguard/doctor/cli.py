"""The `doctor` command: run the security self-check; exit 1 when any check fails."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from parcelguard.doctor.service import Report, examine
from parcelguard.terminal import JSON_OPTION, emit, runtime

MARKS = {"pass": "[green]pass[/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]FAIL[/red]"}


def doctor(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Run the security self-check (keys, files, TLS, audit log, retention, accounts)."""
    report = examine(runtime(ctx))
    emit(report.as_dict(), as_json, lambda out: _print(out, report))
    if not report.ok:
        raise typer.Exit(1)


def _print(out: Console, report: Report) -> None:
    table = Table(show_header=True, header_style="bold")
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for finding in report.findings:
        table.add_row(finding.name, MARKS[finding.status], finding.detail)
    out.print(table)
    out.print(
        "[green]ok[/green]" if report.ok else f"[red]failing:[/red] {', '.join(report.failing())}"
    )


def register(app: typer.Typer) -> None:
    """Add the doctor command to the root app."""
    app.command("doctor")(doctor)

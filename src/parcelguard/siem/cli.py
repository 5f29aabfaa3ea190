"""`parcelguard siem export`: deliver the audit log (and alerts) to the configured SIEM."""

from __future__ import annotations

import contextlib
import time

import typer

from parcelguard.errors import ConfigError
from parcelguard.siem import service
from parcelguard.siem.config import siem_config
from parcelguard.terminal import JSON_OPTION, emit, runtime, stderr

siem_app = typer.Typer(help="Export audit events and alerts to a SIEM.", no_args_is_help=True)


@siem_app.command("export")
def export(
    ctx: typer.Context,
    destination: str | None = typer.Option(None, help="Only this [siem] destination."),
    follow: bool = typer.Option(False, help="Keep exporting every interval_seconds."),
    seconds: float | None = typer.Option(None, help="With --follow: stop after this long."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send every event after each destination's cursor; exit 3 when a receiver failed."""
    rt = runtime(ctx)
    config = siem_config(rt)
    if not config.destinations:
        raise ConfigError("[siem] has no destinations (docs/deploy.md)")
    chosen = [service.destination(rt, destination)] if destination else config.destinations
    started = time.monotonic()
    results = [service.export(rt, d) for d in chosen]
    with contextlib.suppress(KeyboardInterrupt):
        while follow and (seconds is None or time.monotonic() - started < seconds):
            time.sleep(config.interval_seconds)
            for d in chosen:
                done = service.export(rt, d)
                if done.sent or done.error:
                    stderr.print(f"{d.name}: sent {done.sent}, cursor {done.last_seq}")
                results = [done if r.destination == d.name else r for r in results]
    emit(
        {"destinations": [r.as_dict() for r in results]},
        as_json,
        "\n".join(f"{r.destination}: sent {r.sent}, cursor {r.last_seq}" for r in results),
    )
    failed = [r.destination for r in results if r.error]
    if failed:
        stderr.print(f"not confirmed by {', '.join(failed)}; the next run sends it again")
        raise typer.Exit(3)  # partly done: the JSON above is the one document


def register(app: typer.Typer) -> None:
    """Add `siem …` to the root app."""
    app.add_typer(siem_app, name="siem")

"""Monitor commands: `monitor replay`, `monitor run`, `monitor rules`, and `alerts`."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path
from typing import IO

import typer
from rich.console import Console

from parcelguard.errors import ConfigError, InvalidInput
from parcelguard.monitor import service
from parcelguard.monitor.config import monitor_config, rule_table
from parcelguard.monitor.models import OPEN_STATUSES, STATUSES
from parcelguard.monitor.replay import ReplayStats, replay
from parcelguard.monitor.results import AlertView
from parcelguard.terminal import (
    JSON_OPTION,
    PERSON_KEY_OPTION,
    acting_person,
    emit,
    invocation,
    runtime,
    stderr,
)

monitor_app = typer.Typer(
    help="Insider-misuse detection over the audit stream.", no_args_is_help=True
)
alerts_app = typer.Typer(help="Alerts (incidents): list, show, assign, resolve.")


@monitor_app.command("replay")
def replay_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Access events, JSON lines ('-' reads stdin)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run the detectors over access events offline; print one alert per line."""
    config = monitor_config(invocation(ctx).runtime(migrate=False))  # no database needed
    stats = ReplayStats()
    started = time.perf_counter()
    with _open(file) as lines:
        for finding in replay(lines, config, stats):
            alert = finding.as_alert()
            if as_json:
                sys.stdout.write(json.dumps(alert, ensure_ascii=False, sort_keys=True) + "\n")
            else:
                sys.stdout.write(
                    f"{alert['at']}  {alert['severity']:<8} {alert['rule']:<20} "
                    f"{alert['principal_id']}\n"
                )
    seconds = max(time.perf_counter() - started, 1e-9)
    sys.stdout.flush()
    stderr.print(
        f"{stats.events} events ({stats.skipped} skipped), {stats.alerts} alerts, "
        f"{stats.events / seconds:,.0f} events/s",
        highlight=False,
    )


def _open(file: Path) -> contextlib.AbstractContextManager[IO[str]]:
    if str(file) == "-":
        return contextlib.nullcontext(sys.stdin)
    if not file.is_file():
        raise InvalidInput(f"no such file: {file}", code="file_not_found")
    return file.open(encoding="utf-8")


@monitor_app.command("run")
def run(
    ctx: typer.Context,
    seconds: float | None = typer.Option(None, help="Stop after this many seconds."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Consume the tenant's events from NATS JetStream (shared durable consumer) and alert."""
    from parcelguard.monitor.nats_consumer import NatsMonitor

    rt = runtime(ctx)
    if not rt.settings.nats_url:
        raise ConfigError("monitor run needs PARCELGUARD_NATS_URL")
    monitor = NatsMonitor(rt, rt.settings.nats_url)
    stderr.print(f"monitor consuming {rt.tenant} as {monitor.durable} ({monitor.name})")
    with contextlib.suppress(KeyboardInterrupt):
        monitor.run(seconds)
    emit(
        {"processed": monitor.consumer.processed, "alerts": monitor.consumer.alerts},
        as_json,
        f"processed {monitor.consumer.processed} events, {monitor.consumer.alerts} alerts",
    )


@monitor_app.command("rules")
def rules(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show every detector rule with its effective settings."""
    emit({"rules": rule_table(monitor_config(runtime(ctx)))}, as_json)


@alerts_app.callback(invoke_without_command=True)
def alerts(
    ctx: typer.Context,
    status: list[str] = typer.Option(
        [], "--status", help="open, acknowledged, resolved, false_positive (default: open ones)."
    ),
    limit: int = typer.Option(200, min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """List open alerts (or those of --status)."""
    if ctx.invoked_subcommand is not None:
        return
    unknown = sorted(set(status) - set(STATUSES))
    if unknown:
        raise InvalidInput(f"unknown status {', '.join(unknown)}", code="invalid_status")
    rt = runtime(ctx)
    with rt.db.session() as session:
        found = service.list_alerts(session, rt.tenant, status or OPEN_STATUSES, limit)
        views = [service.alert_view(i) for i in found]
    emit({"alerts": views}, as_json, lambda out: _table(out, views))


def _table(out: Console, views: list[AlertView]) -> None:
    if not views:
        out.print("no open alerts")
    for v in views:
        out.print(
            f"{v['id']}  {v['severity']:<8} {v['status']:<12} {v['rule']:<20} "
            f"{v['principal_id']}  last {v['last_at']}  ×{v['findings']}"
        )


@alerts_app.command("show")
def show(ctx: typer.Context, alert_id: str, as_json: bool = JSON_OPTION) -> None:
    """Show one alert with its evidence."""
    rt = runtime(ctx)
    with rt.db.session() as session:
        view = service.show_alert(rt, session, alert_id)[1]
    emit(view, as_json)


@alerts_app.command("assign")
def assign(
    ctx: typer.Context,
    alert_id: str,
    to: str = typer.Option(..., "--to", help="Who handles it (a principal id or a name)."),
    api_key: str = PERSON_KEY_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Assign an alert as the security officer whose key is given; it becomes acknowledged."""
    rt = runtime(ctx)
    view = service.assign_alert(rt, acting_person(rt, api_key).actor, alert_id, to)
    emit(view, as_json, f"alert {alert_id} assigned to {to}")


@alerts_app.command("resolve")
def resolve(
    ctx: typer.Context,
    alert_id: str,
    false_positive: bool = typer.Option(False, "--false-positive", help="Close as a false alarm."),
    restore: bool | None = typer.Option(
        None,
        "--restore/--keep-suspended",
        help="Give reveal rights back (default: only for a false positive).",
    ),
    api_key: str = PERSON_KEY_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Resolve an alert as the security officer whose key is given (never one about them)."""
    rt = runtime(ctx)
    actor = acting_person(rt, api_key).actor
    view = service.resolve_alert(
        rt, actor, alert_id, false_positive=false_positive, restore=restore
    )
    restored = view["restored"]
    emit(
        view,
        as_json,
        f"alert {alert_id} {view['status']}" + (", rights restored" if restored else ""),
    )


def register(app: typer.Typer) -> None:
    """Add `monitor …` and `alerts …` to the root app."""
    app.add_typer(monitor_app, name="monitor")
    app.add_typer(alerts_app, name="alerts")

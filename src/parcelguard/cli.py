"""The `parcelguard` command: mounts every domain's commands; maps errors to exit codes.

Exit codes: 0 ok · 1 error · 2 usage · 3 partly done · 4 integrity failure · 5 denied.
A usage error (no command, an unknown one, a bad or missing option) is one line on stderr
with a hint, never a traceback; with `--json` every error is also one JSON document, on
stdout (the contract's `{"error": …}`) and on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import typer
from rich.markup import escape

from parcelguard import errors
from parcelguard.runtime import Runtime
from parcelguard.terminal import JSON_OPTION, Invocation, emit, invocation, stderr

try:  # Typer 0.26+ carries its own copy of click; older ones use the click package
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - depends on the installed Typer
    from click import exceptions as click_errors  # type: ignore[no-redef]

app = typer.Typer(
    name="parcelguard",
    help="ParcelGuard (包裹隐私卫士): keep the personal information on parcels from leaking.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

EXIT_CODES: tuple[tuple[type[errors.ParcelGuardError], int], ...] = (
    (errors.PartlyDone, 3),
    (errors.IntegrityError, 4),
    (errors.Denied, 5),
    (errors.NotAuthenticated, 5),
    (errors.ParcelGuardError, 1),
)


def exit_code_for(exc: errors.ParcelGuardError) -> int:
    """Return the exit code of an error (the one mapping for the CLI)."""
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return 1


def version() -> str:
    """Return the installed version of ParcelGuard."""
    from importlib import metadata

    try:
        return metadata.version("parcelguard")
    except metadata.PackageNotFoundError:  # run from a source tree
        from parcelguard import __version__

        return __version__


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"parcelguard {version()}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    show_version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_show_version,
        help="Print the version and exit.",
    ),
) -> None:
    """ParcelGuard command line; every command takes --json."""
    root_ctx = ctx.find_root()
    if not isinstance(root_ctx.obj, Invocation):  # invoked without `run` (Typer's own runner)
        root_ctx.obj = wired_invocation(None)
    invocation(ctx)


def wired_invocation(make_runtime: Callable[[], Runtime] | None) -> Invocation:
    """Return an invocation whose runtime the composition root builds (unless given) and wires."""
    from parcelguard.assembly import install, load_runtime

    return Invocation(make_runtime or load_runtime, wire=install)


@app.command()
def init(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Create the home folder, keyring, database and a commented config.toml (idempotent)."""
    from parcelguard.assembly import config_tables
    from parcelguard.config_template import render, write_if_missing
    from parcelguard.settings import Settings

    rt = invocation(ctx).runtime()
    rt.keyring  # noqa: B018 - creating the keyring is the point
    from parcelguard.audit.service import witnesses

    witnesses(rt)  # the local witness, in its own folder beside the home (docs/audit.md)
    config = rt.settings.home / "config.toml"
    written = write_if_missing(config, render(Settings, config_tables()))
    emit(
        {
            "home": str(rt.settings.home),
            "database": rt.db.engine.url.render_as_string(),
            "config": str(config),
            "config_written": written,
        },
        as_json,
        f"ParcelGuard home ready at {rt.settings.home}"
        + (f"; wrote {config} (every setting, commented)" if written else ""),
    )


def _mount() -> None:
    """Register every domain's commands on the root app (explicitly, in one place)."""
    from parcelguard.access import cli as access_cli
    from parcelguard.audit import cli as audit_cli
    from parcelguard.complaints import cli as complaints_cli
    from parcelguard.doctor import cli as doctor_cli
    from parcelguard.forensics import cli as forensics_cli
    from parcelguard.labels import cli as labels_cli
    from parcelguard.monitor import cli as monitor_cli
    from parcelguard.pii import cli as pii_cli
    from parcelguard.relay import cli as relay_cli
    from parcelguard.siem import cli as siem_cli
    from parcelguard.vault import cli as vault_cli
    from parcelguard.web import cli as web_cli
    from parcelguard.witness import cli as witness_cli

    for register in (
        vault_cli.register,
        access_cli.register,
        audit_cli.register,
        doctor_cli.register,
        web_cli.register,
        labels_cli.register,
        monitor_cli.register,
        relay_cli.register,
        forensics_cli.register,
        complaints_cli.register,
        pii_cli.register,
        witness_cli.register,
        siem_cli.register,
    ):
        register(app)


def run(argv: Sequence[str], make_runtime: Callable[[], Runtime] | None = None) -> int:
    """Run the CLI with `argv`; return the exit code. Tests call this in-process.

    Without `make_runtime`, the runtime is built from the environment and `config.toml`.
    """
    as_json = "--json" in argv
    state = wired_invocation(make_runtime)
    try:
        result = command().main(
            args=list(argv), prog_name="parcelguard", standalone_mode=False, obj=state
        )
        return result if isinstance(result, int) else 0
    except errors.ParcelGuardError as exc:
        report_error(exc.code, exc.message, exc.details, as_json)
        return exit_code_for(exc)
    except click_errors.UsageError as exc:
        message, details = usage_message(exc)
        report_error("usage", message, details, as_json)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except SystemExit as exc:  # shell completion exits once it has printed its script
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except typer.Abort:
        report_error("aborted", "aborted", None, as_json)
        return 1
    except click_errors.ClickException as exc:  # a file that cannot be opened, …
        report_error("error", exc.format_message(), None, as_json)
        return exc.exit_code
    finally:
        state.close()


_COMMAND: list[Any] = []


def command() -> Any:
    """Return the app's click command, built once.

    Every group answers a missing subcommand with a one-line usage error, not a page of help.
    """
    if not _COMMAND:
        root_command = typer.main.get_command(app)
        groups = [root_command]
        while groups:
            group = groups.pop()
            group.no_args_is_help = False
            groups += [c for c in getattr(group, "commands", {}).values() if hasattr(c, "commands")]
        _COMMAND.append(root_command)
    return _COMMAND[0]


def report_error(code: str, message: str, details: Any, as_json: bool) -> None:
    """Say what went wrong on one line of stderr; with --json, as one JSON document too."""
    line = " ".join(str(message).split())
    if not as_json:
        text = f"[red]error[/red] ({escape(code)}): {escape(line)}"  # "[sender]" is not markup
        stderr.print(text, highlight=False, soft_wrap=True)
        return
    document = {"error": {"code": code, "message": line, "details": details}}
    emit(document, True)
    sys.stderr.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stderr.flush()


def usage_message(exc: Any) -> tuple[str, dict[str, str]]:
    """Return a usage error as one line with a hint, and its details."""
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "parcelguard"
    what = exc.format_message().rstrip(".")
    names = sorted(getattr(ctx.command, "commands", {}) or {}) if ctx is not None else []
    if names and what.lower() == "missing command":
        what = f"missing command; one of: {', '.join(names)}"
    hint = f"try '{path} --help'"
    return f"{path}: {what} ({hint})", {"command": path, "hint": hint}


def main() -> None:
    """Console-script entry point; a crash prints where it happened, never with which values."""
    try:
        code = run(sys.argv[1:])
    except Exception as exc:  # a bug: its message may quote an argument or a file's content
        from parcelguard.web.security.log_hygiene import scrubbed_traceback

        print(scrubbed_traceback(exc), file=sys.stderr)
        code = 1
    sys.exit(code)


_mount()

__all__ = ["app", "exit_code_for", "main", "run"]

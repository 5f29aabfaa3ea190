"""The `parcelguard` command: mounts every domain's commands; maps errors to exit codes.

Exit codes: 0 ok · 1 error · 2 usage · 3 partly done · 4 integrity failure · 5 denied.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import click
import typer

from parcelguard import errors
from parcelguard.runtime import Runtime
from parcelguard.terminal import JSON_OPTION, Invocation, default_runtime, emit, invocation, stderr

app = typer.Typer(
    name="parcelguard",
    help="ParcelGuard (包裹隐私卫士): keep the personal information on parcels from leaking.",
    no_args_is_help=True,
    add_completion=False,
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


@app.callback()
def root(ctx: typer.Context) -> None:
    """ParcelGuard command line; every command takes --json."""
    invocation(ctx)


@app.command()
def init(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Create the home folder, keyring and database (idempotent)."""
    rt = invocation(ctx).runtime()
    rt.keyring  # noqa: B018 - creating the keyring is the point
    from parcelguard.audit.service import witnesses

    witnesses(rt)  # the local witness, in its own folder beside the home (docs/audit.md)
    emit(
        {"home": str(rt.settings.home), "database": rt.db.engine.url.render_as_string()},
        as_json,
        f"ParcelGuard home ready at {rt.settings.home}",
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
    ):
        register(app)


def run(argv: Sequence[str], make_runtime: Callable[[], Runtime] = default_runtime) -> int:
    """Run the CLI with `argv`; return the exit code. Tests call this in-process."""
    as_json = "--json" in argv
    state = Invocation(make_runtime)
    try:
        result = app(args=list(argv), prog_name="parcelguard", standalone_mode=False, obj=state)
        return result if isinstance(result, int) else 0
    except errors.ParcelGuardError as exc:
        code = exit_code_for(exc)
        stderr.print(f"[red]error[/red] ({exc.code}): {exc.message}", highlight=False)
        if as_json:
            emit(
                {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}, True
            )
        return code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.exceptions.Abort:
        stderr.print("aborted")
        return 1
    except click.UsageError as exc:
        exc.show(file=sys.stderr)
        return 2
    except click.ClickException as exc:
        exc.show(file=sys.stderr)
        return exc.exit_code
    finally:
        state.close()


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

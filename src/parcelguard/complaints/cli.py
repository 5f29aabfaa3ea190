"""`parcelguard complaints list|show|answer`: the complaints queue from the command line.

With `--api-key` a member of staff acts as themselves (customer service or security officer);
without it the command acts as the local operator who holds the server's keyring. Either
way every look and every answer is audited.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from parcelguard.access.guards import require
from parcelguard.audit.service import Actor
from parcelguard.complaints import keys, service
from parcelguard.complaints.results import ComplaintSummary
from parcelguard.errors import InvalidInput
from parcelguard.runtime import Runtime
from parcelguard.terminal import JSON_OPTION, emit, local_operator, runtime

complaints_app = typer.Typer(help="Complaints: queue, detail, answer.", no_args_is_help=True)
API_KEY = typer.Option(
    None, "--api-key", envvar="PARCELGUARD_API_KEY", help="Act as this member of staff."
)


def _actor(rt: Runtime, api_key: str | None) -> Actor:
    if not api_key:
        return local_operator()
    from parcelguard.access import service as access_service

    with rt.db.session() as session:
        caller = access_service.authenticate_key(rt, session, api_key)
    require(caller, roles=service.STAFF_ROLES)
    return caller.actor


@complaints_app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(
        None, "--status", help="open, overdue, answered, resolved or unsatisfied"
    ),
    api_key: str | None = API_KEY,
    as_json: bool = JSON_OPTION,
) -> None:
    """List complaints, oldest due first, with their service-level badge."""
    rt = runtime(ctx)
    actor = _actor(rt, api_key)
    with rt.db.read_session() as session:
        found = service.queue(rt, session, actor, status)
    emit({"complaints": found}, as_json, lambda out: _print_queue(out, found))


@complaints_app.command("show")
def show(
    ctx: typer.Context,
    complaint_id: str,
    api_key: str | None = API_KEY,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a complaint with its words, answer, timeline and investigation (audited)."""
    rt = runtime(ctx)
    found = service.staff_view(rt, _actor(rt, api_key), complaint_id)
    emit(found, as_json)


@complaints_app.command("answer")
def answer(
    ctx: typer.Context,
    complaint_id: str,
    text: str | None = typer.Option(None, "--text", help="The answer."),
    file: Path | None = typer.Option(
        None, "--file", help="Read the answer from a file (- = stdin)."
    ),
    api_key: str | None = API_KEY,
    as_json: bool = JSON_OPTION,
) -> None:
    """Answer a complaint; the complainant is told by SMS."""
    rt = runtime(ctx)
    words = _answer_text(text, file)
    found = service.answer(rt, _actor(rt, api_key), complaint_id, words)
    emit(
        {k: v for k, v in found.items() if k != "text"},
        as_json,
        f"answered {found['id']} ({found['status']})",
    )


@complaints_app.command("rewrap-keys")
def rewrap_keys(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Rewrap complaint data keys under the active KEK and format (`keys rotate` does all)."""
    rt = runtime(ctx)
    done = keys.rewrap_pending(rt)
    emit({"rewrapped": done}, as_json, f"rewrapped {done} complaint keys")


def _answer_text(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        raise InvalidInput("give the answer with --text or --file", code="answer_required")
    if file is None:
        return text or ""
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InvalidInput("--file cannot be read as UTF-8 text", code="unreadable_file") from None


def _print_queue(out: Any, found: list[ComplaintSummary]) -> None:
    if not found:
        out.print("no complaints")
    for c in found:
        out.print(f"{c['id']}  {c['kind']:<18} {c['status']:<11} {c['badge']:<9} due {c['due_at']}")


def register(app: typer.Typer) -> None:
    """Add the complaints commands to the root app."""
    app.add_typer(complaints_app, name="complaints")

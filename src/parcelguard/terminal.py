"""What every command shares: `--json`, output on stdout, progress on stderr, the runtime.

The runtime of an invocation is built lazily, on the first command that needs it.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor
from parcelguard.clock import parse_instant
from parcelguard.errors import InvalidInput
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings

JSON_OPTION = typer.Option(False, "--json", help="Print exactly one JSON document on stdout.")
stderr = Console(stderr=True)


def _unwired(_rt: Runtime) -> None:
    """Wire nothing (an invocation made without the composition root)."""


@dataclass
class Invocation:
    """State of one CLI invocation, kept in Typer's context object.

    `wire` is the composition root's `install`, handed in by `cli.py` (this module is below
    the composition root and does not import it).
    """

    make_runtime: Callable[[], Runtime]
    _runtime: Runtime | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    wire: Callable[[Runtime], None] = _unwired

    def runtime(self, *, migrate: bool = True) -> Runtime:
        """Return the runtime, wired, preparing schema and keyring on first use."""
        if self._runtime is None:
            from parcelguard.migrations import upgrade

            self._runtime = self.make_runtime()
            self.wire(self._runtime)
            if migrate:
                upgrade(self._runtime.db.engine)
        return self._runtime

    def close(self) -> None:
        """Release what the invocation opened."""
        for close in self.closers:
            close()
        if self._runtime is not None:
            self._runtime.close()


def default_runtime() -> Runtime:
    """Build the runtime from the environment and `config.toml`."""
    return Runtime.from_settings(Settings.load())


def invocation(ctx: typer.Context) -> Invocation:
    """Return the invocation state stored by the root callback."""
    root = ctx.find_root()
    state = root.obj
    if not isinstance(state, Invocation):
        state = Invocation(default_runtime)
        root.obj = state
    return state


def runtime(ctx: typer.Context) -> Runtime:
    """Return the prepared runtime of this invocation."""
    return invocation(ctx).runtime()


def emit(data: Any, as_json: bool, human: Callable[[Console], None] | str | None = None) -> None:
    """Write the result: one JSON document, or a human rendering, on stdout."""
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()
        return
    out = Console()
    if human is None:
        out.print_json(json.dumps(data, ensure_ascii=False, default=str))
    elif isinstance(human, str):
        out.print(human)
    else:
        human(out)


@contextmanager
def progress(description: str, total: float | None) -> Iterator[Callable[[float], None]]:
    """Show a progress bar on stderr; yields `advance(n)`."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=False,
        disable=not stderr.is_terminal,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


class RowCounter:
    """Counts rows through an iterator and shows them, with rows/s, on a progress bar."""

    def __init__(self, bar: Progress, task: Any) -> None:
        self._bar, self._task = bar, task
        self._start = time.monotonic()
        self.rows = 0

    def advance(self, n: float) -> None:
        """Move the bar by `n` units of its total (bytes of a CSV, rows of a sheet)."""
        self._bar.advance(self._task, n)

    def count(self, items: Iterable[Any]) -> Iterator[Any]:
        """Yield `items`, counting each as a row."""
        for item in items:
            self.rows += 1
            if self.rows % 500 == 0:
                self._show()
            yield item
        self._show()

    def _show(self) -> None:
        elapsed = max(time.monotonic() - self._start, 1e-6)
        self._bar.update(self._task, rows=self.rows, rate=self.rows / elapsed)


@contextmanager
def rows_progress(description: str, total: float | None) -> Iterator[RowCounter]:
    """Show a progress bar with rows and rows/s on stderr (only when stderr is a terminal)."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows · {task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
        disable=not stderr.is_terminal,
    )
    with bar:
        yield RowCounter(bar, bar.add_task(description, total=total, rows=0, rate=0.0))


def local_operator() -> Actor:
    """Return the actor for commands run on the server itself by whoever holds its keyring."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(f"local:{user}"[:64], "operator")


PERSON_KEY_OPTION = typer.Option(
    ...,
    "--api-key",
    envvar="PARCELGUARD_API_KEY",
    help="The API key of the person acting (the command acts for them, not for the operator).",
)


def acting_person(rt: Runtime, api_key: str) -> Caller:
    """Return who a command acts for: the member of staff whose API key it was given."""
    from parcelguard.access import service

    with rt.db.session() as session:
        return service.authenticate_key(rt, session, api_key)


def instant_option(option: str, text: str | None) -> datetime | None:
    """Parse a time option (`--at`, `--now`): ISO 8601, None when not given, else a clear error."""
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise InvalidInput(f"{option} must be an ISO 8601 time", code="invalid_time") from None

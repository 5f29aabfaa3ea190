"""PII commands: `scan`, `redact`, `redact-image`.

`pii` stays pure (no database, no other domain, checked by import-linter), so this module
does not import `parcelguard.terminal`, whose runtime pulls the database in: it keeps the same
`--json` contract with the two small helpers at the bottom, and reaches the invocation's
runtime (for the tenant's hash key) through Typer's context object.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from parcelguard.errors import ConfigError, InvalidInput
from parcelguard.pii import service
from parcelguard.pii.results import ScanDocument

JSON_OPTION = typer.Option(False, "--json", help="Print exactly one JSON document on stdout.")

TEXT_ARG = typer.Argument(None, help="The text; omit it to give --file, or pass - for stdin.")
FILE_OPTION = typer.Option(None, "--file", "-f", dir_okay=False, help="Read the text from a file.")


def scan(
    text: str | None = TEXT_ARG,
    file: Path | None = FILE_OPTION,
    jsonl: bool = typer.Option(
        False, "--jsonl", help='Read JSON lines {"id", "text"}; write {"id", "entities"} lines.'
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Find personal information (phones, IDs, names, addresses …) in Chinese or English text."""
    if jsonl:
        _scan_jsonl(file, text)
        return
    analysis = service.scan(_input(text, file))
    emit(analysis.as_dict(), as_json, lambda out: _entities_table(out, analysis.as_dict()))


def _scan_jsonl(file: Path | None, text: str | None) -> None:
    if text not in (None, "-"):
        raise InvalidInput("--jsonl reads --file or stdin, not TEXT", code="bad_arguments")
    handle = _open(file) if file is not None else sys.stdin
    size = file.stat().st_size if file is not None else None
    try:
        with progress("scanning", size) as advance:
            for record in service.scan_records(_counted(handle, advance)):
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if handle is not sys.stdin:
            handle.close()
    sys.stdout.flush()


def redact(
    ctx: typer.Context,
    text: str | None = TEXT_ARG,
    file: Path | None = FILE_OPTION,
    operator: str = typer.Option("mask", "--operator", "-o", help="mask, replace or hash."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print the text with its personal information masked, replaced or hashed."""
    name = operator.strip().lower()
    if name not in service.TEXT_OPERATORS:
        raise InvalidInput(
            "--operator must be mask, replace or hash",
            code="unknown_operator",
            details={"operators": list(service.TEXT_OPERATORS)},
        )
    plain = _input(text, file)
    key = _hash_key(ctx) if name == "hash" else None
    result = service.redact_text(plain, name, hash_key=key)
    emit(result.as_dict(), as_json, result.text)


def redact_image(
    source: Path = typer.Argument(..., dir_okay=False, help="JPEG, PNG or WebP photo."),
    target: Path = typer.Argument(..., dir_okay=False, help="Where to write the redacted photo."),
    style: str = typer.Option("blur", "--style", help="blur or fill the text."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Blur the personal information and fill the QR codes and barcodes of a photo."""
    if not source.is_file():
        raise InvalidInput("IN is not a readable file", code="not_found", details="IN")
    if style not in ("blur", "fill"):
        raise InvalidInput("--style must be blur or fill", code="unknown_style")
    result = service.redact_photo(source.read_bytes(), param="IN", style=style)
    target.write_bytes(result.image)
    report = result.report(out=str(target))
    emit(report, as_json, f"wrote {target}: {len(result.regions)} regions covered")


def _input(text: str | None, file: Path | None) -> str:
    if text is not None and file is not None:
        raise InvalidInput("give TEXT or --file, not both", code="bad_arguments")
    if file is not None:
        with _open(file) as handle:
            try:
                return str(handle.read())
            except UnicodeDecodeError:
                raise InvalidInput("--file is not UTF-8 text", code="bad_encoding") from None
    if text == "-":
        return sys.stdin.read()
    if text is None:
        raise InvalidInput("give TEXT, --file or - for stdin", code="missing_input")
    return text


def _open(file: Path) -> Any:
    try:
        return file.open(encoding="utf-8-sig")
    except OSError:
        raise InvalidInput("--file cannot be read", code="not_found", details="--file") from None


def _counted(handle: Any, advance: Any) -> Any:
    try:
        for line in handle:
            advance(len(line.encode("utf-8")))
            yield line
    except UnicodeDecodeError:
        raise InvalidInput("--file is not UTF-8 text", code="bad_encoding") from None


def _entities_table(out: Console, document: ScanDocument) -> None:
    table = Table("type", "start", "end", "text", "score")
    for e in document["entities"]:
        table.add_row(e["type"], str(e["start"]), str(e["end"]), e["text"], f"{e['score']:.2f}")
    out.print(table if document["entities"] else "no personal information found")


def _hash_key(ctx: typer.Context) -> bytes:
    """Return the tenant's key for the hash operator, derived from the blind-index key."""
    invocation = ctx.find_root().obj
    if invocation is None or not hasattr(invocation, "runtime"):
        raise ConfigError("no runtime for the hash key", code="no_runtime")
    key: bytes = invocation.runtime().keyring.index.derive("pii-hash")
    return key


def emit(data: Any, as_json: bool, human: Callable[[Console], None] | str) -> None:
    """Write the result: one JSON document, or a human rendering, on stdout."""
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    elif isinstance(human, str):
        Console().print(human, highlight=False, markup=False)
    else:
        human(Console())


@contextmanager
def progress(description: str, total: float | None) -> Iterator[Callable[[float], None]]:
    """Show a progress bar on stderr (only on a terminal); yields `advance(n)`."""
    err = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def register(app: typer.Typer) -> None:
    """Add the PII commands to the root app."""
    app.command()(scan)
    app.command()(redact)
    app.command("redact-image")(redact_image)

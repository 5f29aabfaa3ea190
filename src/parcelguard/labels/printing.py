"""Printing labels on a station printer: choose the language, render, send, audit the send.

The labels are made exactly as for a file (`service.print_labels`: tokens, one `label.print`
event per label, naming the printer). The stream then goes to the printer, and one
`label.send` event records where it went and whether the printer took it, so the log never
claims a label reached a printer that refused it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import InvalidInput, Unavailable
from parcelguard.labels import service
from parcelguard.labels.printer_transport import PrinterTransport, transport_for
from parcelguard.labels.printers import Printer, printer_for
from parcelguard.labels.registry import PRINTER_LANGUAGES
from parcelguard.labels.renderer import DEFAULT_DPI, Progress
from parcelguard.runtime import Runtime

DEFAULT_FORMAT = "pdf"
DEFAULT_SIZE = "100x180"
Transports = Callable[[Printer], PrinterTransport]


@dataclass(frozen=True)
class Choice:
    """What the caller asked for; `None` means "the printer's setting, else the default"."""

    format: str | None = None
    size: str | None = None
    dpi: int | None = None
    printer: str | None = None


def plan(
    rt: Runtime, waybills: Sequence[str], choice: Choice
) -> tuple[service.PrintJob, Printer | None]:
    """Return the print job and the printer: flags first, then `[printers.<name>]`, defaults."""
    printer = printer_for(rt.settings, choice.printer) if choice.printer else None
    fmt = (choice.format or (printer.language if printer else None) or "").strip().lower()
    if printer is not None and not fmt:
        raise InvalidInput(
            "say what the printer speaks: --format tspl, escpos, zpl or zpl-raster, "
            "or language = … in its [printers.<name>] table",
            code="printer_language_missing",
            details={"languages": list(PRINTER_LANGUAGES)},
        )
    if printer is not None and fmt not in PRINTER_LANGUAGES:
        raise InvalidInput(
            "a printer takes tspl, escpos, zpl or zpl-raster, not a document format",
            code="not_a_printer_language",
            details={"languages": list(PRINTER_LANGUAGES)},
        )
    stock = printer.stock.value if printer and printer.stock else None
    job = service.PrintJob(
        waybills,
        fmt or DEFAULT_FORMAT,
        choice.size or stock or DEFAULT_SIZE,
        choice.dpi or (printer.dpi if printer else None) or DEFAULT_DPI,
        printer.name if printer else None,
    )
    return job, printer


def send(
    rt: Runtime,
    actor: Actor,
    job: service.PrintJob,
    printer: Printer,
    *,
    shelf: bool = False,
    progress: Progress | None = None,
    transports: Transports = transport_for,
) -> tuple[list[bytes], dict[str, Any]]:
    """Render the labels of `job`, send them to `printer`; return the documents and a summary."""
    job = replace(job, printer=printer.name)
    if shelf:
        documents = service.print_shelf_labels(rt, actor, job)
    else:
        documents = service.print_labels(rt, actor, job, progress=progress)
    stream = b"".join(documents)
    summary = {
        "printer": printer.name,
        "format": job.format,
        "dpi": job.dpi,
        "size": "60x40" if shelf else job.size,
        "labels": len(dict.fromkeys(w.strip() for w in job.waybills)),
        "bytes": len(stream),
    }
    try:
        transports(printer).send(stream)
    except Unavailable as exc:
        _audit(rt, actor, printer, {**summary, "outcome": "failed", "error": exc.code})
        raise
    _audit(rt, actor, printer, {**summary, "outcome": "sent"})
    return documents, summary


def _audit(rt: Runtime, actor: Actor, printer: Printer, details: dict[str, Any]) -> None:
    """Record one `label.send` in its own transaction (the labels' own events are committed)."""
    entry = Entry(
        "label.send",
        "printer",
        printer.name,
        reason=details.get("error"),
        details={**details, "url": str(printer.url)},
    )
    with rt.db.session() as session:
        auditor_for(rt).record(session, actor, entry)

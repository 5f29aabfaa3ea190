"""Opening an untrusted XLSX workbook: refuse archive bombs and damaged files, then stream.

The one guard every reader of uploaded workbooks goes through (shipment import, leak trace).
An XLSX file is a zip archive: before openpyxl inflates anything, the sizes its directory
declares are added up and compared with what a real workbook of that size could inflate to.
The workbook is then opened read-only (openpyxl streams the sheet XML row by row), from a
file handle when the caller has one (openpyxl refuses a *path* without an .xlsx extension).
Messages name the file by the label the caller gives, never by its content.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from parcelguard.errors import InvalidInput, TooLarge

MIB = 1 << 20


@dataclass(frozen=True)
class Inflation:
    """How far a workbook may inflate: `floor` always, else `ratio` × its size, never `ceiling`.

    Real sheets compress about tenfold (a million-row export: 82 MiB → 803 MiB); a zip bomb
    a thousandfold.
    """

    floor: int
    ratio: int = 0
    ceiling: int | None = None
    error: type[InvalidInput] = TooLarge

    def allowed(self, size_on_disk: int) -> int:
        """Return the inflated size allowed for a workbook of `size_on_disk` bytes."""
        allowed = max(self.floor, self.ratio * size_on_disk)
        return allowed if self.ceiling is None else min(allowed, self.ceiling)


def check_inflation(path: Path, label: str, limit: Inflation) -> int:
    """Return the size the archive declares inflated; refuse a non-archive or a bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput(f"{label} is not an XLSX workbook", code="bad_file") from None
    allowed = limit.allowed(path.stat().st_size)
    if inflated > allowed:
        raise limit.error(
            f"{label} inflates to {inflated // MIB} MiB (at most {allowed // MIB} MiB for a "
            "file of its size); refused",
            code="too_large",
        )
    return inflated


def open_workbook(path: Path, label: str, limit: Inflation, source: IO[bytes] | None = None) -> Any:
    """Check the archive at `path`, then open the workbook read-only (from `source` if given)."""
    check_inflation(path, label, limit)
    from openpyxl import load_workbook

    try:
        return load_workbook(source or path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises KeyError, ParseError, ValueError … on damaged files
        raise InvalidInput(f"{label} is not a readable XLSX workbook", code="bad_file") from None

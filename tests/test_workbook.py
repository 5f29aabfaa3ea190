"""The one XLSX guard: how far a workbook may inflate, and what is refused before openpyxl runs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from parcelguard.errors import InvalidInput, TooLarge
from parcelguard.workbook import MIB, Inflation, check_inflation, open_workbook

IMPORT = Inflation(512 * MIB, 20, 8 << 30, error=InvalidInput)
TRACE = Inflation(1 << 30)


@pytest.mark.parametrize(
    ("limit", "size_on_disk", "allowed"),
    [
        (IMPORT, 1 * MIB, 512 * MIB),  # small files: the floor
        (IMPORT, 82 * MIB, 1640 * MIB),  # a million-row export: twenty times its size
        (IMPORT, 1 << 30, 8 << 30),  # never beyond the ceiling
        (TRACE, 82 * MIB, 1 << 30),  # flat
    ],
)
def test_allowed_inflation(limit: Inflation, size_on_disk: int, allowed: int) -> None:
    assert limit.allowed(size_on_disk) == allowed


def claiming(path: Path, size: int) -> Path:
    """Write a tiny zip whose directory claims a member of `size` bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"")
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("limit", "error"), [(IMPORT, InvalidInput), (TRACE, TooLarge)])
def test_a_bomb_is_refused_with_the_callers_error(
    tmp_path: Path, limit: Inflation, error: type[InvalidInput]
) -> None:
    with pytest.raises(error) as refused:
        check_inflation(claiming(tmp_path / "b.xlsx", 0xFFFFFFF0), "leak.xlsx", limit)
    assert refused.value.code == "too_large" and "leak.xlsx inflates to 4095 MiB" in str(
        refused.value
    )


def test_not_an_archive_and_a_damaged_workbook_are_bad_files(tmp_path: Path) -> None:
    text = tmp_path / "t.xlsx"
    text.write_text("name,phone\n")
    with pytest.raises(InvalidInput, match=r"t\.xlsx is not an XLSX workbook") as refused:
        open_workbook(text, "t.xlsx", TRACE)
    assert refused.value.code == "bad_file"
    empty = claiming(tmp_path / "e.xlsx", 0)
    with pytest.raises(InvalidInput, match="not a readable XLSX workbook"):
        open_workbook(empty, "e.xlsx", TRACE)

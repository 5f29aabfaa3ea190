"""Malformed, huge, wrongly encoded and malicious import files get clear errors, never crashes."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcelguard.errors import InvalidInput
from parcelguard.vault.readers import MAX_XLSX_UNCOMPRESSED, RawRow, read_rows
from parcelguard.vault.rows import RowError, ShipmentInput, validate_row
from parcelguard.vault.synthetic import Faker

TODAY = date(2026, 11, 2)
HEADER = "收货人姓名,联系手机,收货地址,寄件人,寄件人电话,寄件地址,身份证号,下单时间\n"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_everything(path: Path) -> list[RawRow]:
    """Read and validate every row; only InvalidInput may escape (a whole-file problem)."""
    try:
        rows = list(read_rows(path))
    except InvalidInput:
        return []
    for raw in rows:
        result = validate_row(raw, TODAY)
        if isinstance(result, list):
            assert all(isinstance(e, RowError) and e.row == raw.row for e in result)
        else:
            assert isinstance(result, ShipmentInput)
    return rows


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_as_csv(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    read_everything(_write(tmp_path_factory.mktemp("f"), "x.csv", data))


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_after_a_valid_header(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = _write(tmp_path_factory.mktemp("f"), "x.csv", HEADER.encode() + data)
    read_everything(path)


@FUZZ
@given(
    st.lists(st.lists(st.text(max_size=40), max_size=10), max_size=20),
    st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]),
)
def test_arbitrary_cells_in_every_encoding(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], encoding: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER.strip().split(","))
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, "replace")
    read_everything(_write(tmp_path_factory.mktemp("f"), "x.csv", data))


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_as_jsonl(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    read_everything(_write(tmp_path_factory.mktemp("f"), "x.jsonl", data))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "收货人姓名",
                    "联系手机",
                    "收货地址",
                    "sender_name",
                    "sender_phone",
                    "sender_address",
                    "created_at",
                    "sender_id_no",
                ]
            ),
            json_values,
        ),
        max_size=10,
    )
)
def test_arbitrary_json_objects(
    tmp_path_factory: pytest.TempPathFactory, objects: list[dict]
) -> None:
    data = "\n".join(json.dumps(o, ensure_ascii=False) for o in objects).encode()
    read_everything(_write(tmp_path_factory.mktemp("f"), "x.jsonl", data))


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_as_xlsx(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    read_everything(_write(tmp_path_factory.mktemp("f"), "x.xlsx", data))


def test_huge_field_and_many_columns_are_rejected_per_row(tmp_path: Path) -> None:
    row = dict(next(iter(Faker(3).rows(1))))
    row["recipient_name"] = "张" * 100_000
    row["recipient_address"] = "浙江省杭州市" + "啊" * 500_000
    lines = [",".join(row), ",".join(row.values()) + "," * 50_000]
    path = _write(tmp_path, "huge.csv", "\n".join(lines).encode())
    rows = read_everything(path)
    result = validate_row(rows[0], TODAY)
    assert isinstance(result, list)
    assert {e.code for e in result} == {"too_long"}


def test_a_field_over_the_csv_limit_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "giant.csv", HEADER.encode() + b'"' + b"x" * (2 << 20) + b'"\n')
    read_everything(path)


def zip_bomb(path: Path, mib: int) -> Path:
    """Write a real zip bomb: one sheet entry of `mib` MiB of zeros, deflated to ~1/1000."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        zeros = b"\0" * (1 << 20)
        for _ in range(mib):
            entry.write(zeros)
    return path


def test_zip_bomb_as_xlsx_is_refused_before_inflating(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx", (MAX_XLSX_UNCOMPRESSED >> 20) + 8)
    assert path.stat().st_size < 2 << 20  # under a megabyte or two on disk
    with pytest.raises(InvalidInput) as refused:
        list(read_rows(path))
    assert refused.value.code == "too_large"


def test_many_small_entries_that_add_up_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    zeros = b"\0" * (8 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range((MAX_XLSX_UNCOMPRESSED >> 23) + 2):
            archive.writestr(f"xl/media/image{i}.bin", zeros)
    with pytest.raises(InvalidInput) as refused:
        list(read_rows(path))
    assert refused.value.code == "too_large"


def test_zip_bomb_through_the_cli(cli, tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx", (MAX_XLSX_UNCOMPRESSED >> 20) + 1)
    result = cli("import", str(path), "--json")
    assert result.code == 1
    assert result.json["error"]["code"] == "too_large"


def _xlsx_with(tmp_path: Path, name: str, replace: dict[str, bytes]) -> Path:
    from openpyxl import Workbook

    good = tmp_path / "good.xlsx"
    book = Workbook()
    book.active.append(HEADER.strip().split(","))  # type: ignore[union-attr]
    book.save(good)
    path = tmp_path / name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            if info.filename in replace:
                if replace[info.filename]:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info, src.read(info))
    return path


@pytest.mark.parametrize(
    "damage",
    [
        {"[Content_Types].xml": b""},
        {"xl/workbook.xml": b"<nope"},
        {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c><<<"},
    ],
)
def test_damaged_workbook_is_a_clear_error(tmp_path: Path, damage: dict[str, bytes]) -> None:
    path = _xlsx_with(tmp_path, "damaged.xlsx", damage)
    with pytest.raises(InvalidInput):
        list(read_rows(path))

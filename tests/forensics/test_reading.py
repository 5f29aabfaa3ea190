"""Reading leaked material: any column order, encodings, delimiters, XLSX sheets, pasted text."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from parcelguard.forensics.cells import damaged_pattern, kind_of, masked_pattern
from parcelguard.forensics.columns import sniff
from parcelguard.forensics.extract import PersonExtractor
from parcelguard.forensics.leak_reader import LeakRow, read_leak, sniff_delimiter
from parcelguard.forensics.people import LeakedPerson

ZHANG = ("张伟", "13812345678", "浙江省杭州市西湖区文三路478号华星大厦3栋2单元1502室")
LI = ("欧阳娜娜", "15900001111", "江苏省南京市玄武区中山路18号")


def people(path: Path) -> list[LeakedPerson]:
    return [p for _row, found in PersonExtractor().rows(read_leak(path)) for p in found]


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("13812345678", "phone"),
        ("+86 138-1234-5678", "phone"),
        ("１３８１２３４５６７８", "phone"),
        ("0571-88889999", "phone"),
        ("138****5678", "masked_phone"),
        ("138******78", "masked_phone"),
        ("0571-******99", "masked_phone"),
        ("张伟", "name"),
        ("欧阳娜娜", "name"),
        ("张*", "masked_name"),
        ("王某", "masked_name"),
        ("浙江省杭州市西湖区文三路478号", "address"),
        ("收件人张伟，电话13812345678，文三路478号", "text"),
        ("好评返现", None),
        ("2026-08-01", None),
        ("", None),
    ],
)
def test_cells_are_classified_by_content(cell: str, kind: str | None) -> None:
    assert kind_of(cell) == kind


def test_masked_and_damaged_phones_keep_their_visible_digits() -> None:
    pattern = masked_pattern("138****5678")
    assert pattern is not None and pattern.fits("138******78") and not pattern.fits("139******78")
    assert pattern.fits_phone("13812345678") and not pattern.fits_phone("13812345670")
    damaged = damaged_pattern("1381234567")  # a digit lost
    assert damaged is not None and damaged.fits("138******67")
    assert damaged.fits("138******67 转 ****")  # a privacy number stored with its extension
    assert masked_pattern("********") is None


def test_repr_never_shows_values() -> None:
    found = people_from_text("张伟 13812345678 浙江省杭州市西湖区文三路478号")
    assert found and "138" not in repr(found[0]) and "张" not in repr(found[0])
    assert "138" not in repr(masked_pattern("138****5678"))


def people_from_text(text: str) -> list[LeakedPerson]:
    from parcelguard.forensics.text_people import TextPeople

    return TextPeople().people(1, text)


def write(
    path: Path, lines: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(lines)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_csv_in_any_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    lines = [["地址", "备注", "手机", "名字"]]
    lines += [
        [ZHANG[2], "老客户", ZHANG[1], ZHANG[0]],
        ["合计", "", "", ""],
        [LI[2], "", LI[1], LI[0]],
    ]
    found = people(write(tmp_path / "l.csv", lines, encoding=encoding, delimiter=delimiter))
    assert [(p.name, p.phone.national if p.phone else None) for p in found] == [
        (ZHANG[0], ZHANG[1]),
        (LI[0], LI[1]),
    ]
    assert found[0].address == ZHANG[2] and found[0].row == 2


def test_columns_are_found_without_a_header_in_any_order(tmp_path: Path) -> None:
    lines = [["VIP", LI[1], LI[2], LI[0]], ["", ZHANG[1], ZHANG[2], ZHANG[0]]] * 5
    found = people(write(tmp_path / "l.csv", lines))
    assert len(found) == 10 and found[0].name == LI[0] and found[0].row == 1


def test_masked_values_and_typos_are_kept_for_matching(tmp_path: Path) -> None:
    lines = [["收货人", "联系电话", "收货地址"]]
    lines += [
        ["张伟", "138****5678", ZHANG[2]],
        ["张*", "13812345678", ZHANG[2]],
        ["张 伟", "1381234567", ZHANG[2]],
    ]
    masked, masked_name, damaged = people(write(tmp_path / "l.csv", lines))
    assert masked.phone is None and masked.pattern is not None and masked.name == "张伟"
    assert masked_name.name_masked and masked_name.phone is not None
    assert damaged.phone is None and damaged.pattern is not None and damaged.name == "张伟"
    assert masked.masked() == {"name": "张*", "phone": "138******78"}


def test_two_people_per_row_sender_and_recipient(tmp_path: Path) -> None:
    lines = [["寄件人", "寄件电话", "寄件地址", "收件人", "收件电话", "收件地址"]]
    lines += [[*ZHANG, *LI]] * 3
    found = people(write(tmp_path / "l.csv", lines))
    assert [p.name for p in found[:2]] == [ZHANG[0], LI[0]]


def test_xlsx_every_sheet_and_numeric_phones(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    first.append(["手机", "姓名", "地址"])
    first.append([int(ZHANG[1]), ZHANG[0], ZHANG[2]])
    second = book.create_sheet("南京")
    second.append([LI[2], LI[0], float(LI[1])])
    second.append([LI[2], LI[0], float(LI[1])])
    book.save(tmp_path / "l.xlsx")
    found = people(tmp_path / "l.xlsx")
    assert [p.phone.national for p in found if p.phone] == [ZHANG[1], LI[1], LI[1]]


def test_pasted_text_lines(tmp_path: Path) -> None:
    text = (
        "收件人：张伟 电话：13812345678 地址：浙江省杭州市西湖区文三路478号\n"
        "今天天气不错\n"
        "欧阳娜娜 159****1111 江苏省南京市玄武区中山路18号\n"
    )
    (tmp_path / "p.txt").write_text(text, encoding="utf-8")
    found = people(tmp_path / "p.txt")
    assert [p.name for p in found] == ["张伟", "欧阳娜娜"]
    assert found[0].phone is not None and found[1].pattern is not None and found[1].row == 3


def test_a_table_without_recognisable_columns_is_read_as_text() -> None:
    rows = [LeakRow(i, ("客户", f"张伟 {ZHANG[1]} 杭州")) for i in range(1, 4)]
    layout = sniff(rows)
    assert "text" in layout.roles


def test_delimiter_sniffing_ignores_free_text() -> None:
    assert sniff_delimiter("张伟，13812345678，杭州\n李四，13900001111，南京\n") is None
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","


def test_old_xls_is_refused_with_a_typed_error(tmp_path: Path) -> None:
    from parcelguard.errors import InvalidInput

    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(InvalidInput) as caught:
        list(read_leak(tmp_path / "old.xls"))
    assert caught.value.code == "bad_file"

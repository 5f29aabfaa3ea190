"""Import: encodings, aliases, validation errors by row and field, idempotence, strict mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from tests.conftest import write_csv

from parcelguard.vault.synthetic import Faker

ECOMMERCE_HEADERS = [
    "订单号",
    "收货人姓名",
    "联系手机",
    "收货地址",
    "寄件人",
    "寄件人电话",
    "寄件地址",
    "快递单号",
]


def rows(n: int, seed: int = 1) -> list[dict[str, str]]:
    return list(Faker(seed).rows(n))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_supported_encoding_imports(cli, tmp_path: Path, encoding: str) -> None:
    data = rows(5)
    path = write_csv(tmp_path / "s.csv", data, encoding=encoding)
    result = cli("import", str(path), "--json")
    assert result.code == 0, result.stdout
    assert result.json["imported"] == 5
    assert result.json["waybills"] == [r["waybill_no"] for r in data]


def test_ecommerce_chinese_headers_map_to_fields(cli, tmp_path: Path) -> None:
    data = rows(3)
    fields = [
        "carrier",
        "recipient_name",
        "recipient_phone",
        "recipient_address",
        "sender_name",
        "sender_phone",
        "sender_address",
        "waybill_no",
    ]
    shaped = [{f: r[f] for f in fields} for r in data]
    path = write_csv(tmp_path / "taobao.csv", shaped, headers=ECOMMERCE_HEADERS)
    result = cli("import", str(path), "--json")
    assert result.json["imported"] == 3
    shown = cli("show", data[0]["waybill_no"], "--json").json
    assert (
        shown["recipient"]["phone"]
        == data[0]["recipient_phone"][:3] + "******" + data[0]["recipient_phone"][-2:]
    )


def test_bad_rows_are_reported_by_row_field_and_code_and_good_rows_land(
    cli, tmp_path: Path
) -> None:
    data = rows(6)
    data[1]["recipient_phone"] = "12345"
    data[2]["sender_name"] = ""
    data[3]["recipient_address"] = "火星基地一号舱"
    data[4]["sender_id_no"] = "110105194912310021"  # wrong check digit
    data[5]["recipient_name"] = "名" * 65
    path = write_csv(
        tmp_path / "bad.csv", [{**r, "sender_id_no": r.get("sender_id_no", "")} for r in data]
    )
    result = cli("import", str(path), "--json")
    assert result.code == 3
    report = result.json
    assert report["imported"] == 1 and report["rejected"] == 5
    found = {(e["row"], e["field"], e["code"]) for e in report["errors"]}
    assert found == {
        (3, "recipient_phone", "invalid_phone"),
        (4, "sender_name", "missing_field"),
        (5, "recipient_address", "unknown_region"),
        (6, "sender_id_no", "invalid_id_number"),
        (7, "recipient_name", "too_long"),
    }
    assert "12345" not in result.stdout  # errors name fields, never values


def test_phone_forms_are_normalized_before_validation(cli, tmp_path: Path) -> None:
    data = rows(4)
    data[0]["recipient_phone"] = "+86 138-1234-5678"
    data[1]["recipient_phone"] = "１３９００００１１１１"
    data[2]["recipient_phone"] = "0086 13700001111"
    data[3]["recipient_phone"] = "0571-88886666"
    path = write_csv(tmp_path / "phones.csv", data)
    assert cli("import", str(path), "--json").json["imported"] == 4
    assert cli("find", "--phone", "13812345678", "--json").json["waybills"] == [
        data[0]["waybill_no"]
    ]
    assert cli("find", "--phone", "13900001111", "--json").json["waybills"] == [
        data[1]["waybill_no"]
    ]
    assert cli("find", "--phone", "057188886666", "--json").json["waybills"] == [
        data[3]["waybill_no"]
    ]


def test_rerunning_the_same_file_imports_nothing_twice(cli, tmp_path: Path) -> None:
    data = rows(10)
    for r in data[:5]:
        r.pop("waybill_no")  # generated waybills must not duplicate either
    path = write_csv(
        tmp_path / "again.csv", [{**r, "waybill_no": r.get("waybill_no", "")} for r in data]
    )
    first = cli("import", str(path), "--assign-waybills", "--json").json
    second = cli("import", str(path), "--assign-waybills", "--json").json
    assert first["imported"] == 10
    assert second["imported"] == 0 and second["skipped"] == 10 and second["rejected"] == 0


def test_same_waybill_with_different_content_is_a_duplicate(cli, tmp_path: Path) -> None:
    data = rows(2)
    data[1]["waybill_no"] = data[0]["waybill_no"]
    path = write_csv(tmp_path / "dup.csv", data)
    report = cli("import", str(path), "--json").json
    assert report["imported"] == 1
    # The contract's four keys, plus the user's column and the (non-personal) value.
    assert report["errors"] == [
        {
            "row": 3,
            "field": "waybill_no",
            "code": "duplicate_waybill",
            "message": "this waybill number already exists",
            "column": "waybill_no",
            "value": data[0]["waybill_no"],
        }
    ]


def test_strict_import_is_all_or_nothing(cli, tmp_path: Path) -> None:
    data = rows(5)
    data[4]["recipient_phone"] = "000"
    path = write_csv(tmp_path / "strict.csv", data)
    result = cli("import", str(path), "--strict", "--json")
    assert result.code == 3
    assert result.json["imported"] == 0 and result.json["rejected"] == 1
    assert cli("show", data[0]["waybill_no"], "--json").code == 1


def test_xlsx_first_sheet_imports_with_numeric_phone_cells(cli, tmp_path: Path) -> None:
    data = rows(3)
    book = Workbook()
    sheet = book.active
    fields = list(data[0].keys())
    sheet.append(fields)
    for r in data:
        sheet.append([int(r[f]) if f.endswith("phone") else r.get(f, "") for f in fields])
    path = tmp_path / "orders.xlsx"
    book.save(path)
    result = cli("import", str(path), "--json")
    assert result.json["imported"] == 3, result.stdout


def test_jsonl_reports_line_numbers(cli, tmp_path: Path) -> None:
    data = rows(3)
    lines = [
        json.dumps(data[0], ensure_ascii=False),
        "not json",
        "",
        json.dumps({**data[2], "sender_phone": "1"}, ensure_ascii=False),
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = cli("import", str(path), "--json").json
    assert report["imported"] == 1
    assert {(e["row"], e["code"]) for e in report["errors"]} == {
        (2, "invalid_json"),
        (4, "invalid_phone"),
    }


def test_missing_required_column_is_a_clear_error(cli, tmp_path: Path) -> None:
    path = tmp_path / "nocol.csv"
    path.write_text("收件人,收件人电话\n张三,13800000000\n", encoding="utf-8")
    result = cli("import", str(path), "--json")
    assert result.code == 1
    assert result.json["error"]["code"] == "missing_column"
    assert "recipient_address" in result.json["error"]["message"]


def test_undecodable_bytes_reject_only_their_row(cli, tmp_path: Path) -> None:
    data = rows(2)
    path = write_csv(tmp_path / "enc.csv", data)
    raw = path.read_bytes().replace(data[1]["sender_name"].encode(), b"\xff\xfe\xfd")
    path.write_bytes(raw)
    report = cli("import", str(path), "--json").json
    assert report["imported"] == 1
    assert report["errors"][0]["code"] == "bad_encoding" and report["errors"][0]["row"] == 3

"""Import rules: never invent waybills, explicit and saved mappings, dry runs, the rejected-rows
file, sheets and title rows, default senders, plain-field validation on import and in the API."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from parcelguard.audit.bus import InProcessBus
from parcelguard.clock import FixedClock
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Shipment
from parcelguard.vault.synthetic import Faker
from tests.imports.conftest import SENDER, STATION_SENDER, Result, cli_for, shop_runtime
from tests.imports.test_platforms import stored

ORDER_HEADERS = ["订单编号", "收货人姓名", "联系手机", "收货地址", "物流编号"]


def orders(
    tmp_path: Path, count: int = 3, *, waybills: bool = True, name: str = "o.csv"
) -> tuple[Path, list[dict[str, str]]]:
    """Write a shop export whose waybill column has a name nobody uses (物流编号)."""
    rows = list(Faker(5).rows(count))
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ORDER_HEADERS if waybills else ORDER_HEADERS[:-1])
        for i, r in enumerate(rows):
            cells = [f"T{i}", r["recipient_name"], r["recipient_phone"], r["recipient_address"]]
            writer.writerow(cells + ([r["waybill_no"]] if waybills else []))
    return path, rows


def count(rt: Runtime) -> int:
    with rt.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Shipment)) or 0)


def test_no_waybill_column_is_refused_with_the_headers_and_how_to_map(
    run: Callable[..., Result], shop: Runtime, tmp_path: Path
) -> None:
    path, _ = orders(tmp_path)
    result = run("import", str(path), "--json")
    assert result.code == 1
    error = result.json["error"]
    assert error["code"] == "no_waybill_column"
    assert "物流编号" in error["details"]["closest"]  # the closest known name, found
    assert (
        "--map '物流编号=waybill'" in error["message"] and "--assign-waybills" in error["message"]
    )
    assert "收货人姓名" in error["message"]  # the headers found
    assert count(shop) == 0  # nothing invented, nothing stored


def test_explicit_mapping_keeps_the_carriers_numbers(
    run: Callable[..., Result], shop: Runtime, tmp_path: Path
) -> None:
    path, rows = orders(tmp_path)
    report = run("import", str(path), "--map", "物流编号=waybill", "--json").json
    assert report["waybills"] == [r["waybill_no"] for r in rows]
    assert report["file"]["mapping"]["waybill_no"] == "物流编号"


def test_a_saved_mapping_applies_to_its_layout(
    home: Path, database_url: str, clock: FixedClock, bus: InProcessBus, tmp_path: Path
) -> None:
    saved = {"mappings": {"default": {"物流编号": "waybill_no"}}}
    rt = shop_runtime(home, database_url, clock, bus, **{"import": saved})
    try:
        path, rows = orders(tmp_path)
        report = cli_for(rt)("import", str(path), "--json").json
        assert report["waybills"] == [r["waybill_no"] for r in rows]
    finally:
        rt.close()


def test_assigned_waybills_only_when_asked(
    run: Callable[..., Result], shop: Runtime, tmp_path: Path
) -> None:
    path, _ = orders(tmp_path, waybills=False)
    report = run("import", str(path), "--assign-waybills", "--json").json
    assert report["imported"] == 3
    assert all(w.startswith("PG") for w in report["waybills"])


def test_empty_waybill_cells_are_refused_by_row(run: Callable[..., Result], tmp_path: Path) -> None:
    path, _ = orders(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ","  # row 3 has no waybill number
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run("import", str(path), "--map", "物流编号=waybill", "--json").json
    assert report["imported"] == 2
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [
        (3, "物流编号", "missing_field")
    ]


def test_dry_run_shows_mapping_and_counts_and_stores_nothing(
    run: Callable[..., Result], shop: Runtime, tmp_path: Path
) -> None:
    path, _ = orders(tmp_path, 4)
    text = path.read_text(encoding="utf-8").replace(",T3,", ",T3,").splitlines()
    text[4] = text[4].replace(text[4].split(",")[2], "12345")  # row 5: a bad phone
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = run("import", str(path), "--map", "物流编号=waybill", "--dry-run", "--json")
    report = result.json
    assert result.code == 3
    assert (report["dry_run"], report["imported"], report["would_import"]) == (True, 0, 3)
    assert report["errors"][0]["row"] == 5 and report["errors"][0]["column"] == "联系手机"
    assert report["file"]["mapping"]["recipient_phone"] == "联系手机"
    assert count(shop) == 0
    human = run("import", str(path), "--map", "物流编号=waybill", "--dry-run")
    assert "联系手机 → recipient_phone" in human.stdout
    assert "would import 3" in human.stdout and count(shop) == 0


def test_rejected_rows_file_is_masked_and_formula_safe(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path, rows = orders(tmp_path)
    bad_name = '=HYPERLINK("x")' + rows[1]["recipient_name"]
    text = path.read_text(encoding="utf-8").replace(rows[1]["recipient_phone"], "1380013800")
    path.write_text(text.replace(rows[1]["recipient_name"], bad_name, 1), encoding="utf-8")
    bad = tmp_path / "bad-rows.csv"
    result = run("import", str(path), "--map", "物流编号=waybill", "--errors", str(bad), "--json")
    assert result.code == 3
    assert oct(bad.stat().st_mode & 0o777) == "0o600"
    with bad.open(encoding="utf-8-sig") as fh:
        written = list(csv.reader(fh))
    assert written[0] == [*ORDER_HEADERS, "错误行号", "错误列", "错误原因"]
    assert len(written) == 2 and written[1][5] == "3" and written[1][6] == "联系手机"
    assert "1380013800" not in bad.read_text(encoding="utf-8-sig")
    assert rows[1]["recipient_address"] not in bad.read_text(encoding="utf-8-sig")
    assert not written[1][1].startswith("=")  # never a live formula


def test_unmasked_rejects_can_be_fixed_and_reimported_idempotently(
    run: Callable[..., Result], shop: Runtime, tmp_path: Path, agent_key: str
) -> None:
    path, rows = orders(tmp_path)
    good_phone = rows[1]["recipient_phone"]
    path.write_text(
        path.read_text(encoding="utf-8").replace(good_phone, "1380013800"), encoding="utf-8"
    )
    bad = tmp_path / "fix-me.csv"
    args = ["import", str(path), "--map", "物流编号=waybill", "--errors", str(bad)]
    first = run(*args, "--unmasked", "--api-key", agent_key, "--json").json
    assert first["imported"] == 2 and first["rejected"] == 1
    assert "1380013800" in bad.read_text(encoding="utf-8-sig")  # as read, to be fixed
    bad.write_text(
        bad.read_text(encoding="utf-8-sig").replace("1380013800", good_phone), encoding="utf-8"
    )
    fixed = run("import", str(bad), "--map", "物流编号=waybill", "--json").json
    assert (fixed["imported"], fixed["rejected"]) == (1, 0)
    again = run("import", str(path), "--map", "物流编号=waybill", "--json").json
    assert (again["imported"], again["skipped"]) == (0, 2)  # the same rows never land twice
    assert count(shop) == 3


def test_the_sheet_holding_the_orders_is_picked_and_named(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    rows = list(Faker(8).rows(2))
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本文件由店铺后台导出"])
    goods = book.create_sheet("商品明细")
    goods.append(["商品名称", "数量"])
    sheet = book.create_sheet("订单")
    sheet.append(["订单导出 2026-11-01"])  # a title row above the header
    sheet.append(["快递单号", "收件人", "收件人手机", "收件人地址"])
    for r in rows:
        sheet.append(
            [
                r["waybill_no"],
                r["recipient_name"],
                int(r["recipient_phone"]),
                r["recipient_address"],
            ]
        )
    path = tmp_path / "multi.xlsx"
    book.save(path)
    report = run("import", str(path), "--json").json
    assert report["imported"] == 2
    assert (report["file"]["sheet"], report["file"]["header_row"]) == ("订单", 2)
    assert report["file"]["sheets"] == ["说明", "商品明细", "订单"]
    human = run("import", str(path), "--dry-run")
    assert "sheet '订单' (also: 说明, 商品明细)" in human.stdout


def test_default_sender_is_the_stations_own_when_it_has_one(
    run: Callable[..., Result], shop: Runtime, tmp_path: Path
) -> None:
    rows = list(Faker(9).rows(2))
    path = tmp_path / "s.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["运单号", "收件人", "收件人电话", "收件地址", "驿站"])
        writer.writerow(
            [
                rows[0]["waybill_no"],
                "王小明",
                rows[0]["recipient_phone"],
                rows[0]["recipient_address"],
                "st-xihu",
            ]
        )
        writer.writerow(
            [
                rows[1]["waybill_no"],
                "李小红",
                rows[1]["recipient_phone"],
                rows[1]["recipient_address"],
                "",
            ]
        )
    assert run("import", str(path), "--json").json["imported"] == 2
    assert stored(shop, rows[0]["waybill_no"], "sender")["name"] == STATION_SENDER["name"]
    assert stored(shop, rows[1]["waybill_no"], "sender")["name"] == SENDER["name"]


def test_no_sender_columns_and_no_default_is_a_clear_error(cli, tmp_path: Path) -> None:
    path, _ = orders(tmp_path)
    result = cli("import", str(path), "--map", "物流编号=waybill", "--json")
    assert result.code == 1
    error = result.json["error"]
    assert error["code"] == "missing_column"
    assert "[sender]" in error["message"] and "sender_name" in error["message"]


def test_plain_fields_are_validated_on_import(run: Callable[..., Result], tmp_path: Path) -> None:
    rows = list(Faker(10).rows(4))
    rows[0]["waybill_no"] = "SF 1234 <b>"
    rows[1]["carrier"] = "顺丰 13812345678"
    rows[2]["station_id"] = "驿站 一号"
    rows[3]["courier_id"] = "x" * 70
    path = tmp_path / "plain.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*rows[0].keys(), "station_id", "courier_id"])
        writer.writeheader()
        writer.writerows(rows)
    report = run("import", str(path), "--json").json
    found = {(e["row"], e["field"], e["code"]) for e in report["errors"]}
    assert found == {
        (2, "waybill_no", "invalid_waybill"),
        (3, "carrier", "looks_like_personal_data"),
        (4, "station_id", "invalid_characters"),
        (5, "courier_id", "too_long"),
    }
    assert "13812345678" not in str(report["errors"])


def test_full_width_waybills_and_apostrophes_are_cleaned(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    rows = list(Faker(11).rows(1))
    rows[0]["waybill_no"] = "'ＳＦ１２３４５６７８９０"
    path = tmp_path / "w.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert run("import", str(path), "--json").json["waybills"] == ["SF1234567890"]

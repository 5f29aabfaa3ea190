"""`parcelguard label … --printer`: real shipments to a station printer, chosen by URL or config."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.labels.printer_streams import escpos_labels, tspl_labels, zpl_labels

from parcelguard.errors import ConfigError, InvalidInput
from parcelguard.labels import printing
from parcelguard.labels.printers import configured, printer_for
from parcelguard.runtime import Runtime


def _configure(rt: Runtime, **tables: dict[str, object]) -> None:
    """Give the runtime these `[printers.<name>]` tables, as config.toml would."""
    rt.settings.sections["printers"] = tables


def test_named_printer_from_config_prints_a_label_that_scans(
    cli, rt, imported, printer, decode, client, audit_log
) -> None:
    _configure(
        rt, station1={"url": printer.url, "language": "tspl", "dpi": 300, "stock": "100x150"}
    )
    waybill = imported[0]["waybill_no"]
    result = cli("label", waybill, "--printer", "station1", "--json")
    assert result.code == 0, result.stdout
    stream = printer.job()
    assert result.json == {
        "written": [],
        "printed": {
            "printer": "station1",
            "format": "tspl",
            "dpi": 300,
            "size": "100x150",
            "labels": 1,
            "bytes": len(stream),
        },
    }
    (image,) = tspl_labels(stream, 300)
    assert image.size[1] == round(150 * 300 / 25.4)
    found = decode(image)
    assert set(found["code128"]) == {waybill}
    (url,) = found["qr"]
    assert client.get(urlsplit(url).path).status_code == 200
    (event,) = audit_log("label.print")
    assert event["details"]["printer"] == "station1"
    assert event["details"]["format"] == "tspl" and event["details"]["size"] == "100x150"
    (sent,) = audit_log("label.send")
    assert sent["target_id"] == "station1"
    assert sent["details"]["outcome"] == "sent" and sent["details"]["url"] == printer.url
    assert sent["details"]["labels"] == 1


@pytest.mark.parametrize(
    ("language", "interpret"),
    [("escpos", escpos_labels), ("zpl", zpl_labels)],
)
def test_printer_url_with_format_flag_and_a_file_too(
    cli, imported, printer, decode, tmp_path: Path, language, interpret
) -> None:
    waybills = [row["waybill_no"] for row in imported[:2]]
    out = tmp_path / f"labels.{language}"
    args = ["label", *waybills, "--printer", printer.url, "--format", language]
    result = cli(*args, "--size", "76x130", "--out", str(out), "--json")
    assert result.code == 0, result.stdout
    assert result.json["written"] == [str(out)]
    assert result.json["printed"]["printer"] == printer.url
    stream = printer.job()
    assert out.read_bytes() == stream  # the same labels, the same tokens
    images = interpret(stream)
    assert [set(decode(image)["code128"]) for image in images] == [{w} for w in waybills]


def test_unreachable_printer_fails_clearly_and_is_audited(cli, rt, imported, audit_log) -> None:
    _configure(rt, dead={"url": "tcp://127.0.0.1:9", "language": "tspl", "timeout": 2})
    waybill = imported[0]["waybill_no"]
    result = cli("label", waybill, "--printer", "dead", "--json")
    assert result.code == 1
    (sent,) = audit_log("label.send")
    assert sent["details"]["outcome"] == "failed"
    assert sent["details"]["error"] == "printer_unreachable"


def test_cups_without_lp_is_a_clear_error(
    cli, imported, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("label", imported[0]["waybill_no"], "--printer", "cups://TSC", "--format", "tspl")
    assert result.code == 1
    err = capsys.readouterr().err
    assert "lp command is not installed" in err and imported[0]["recipient_name"] not in err


def test_shelf_labels_go_to_a_printer(cli, rt, imported, printer, decode, audit_log) -> None:
    waybill = imported[0]["waybill_no"]
    assert cli("event", waybill, "at_station", "--station", "S1", "--json").code == 0
    result = cli("labels", "shelf", waybill, "--printer", printer.url, "--format", "escpos")
    assert result.code == 0, result.stdout
    (image,) = escpos_labels(printer.job())
    assert image.height == round(40 * 203 / 25.4)
    (event,) = [e for e in audit_log("label.print") if e["details"]["kind"] == "shelf"]
    assert event["details"]["printer"] == printer.url


def test_a_label_needs_a_file_or_a_printer(cli, imported) -> None:
    assert cli("label", imported[0]["waybill_no"]).code == 2


@pytest.mark.parametrize(
    ("choice", "tables", "expected"),
    [
        (printing.Choice(), {}, ("pdf", "100x180", 203, None)),
        (printing.Choice(printer="p"), {}, ("tspl", "100x150", 300, "p")),
        (printing.Choice("zpl", "76x130", 203, "p"), {}, ("zpl", "76x130", 203, "p")),
        (
            printing.Choice("escpos", printer="tcp://10.0.0.7"),
            {},
            ("escpos", "100x180", 203, "tcp://10.0.0.7:9100"),
        ),
    ],
)
def test_flags_win_over_the_printer_table_which_wins_over_defaults(
    rt, choice, tables, expected
) -> None:
    _configure(rt, p={"url": "cups://TSC", "language": "tspl", "dpi": 300, "stock": "100x150"})
    job, _ = printing.plan(rt, ["SF1"], choice)
    assert (job.format, job.size, job.dpi, job.printer) == expected


@pytest.mark.parametrize(
    ("choice", "code"),
    [
        (printing.Choice(printer="tcp://10.0.0.7"), "printer_language_missing"),
        (printing.Choice("pdf", printer="tcp://10.0.0.7"), "not_a_printer_language"),
        (printing.Choice("tspl", printer="nosuch"), "unknown_printer"),
        (printing.Choice("tspl", printer="ftp://10.0.0.7"), "invalid_printer_url"),
    ],
)
def test_what_cannot_be_printed(rt, choice, code) -> None:
    _configure(rt, p={"url": "cups://TSC"})
    with pytest.raises(InvalidInput) as caught:
        printing.plan(rt, ["SF1"], choice)
    assert caught.value.code == code
    if code == "unknown_printer":
        assert caught.value.details == {"printers": ["p"]}


@pytest.mark.parametrize(
    "table",
    [
        {"url": "http://x"},
        {"url": "tcp://10.0.0.7", "language": "pdf"},
        {"url": "tcp://10.0.0.7", "dpi": 150},
        {"url": "tcp://10.0.0.7", "stock": "A4"},
        {"url": "tcp://10.0.0.7", "colour": "red"},
        {"language": "tspl"},
    ],
)
def test_bad_printer_tables_are_config_errors(rt, table) -> None:
    _configure(rt, p=table)
    with pytest.raises(ConfigError) as caught:
        printer_for(rt.settings, "p")
    assert "[printers.p]" in caught.value.message
    assert configured(rt.settings.model_copy(update={"sections": {}})) == {}


@pytest.mark.parametrize(("fmt", "interpret"), [("tspl", tspl_labels), ("escpos", escpos_labels)])
def test_api_serves_printer_streams(client, imported, add_user, decode, fmt, interpret) -> None:
    waybill = imported[0]["waybill_no"]
    _, key = add_user("service", scope="labels")
    answer = client.get(
        f"/api/v1/shipments/{waybill}/label.{fmt}",
        params={"size": "100x150", "dpi": 300},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/octet-stream"
    assert f'filename="label-{waybill}.{fmt}"' in answer.headers["content-disposition"]
    stream = answer.content
    (image,) = interpret(stream, 300) if fmt == "tspl" else interpret(stream)
    assert set(decode(image)["code128"]) == {waybill}

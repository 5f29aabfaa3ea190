"""Printing to station printers, attacked: command injection through label text or printer
names, waybills that are really phone numbers, and what a failed print tells.

A label's text is drawn into a bitmap, so nothing typed into a shipment reaches the printer as
a command; a printer name reaches `lp` only after validation; a refused waybill opens no
connection; and no message or audit event of a print carries what the label shows.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from parcelguard.errors import ConfigError, InvalidInput
from parcelguard.labels.printers import PrinterUrl, printer_for
from parcelguard.labels.registry import renderer_for
from parcelguard.labels.samples import sample_label
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv
from tests.labels.printer_streams import Listener, escpos_labels, tspl_labels

# Printer commands a shipment's free text could carry (what an import file may hold).
COMMANDS_AS_TEXT = "示例 PRINT 99,1 SET CUTTER ON ^XZ~JR ^XA^FDX^FS"
CONTROL_TEXT = ("\r\nPRINT 99,1\r\n", "\x1b@", "\x1dV\x00", "\x00", "\x85")


@pytest.mark.parametrize("language", ["tspl", "escpos"])
def test_label_text_cannot_become_printer_commands(language: str) -> None:
    label = replace(sample_label(0), carrier=COMMANDS_AS_TEXT, contents=COMMANDS_AS_TEXT)
    stream = renderer_for(language).render(label)
    # The strict interpreters refuse any command outside the subset: one label, nothing more.
    labels = tspl_labels(stream, 203) if language == "tspl" else escpos_labels(stream)
    assert len(labels) == 1
    for text in ("PRINT 99", "SET CUTTER", label.recipient_name, label.sender_phone):
        assert text.encode() not in stream  # no text of the label travels as text at all


@pytest.mark.parametrize("language", ["tspl", "escpos", "zpl", "png"])
@pytest.mark.parametrize("text", CONTROL_TEXT)
def test_control_characters_are_refused_before_drawing(language: str, text: str) -> None:
    label = replace(sample_label(0), contents=f"日用品{text}1件")
    with pytest.raises(InvalidInput) as caught:
        renderer_for(language).render(label)
    assert caught.value.code == "invalid_label"
    assert caught.value.details == {"field": "contents"}


@pytest.mark.parametrize(
    "spec",
    [
        "cups://-dother",
        "cups://q -o x",
        "cups://q\n-o",
        "cups://q;lp",
        "cups://../etc",
        "tcp://10.0.0.7:9100/../",
        "tcp://10.0.0.7\r\nX",
        "tcp://10.0.0.\t7",
        "tcp://$(reboot)",
        "file:///dev/usb/lp0",
    ],
)
def test_printer_addresses_that_smuggle_options_are_refused(spec: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        PrinterUrl.parse(spec)
    assert caught.value.code == "invalid_printer_url"
    assert spec.strip() not in caught.value.message


def test_printer_names_in_config_are_plain(rt: Runtime) -> None:
    rt.settings.sections["printers"] = {"../../x": {"url": "tcp://10.0.0.7"}}
    with pytest.raises(ConfigError):
        printer_for(rt.settings, "../../x")


def test_a_phone_number_as_waybill_opens_no_connection(cli, rt: Runtime, tmp_path: Path) -> None:
    listener = Listener()
    try:
        rt.settings.sections["printers"] = {"p": {"url": listener.url, "language": "tspl"}}
        result = cli("label", "13912345678", "--printer", "p", "--json")
        assert result.code == 1
        assert "13912345678" not in result.stdout
        assert not listener.done.wait(0.5) and listener.jobs == []
    finally:
        listener.close()
    assert listener.jobs == []


def test_a_failed_print_says_which_printer_and_nothing_of_the_label(
    cli, rt: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(Faker(45).rows(1))
    assert cli("import", str(write_csv(rt.settings.home / "s.csv", rows)), "--json").code == 0
    shown = cli("show", rows[0]["waybill_no"], "--json").json
    rt.settings.sections["printers"] = {"dead": {"url": "tcp://127.0.0.1:9", "language": "zpl"}}
    capsys.readouterr()
    result = cli("label", rows[0]["waybill_no"], "--printer", "dead", "--json")
    assert result.code == 1
    said = result.stdout + capsys.readouterr().err
    assert "tcp://127.0.0.1:9" in said and "printer_unreachable" in said
    leaked = [
        *(
            rows[0][f"{role}_{field}"]
            for role in ("recipient", "sender")
            for field in ("name", "phone")
        ),
        *(shown[role][field] for role in ("recipient", "sender") for field in ("name", "phone")),
    ]
    assert not [value for value in leaked if value in said]

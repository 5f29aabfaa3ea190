"""ZPL II labels: one well-formed format per label, every field inside the label."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from parcelguard.errors import InvalidInput
from parcelguard.labels.content import LabelContent, LabelSize
from parcelguard.labels.samples import sample_label, sample_shelf_label
from parcelguard.labels.symbols import CODE128_QUIET, code128_runs
from parcelguard.labels.zpl_renderer import ZplRenderer

CASES = [(dpi, size) for dpi in (203, 300) for size in LabelSize]
IDS = [f"{dpi}dpi-{size.value}" for dpi, size in CASES]


def _zpl(label: LabelContent, size: LabelSize, dpi: int) -> str:
    return ZplRenderer(dpi=dpi).render(label, size).decode("utf-8")


@pytest.mark.parametrize(("dpi", "size"), CASES, ids=IDS)
def test_structure(label: LabelContent, dpi: int, size: LabelSize) -> None:
    zpl = _zpl(label, size, dpi)
    assert zpl.startswith("^XA\n^CI28\n")
    assert zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert "^CW1,E:SIMSUN.TTF" in zpl
    assert re.search(rf"\^BCN,\d+,N,N,N,A\^FD{label.waybill_no}\^FS", zpl)
    assert re.search(rf"\^BQN,2,\d+\^FDMA,{re.escape(label.qr_url)}\^FS", zpl)
    assert f"^PW{round(size.width_mm * dpi / 25.4)}" in zpl
    assert f"^LL{round(size.height_mm * dpi / 25.4)}" in zpl
    for value in (label.recipient_name, label.recipient_phone, label.sender_phone):
        assert value in zpl


@pytest.mark.parametrize(("dpi", "size"), CASES, ids=IDS)
def test_every_field_is_inside_the_label(label: LabelContent, dpi: int, size: LabelSize) -> None:
    zpl = _zpl(label, size, dpi)
    width = int(re.search(r"\^PW(\d+)", zpl)[1])  # type: ignore[index]
    height = int(re.search(r"\^LL(\d+)", zpl)[1])  # type: ignore[index]
    for x, y in re.findall(r"\^F[OT](\d+),(\d+)", zpl):
        assert 0 <= int(x) < width and 0 <= int(y) <= height
    for x, y, w, h in re.findall(r"\^FO(\d+),(\d+)\^GB(\d+),(\d+),\d+", zpl):
        assert int(x) + int(w) <= width + 1 and int(y) + int(h) <= height + 1
    modules = sum(code128_runs(label.waybill_no)) + CODE128_QUIET
    for x, module in re.findall(r"\^FO(\d+),\d+\^BY(\d+)", zpl):
        assert int(x) + modules * int(module) <= width


def test_many_labels_make_one_stream(label: LabelContent) -> None:
    labels = [sample_label(i) for i in range(4)]
    (stream,) = ZplRenderer().render_many(labels, LabelSize.MM_76X130)
    text = stream.decode("utf-8")
    assert text.count("^XA") == text.count("^XZ") == 4
    for item in labels:
        assert f"^FD{item.waybill_no}^FS" in text


def test_command_characters_are_escaped(label: LabelContent) -> None:
    tricky = replace(label, carrier="示例^XZ速递", contents="日用品~JR 1件")
    zpl = _zpl(tricky, LabelSize.MM_100X180, 203)
    assert zpl.count("^XZ") == 1
    assert "~JR" not in zpl
    assert "^FH\\^FD示例\\5EXZ速递" in zpl


def test_printer_font_is_a_parameter(label: LabelContent) -> None:
    zpl = ZplRenderer(printer_font="e:anmds.ttf").render(label).decode()
    assert "^CW1,E:ANMDS.TTF" in zpl
    with pytest.raises(InvalidInput):
        ZplRenderer(printer_font="E:X.TTF^XZ")


def test_shelf_label_zpl() -> None:
    shelf = sample_shelf_label(0)
    zpl = ZplRenderer().render_shelf(shelf).decode()
    assert zpl.startswith("^XA") and f"^FD{shelf.pickup_code}^FS" in zpl
    assert "^PW480" in zpl and "^LL320" in zpl

"""Layout: the zones stand in the standard's order and no text leaves the box it was given."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.labels.content import LabelContent, LabelSize
from parcelguard.labels.fitting import ELLIPSIS, fit_text
from parcelguard.labels.fonts import default_font
from parcelguard.labels.page import Barcode, Page, QrCode, Text
from parcelguard.labels.samples import sample_label
from parcelguard.labels.waybill_layout import GEOMETRY, waybill_page, zones_for
from parcelguard.labels.waybill_zones import Zone

TOLERANCE = 0.05  # mm: rounding of float arithmetic, far below a printer dot


def _check_inside(page: Page, size: LabelSize) -> None:
    """Every text stays inside the frame, inside its zone, and left of the QR column."""
    font = default_font()
    zones = zones_for(size)
    margin = GEOMETRY[size].margin
    qr = zones["qr"]
    stacked = [zone for name, zone in zones.items() if name != "qr"]
    for op in (op for op in page.ops if isinstance(op, Text)):
        right = op.x + font.width(op.text, op.size)
        assert op.x >= margin - TOLERANCE and right <= page.width - margin + TOLERANCE, op.text
        in_column = qr.y < op.y <= qr.bottom and op.x >= qr.x
        zone = qr if in_column else next(z for z in stacked if z.y <= op.y <= z.bottom + TOLERANCE)
        assert op.y - 0.8 * op.size >= zone.y - TOLERANCE, op.text
        beside_qr = qr.y < op.y <= qr.bottom and op.x < qr.x
        assert not beside_qr or right <= qr.x + TOLERANCE, op.text


@pytest.mark.parametrize("size", list(LabelSize))
def test_zones_follow_the_standard_order(size: LabelSize) -> None:
    zones = zones_for(size)
    order = [name for name in zones if name != "qr"]
    expected = ["header", "code", "sorting", "recipient", "sender", "contents", "signature"]
    assert order[: len(expected)] == expected
    assert order[len(expected) :] == (["stub"] if size is LabelSize.MM_100X180 else [])
    stacked = [zones[name] for name in order]
    for upper, lower in pairwise(stacked):
        assert upper.bottom == pytest.approx(lower.y)
    margin = GEOMETRY[size].margin
    assert stacked[-1].bottom == pytest.approx(size.height_mm - margin)
    assert zones["qr"].y == zones["recipient"].y and zones["qr"].bottom == zones["sender"].bottom


@pytest.mark.parametrize("size", list(LabelSize))
def test_symbols_hold_only_the_waybill_and_the_url(label: LabelContent, size: LabelSize) -> None:
    page = waybill_page(label, size, default_font())
    qrs = [op for op in page.ops if isinstance(op, QrCode)]
    bars = [op for op in page.ops if isinstance(op, Barcode)]
    assert [op.value for op in qrs] == [label.qr_url]
    assert {op.value for op in bars} == {label.waybill_no}
    assert qrs[0].x >= zones_for(size)["qr"].x
    code = zones_for(size)["code"]
    assert code.y <= bars[0].y and bars[0].y + bars[0].h <= code.bottom


@pytest.mark.parametrize("size", list(LabelSize))
@pytest.mark.parametrize("index", range(4))
def test_sample_text_stays_inside(size: LabelSize, index: int) -> None:
    _check_inside(waybill_page(sample_label(index), size, default_font()), size)


@pytest.mark.parametrize("size", list(LabelSize))
def test_long_text_stays_inside(long_label: LabelContent, size: LabelSize) -> None:
    _check_inside(waybill_page(long_label, size, default_font()), size)


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@settings(max_examples=25, deadline=None)
@given(
    address=st.text(st.one_of(cjk, st.sampled_from("0123456 -ABC")), min_size=0, max_size=160),
    name=st.text(cjk, min_size=1, max_size=12),
    contents=st.text(st.one_of(cjk, st.just(" ")), min_size=0, max_size=60),
)
def test_any_masked_text_stays_inside(address: str, name: str, contents: str) -> None:
    label = replace(
        sample_label(0),
        recipient_address=address + "***",
        sender_address=address[::-1] + "***",
        recipient_name=name + "*",
        contents=contents,
    )
    for size in LabelSize:
        _check_inside(waybill_page(label, size, default_font()), size)


def test_fit_wraps_then_shrinks_then_elides_keeping_the_mask() -> None:
    font = default_font()
    short = fit_text(font, "浙江省杭州市***", 60, 10, size=4, min_size=2, max_lines=2)
    assert short.lines == ("浙江省杭州市***",) and short.size == 4
    wrapped = fit_text(font, "浙" * 30 + "***", 60, 10, size=4, min_size=2, max_lines=2)
    assert len(wrapped.lines) == 2 and wrapped.size <= 4
    assert not wrapped.lines[0].endswith("*")  # the mask is never split across lines
    elided = fit_text(font, "浙" * 400 + "***", 60, 10, size=4, min_size=2, max_lines=2)
    assert elided.size == 2 and elided.lines[-1].endswith("***")
    assert ELLIPSIS in "".join(elided.lines)
    assert all(font.width(line, elided.size) <= 60 for line in elided.lines)


def test_zone_helpers() -> None:
    zone = Zone(2, 10, 96, 20)
    assert (zone.right, zone.bottom) == (98, 30)
    assert zone.join(Zone(2, 30, 96, 5)).h == 25
    assert zone.right_part(30).x == 68 and zone.left_part(68).w == 66


def test_a_line_refuses_a_misspelled_or_missing_style_keyword() -> None:
    from parcelguard.labels.sheet import Sheet

    sheet = Sheet(default_font(), 100, 50)
    with pytest.raises(TypeError, match="takes only"):
        sheet.line("收件人", 2, 10, 40, size=4, blod=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="needs size"):
        sheet.middle_line("收件人", 2, 10, 40, bold=True)  # type: ignore[call-arg]
    assert sheet.line("收件人", 2, 10, 40, size=4, bold=True).lines  # the right words still set

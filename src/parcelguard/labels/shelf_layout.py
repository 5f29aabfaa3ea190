"""The station shelf label (60 × 40 mm): the pickup code large, the masked name, shelf and station.

The clerk hands a parcel over by this code (or code and waybill tail), never by reading out a
phone number, so the label shows no phone at all.
"""

from __future__ import annotations

from parcelguard.clock import CHINA, as_utc
from parcelguard.labels.content import ShelfLabelContent
from parcelguard.labels.fonts import LabelFont
from parcelguard.labels.page import Page
from parcelguard.labels.sheet import Sheet

SHELF_LABEL_MM = (60.0, 40.0)
_MARGIN = 1.5
_HEADER = 8.0
_CODE = 18.0
_PAD = 1.6


def shelf_page(content: ShelfLabelContent, font: LabelFont) -> Page:
    """Lay one already-validated shelf label out."""
    width, height = SHELF_LABEL_MM
    sheet = Sheet(font, width, height)
    inner_w = width - 2 * _MARGIN
    sheet.frame(_MARGIN, _MARGIN, inner_w, height - 2 * _MARGIN, 0.35)
    _header(sheet, content, inner_w)
    code_top = _MARGIN + _HEADER
    sheet.rule(_MARGIN, code_top, inner_w, 0.3)
    sheet.line("取件码", _MARGIN + _PAD, code_top + 3.4, 12, size=2.5)
    sheet.middle_line(
        content.pickup_code,
        _MARGIN + _PAD,
        code_top + _CODE / 2 + 1.2,
        inner_w - 2 * _PAD,
        size=12.0,
        min_size=5.0,
        bold=True,
        align="center",
    )
    foot_top = code_top + _CODE
    sheet.rule(_MARGIN, foot_top, inner_w, 0.3)
    _foot(sheet, content, inner_w, (foot_top + height - _MARGIN) / 2)
    return sheet.page()


def _header(sheet: Sheet, content: ShelfLabelContent, inner_w: float) -> None:
    """Set the station name on the left and the arrival time on the right."""
    middle = _MARGIN + _HEADER / 2
    x = _MARGIN + _PAD
    sheet.middle_line(content.station_name, x, middle, inner_w * 0.6, size=3.3, bold=True)
    arrived = as_utc(content.arrived_at).astimezone(CHINA).strftime("%m-%d %H:%M 入库")
    right_x = _MARGIN + inner_w * 0.62
    sheet.middle_line(arrived, right_x, middle, inner_w * 0.38 - _PAD, size=2.5, align="right")


def _foot(sheet: Sheet, content: ShelfLabelContent, inner_w: float, middle: float) -> None:
    """Set the masked name on the left, shelf and waybill tail on the right."""
    x = _MARGIN + _PAD
    sheet.middle_line(content.recipient_name, x, middle, inner_w * 0.36, size=4.6, bold=True)
    place = f"货架 {content.shelf}　尾号 {content.waybill_tail}"
    place_x = _MARGIN + inner_w * 0.38
    sheet.middle_line(
        place, place_x, middle, inner_w * 0.62 - _PAD, size=3.3, bold=True, align="right"
    )

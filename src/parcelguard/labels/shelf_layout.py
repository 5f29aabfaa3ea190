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


def shelf_page(content: ShelfLabelContent, font: LabelFont) -> Page:
    """Lay one already-validated shelf label out."""
    width, height = SHELF_LABEL_MM
    sheet = Sheet(font, width, height)
    x, inner_w = _MARGIN, width - 2 * _MARGIN
    sheet.frame(x, _MARGIN, inner_w, height - 2 * _MARGIN, 0.35)
    pad = 1.6
    header_mid = _MARGIN + _HEADER / 2
    sheet.middle_line(content.station_name, x + pad, header_mid, inner_w * 0.6, size=3.3, bold=True)
    arrived = as_utc(content.arrived_at).astimezone(CHINA).strftime("%m-%d %H:%M 入库")
    sheet.middle_line(
        arrived, x + inner_w * 0.62, header_mid, inner_w * 0.38 - pad, size=2.5, align="right"
    )
    code_top = _MARGIN + _HEADER
    sheet.rule(x, code_top, inner_w, 0.3)
    sheet.line("取件码", x + pad, code_top + 3.4, 12, size=2.5)
    sheet.middle_line(
        content.pickup_code,
        x + pad,
        code_top + _CODE / 2 + 1.2,
        inner_w - 2 * pad,
        size=12.0,
        min_size=5.0,
        bold=True,
        align="center",
    )
    foot_top = code_top + _CODE
    sheet.rule(x, foot_top, inner_w, 0.3)
    foot_mid = (foot_top + height - _MARGIN) / 2
    sheet.middle_line(
        content.recipient_name, x + pad, foot_mid, inner_w * 0.36, size=4.6, bold=True
    )
    place = f"货架 {content.shelf}　尾号 {content.waybill_tail}"
    sheet.middle_line(
        place,
        x + inner_w * 0.38,
        foot_mid,
        inner_w * 0.62 - pad,
        size=3.3,
        bold=True,
        align="right",
    )
    return sheet.page()

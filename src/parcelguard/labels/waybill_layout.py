"""The privacy waybill, laid out in the zones of GB/T 41833-2022 from top to bottom.

Zones: header (carrier, print time), code (Code128 of the waybill number), destination and
sorting code (large), recipient and sender (masked, with the QR beside them), contents,
signature and, on the 100 × 180 mm label, the tear-off customer stub. The 100 × 150 mm label
is the 100 × 180 one without the stub; the 76 × 130 mm label keeps the same zones with smaller
type and no stub.
"""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.clock import CHINA, as_utc
from parcelguard.labels.content import LabelContent, LabelSize
from parcelguard.labels.fonts import LabelFont
from parcelguard.labels.page import Page
from parcelguard.labels.sheet import Sheet
from parcelguard.labels.waybill_zones import (
    Zone,
    contents_zone,
    party_zone,
    qr_column,
    signature_zone,
    stub_zone,
)

PRIVACY_BADGE = "隐私面单"
RELAY_BADGE = "隐私号"


@dataclass(frozen=True, slots=True)
class Geometry:
    """Zone heights (mm) of one label size; the signature zone takes what is left."""

    margin: float
    header: float
    code: float
    sorting: float
    recipient: float
    sender: float
    contents: float
    stub: float  # the tear-off customer stub at the foot; 0 for none
    qr_column: float
    scale: float  # type size relative to the 100 mm wide label


GEOMETRY = {
    LabelSize.MM_100X180: Geometry(2.0, 10.0, 27.0, 20.0, 31.0, 25.0, 14.0, 33.0, 29.0, 1.0),
    LabelSize.MM_100X150: Geometry(2.0, 10.0, 27.0, 20.0, 31.0, 25.0, 14.0, 0.0, 29.0, 1.0),
    LabelSize.MM_76X130: Geometry(1.5, 8.0, 23.0, 16.0, 28.0, 23.0, 14.0, 0.0, 23.0, 0.78),
}


def waybill_page(content: LabelContent, size: LabelSize, font: LabelFont) -> Page:
    """Lay one already-validated label out on a page of `size`."""
    s = GEOMETRY[size].scale
    sheet = Sheet(font, size.width_mm, size.height_mm)
    zones = zones_for(size)
    column = zones["qr"]
    _frame(sheet, zones, size)
    _header(sheet, content, zones["header"], s)
    _code(sheet, content, zones["code"], s)
    _sorting(sheet, content, zones["sorting"], s)
    party_zone(
        sheet,
        "收",
        content.recipient_name,
        # The relay number replaces the masked phone on the delivery part: it is what the
        # courier dials (the tear-off stub keeps the masked phone for the customer).
        relay_line(content) or content.recipient_phone,
        content.recipient_address,
        zones["recipient"].left_part(column.x),
        s,
        large=True,
    )
    party_zone(
        sheet,
        "寄",
        content.sender_name,
        content.sender_phone,
        content.sender_address,
        zones["sender"].left_part(column.x),
        s,
        large=False,
    )
    qr_column(sheet, content.qr_url, column, s)
    contents_zone(sheet, content.contents, content.weight_kg, zones["contents"], s)
    signature_zone(sheet, zones["signature"], s)
    if "stub" in zones:
        stub_zone(sheet, content, zones["stub"], s)
    return sheet.page()


def relay_line(content: LabelContent) -> str:
    """Return "隐私号 171 0571 9999 转 0427" when the parcel has a relay number, else ""."""
    return f"{RELAY_BADGE} {content.relay_number}" if content.relay_number else ""


def _frame(sheet: Sheet, zones: dict[str, Zone], size: LabelSize) -> None:
    """Draw the outer frame and the rules between the zones."""
    geometry = GEOMETRY[size]
    margin, s = geometry.margin, geometry.scale
    sheet.frame(margin, margin, sheet.width - 2 * margin, sheet.height - 2 * margin, 0.4 * s)
    for name in ("code", "sorting", "recipient", "sender", "contents", "signature"):
        zone = zones[name]
        # The QR column spans recipient and sender: the rule between them stops at its edge.
        width = zones["qr"].x - zone.x if name == "sender" else zone.w
        sheet.rule(zone.x, zone.y, width, 0.3 * s)


def zones_for(size: LabelSize) -> dict[str, Zone]:
    """Return the zones of a size, top to bottom, and `qr`: the column beside the parties."""
    geometry = GEOMETRY[size]
    x, width = geometry.margin, size.width_mm - 2 * geometry.margin
    heights = {
        "header": geometry.header,
        "code": geometry.code,
        "sorting": geometry.sorting,
        "recipient": geometry.recipient,
        "sender": geometry.sender,
        "contents": geometry.contents,
    }
    fixed = sum(heights.values()) + geometry.stub + 2 * geometry.margin
    heights["signature"] = size.height_mm - fixed  # the signature zone fills the rest
    if geometry.stub:
        heights["stub"] = geometry.stub
    zones, y = {}, geometry.margin
    for name, height in heights.items():
        zones[name] = Zone(x, y, width, height)
        y += height
    people = zones["recipient"].join(zones["sender"])
    zones["qr"] = people.right_part(geometry.qr_column)
    return zones


def _header(sheet: Sheet, content: LabelContent, zone: Zone, s: float) -> None:
    """Set the carrier left, the privacy badge right, the print time between them."""
    pad = 1.6 * s
    middle = zone.y + zone.h / 2
    badge_w = 18 * s
    badge_x = zone.right - pad - badge_w
    sheet.rule(badge_x, zone.y + 1.6 * s, badge_w, zone.h - 3.2 * s)
    sheet.middle_line(
        PRIVACY_BADGE,
        badge_x,
        middle,
        badge_w,
        size=3.6 * s,
        bold=True,
        align="center",
        inverse=True,
    )
    sheet.middle_line(content.carrier, zone.x + pad, middle, zone.w * 0.42, size=5.4 * s, bold=True)
    stamp_x = zone.x + zone.w * 0.45
    sheet.middle_line(
        _stamp(content), stamp_x, middle, badge_x - pad - stamp_x, size=2.7 * s, align="right"
    )


def _code(sheet: Sheet, content: LabelContent, zone: Zone, s: float) -> None:
    """Draw the Code128 of the waybill number with the number readable below it."""
    text_size = 3.9 * s
    bar_h = zone.h - text_size - 4.2 * s
    sheet.barcode(content.waybill_no, zone.x + 2 * s, zone.y + 1.8 * s, zone.w - 4 * s, bar_h)
    sheet.line(
        content.waybill_no,
        zone.x,
        zone.bottom - 1.4 * s,
        zone.w,
        size=text_size,
        bold=True,
        align="center",
    )


def _sorting(sheet: Sheet, content: LabelContent, zone: Zone, s: float) -> None:
    """Set the sorting code as large as the zone allows, the destination beside it."""
    pad = 2 * s
    middle = zone.y + zone.h / 2
    split = zone.x + zone.w * 0.6
    sheet.middle_line(
        content.sorting_code,
        zone.x + pad,
        middle,
        split - zone.x - pad,
        size=min(zone.h * 0.8, 14 * s),
        bold=True,
    )
    sheet.middle_line(
        content.destination,
        split + pad,
        middle,
        zone.right - split - 2 * pad,
        size=6.8 * s,
        bold=True,
        align="right",
    )


def _stamp(content: LabelContent) -> str:
    """Return the print time in China Standard Time, to the minute."""
    return as_utc(content.printed_at).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")

"""The lower zones of the waybill: recipient, sender, QR column, contents, signature, stub."""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.labels.content import LabelContent
from parcelguard.labels.sheet import ASCENT, Sheet

PRIVACY_NOTE = ("隐私面单", "扫码联系快递员")
SIGNATURE_NOTE = "快件送达收件地址，经收件人或其授权的代收人签字，即视为送达。"
CONTENTS_NOTE = "收寄件人信息已按国家标准隐藏，快递员经授权后方可查看"


@dataclass(frozen=True, slots=True)
class Zone:
    """A rectangle of the label in millimetres, origin top-left."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        """Return the right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """Return the bottom edge."""
        return self.y + self.h

    def join(self, below: Zone) -> Zone:
        """Return the zone covering this one and the one below it."""
        return Zone(self.x, self.y, self.w, below.bottom - self.y)

    def right_part(self, width: float) -> Zone:
        """Return the rightmost `width` of the zone."""
        return Zone(self.right - width, self.y, width, self.h)

    def left_part(self, until: float) -> Zone:
        """Return the part of the zone left of `until`."""
        return Zone(self.x, self.y, until - self.x, self.h)


def party_zone(
    sheet: Sheet,
    badge: str,
    name: str,
    phone: str,
    address: str,
    zone: Zone,
    s: float,
    *,
    large: bool,
) -> None:
    """Draw 收 / 寄: a badge, the masked name and phone, the masked address below."""
    pad = 1.6 * s
    side = (8.5 if large else 7.0) * s
    sheet.badge(badge, zone.x + pad, zone.y + pad, side)
    text_x = zone.x + pad + side + 2.2 * s
    text_w = zone.right - 2 * pad - text_x
    name_size = (4.9 if large else 3.9) * s
    sheet.line(
        f"{name}  {phone}",
        text_x,
        zone.y + pad + name_size * ASCENT,
        text_w,
        size=name_size,
        bold=True,
    )
    top = zone.y + pad + name_size + 1.8 * s
    sheet.block(
        address,
        text_x,
        top,
        text_w,
        zone.bottom - pad - top,
        size=(4.5 if large else 3.6) * s,
        min_size=2.3 * s,
        max_lines=4 if large else 3,
        bold=large,
    )


def qr_column(sheet: Sheet, url: str, zone: Zone, s: float) -> None:
    """Draw the QR (the token URL, nothing else) beside the parties, the note under it."""
    sheet.rule(zone.x, zone.y, 0.3 * s, zone.h)
    inner_x, inner_w = zone.x + 0.3 * s, zone.w - 0.3 * s
    side = min(inner_w - 0.6 * s, zone.h - 12 * s)
    top = zone.y + 1.2 * s
    sheet.qr(url, inner_x + (inner_w - side) / 2, top, side)
    first = top + side + 3.4 * s
    sheet.line(PRIVACY_NOTE[0], inner_x, first, inner_w, size=3.4 * s, bold=True, align="center")
    sheet.line(PRIVACY_NOTE[1], inner_x, first + 3.9 * s, inner_w - s, size=2.8 * s, align="center")


def contents_zone(
    sheet: Sheet, contents: str, weight_kg: float | None, zone: Zone, s: float
) -> None:
    """Set 物品 and 重量 on one line, the privacy remark under them."""
    pad = 2 * s
    first = zone.y + zone.h * 0.45
    split = zone.x + zone.w * 0.66
    sheet.line(
        f"物品：{contents}",
        zone.x + pad,
        first,
        split - zone.x - pad,
        size=3.5 * s,
        min_size=2.3 * s,
    )
    sheet.line(
        f"重量：{weight_text(weight_kg)}",
        split,
        first,
        zone.right - pad - split,
        size=3.5 * s,
        align="right",
    )
    sheet.line(
        f"备注：{CONTENTS_NOTE}",
        zone.x + pad,
        zone.bottom - 1.9 * s,
        zone.w - 2 * pad,
        size=2.5 * s,
        min_size=1.8 * s,
    )


def signature_zone(sheet: Sheet, zone: Zone, s: float) -> None:
    """Draw 签收 and date to fill in by hand, the delivery clause under them."""
    pad = 2 * s
    first = zone.y + min(zone.h * 0.45, 7.5 * s)
    label = sheet.line("签收人：", zone.x + pad, first, 20 * s, size=3.5 * s, bold=True)
    line_x = zone.x + pad + sheet.font.width("签收人：", label.size)
    sheet.rule(line_x, first + 0.6 * s, zone.w * 0.42 - line_x + zone.x, 0.25 * s)
    date_x = zone.x + zone.w * 0.5
    sheet.line(
        "日期：      年    月    日",
        date_x,
        first,
        zone.right - pad - date_x,
        size=3.5 * s,
        bold=True,
        align="right",
    )
    sheet.block(
        SIGNATURE_NOTE,
        zone.x + pad,
        first + 2.2 * s,
        zone.w - 2 * pad,
        zone.bottom - first - 3.2 * s,
        size=2.4 * s,
        min_size=1.8 * s,
        max_lines=2,
    )


def stub_zone(sheet: Sheet, content: LabelContent, zone: Zone, s: float) -> None:
    """Draw the customer stub: a small barcode and the masked parties behind a tear line."""
    sheet.dashes(zone.x, zone.right, zone.y, 0.35 * s, 1.6 * s)
    pad = 2 * s
    left_w = zone.w * 0.5
    sheet.barcode(content.waybill_no, zone.x + pad, zone.y + 3 * s, left_w - pad, 13 * s)
    sheet.line(
        content.waybill_no,
        zone.x + pad,
        zone.y + 20.2 * s,
        left_w - pad,
        size=3.0 * s,
        bold=True,
        align="center",
    )
    sheet.line(
        f"{content.carrier} · 客户联",
        zone.x + pad,
        zone.y + 25.6 * s,
        left_w - pad,
        size=2.6 * s,
        align="center",
    )
    _stub_parties(sheet, content, Zone(zone.x + left_w, zone.y, zone.w - left_w, zone.h), s)


def _stub_parties(sheet: Sheet, content: LabelContent, zone: Zone, s: float) -> None:
    """Set the stub's right half: masked recipient (with address), masked sender, contents."""
    pad = 2 * s
    text_x = zone.x + pad
    text_w = zone.right - pad - text_x
    sheet.badge("收", text_x, zone.y + 3 * s, 4.6 * s)
    who_x, who_w = text_x + 5.8 * s, text_w - 5.8 * s
    sheet.line(
        f"{content.recipient_name}  {content.recipient_phone}",
        who_x,
        zone.y + 6.6 * s,
        who_w,
        size=3.2 * s,
        bold=True,
    )
    sheet.block(
        content.recipient_address,
        text_x,
        zone.y + 9.2 * s,
        text_w,
        7.4 * s,
        size=2.7 * s,
        min_size=2.0 * s,
        max_lines=2,
    )
    sheet.badge("寄", text_x, zone.y + 18.6 * s, 4.6 * s)
    sheet.line(
        f"{content.sender_name}  {content.sender_phone}",
        who_x,
        zone.y + 22.2 * s,
        who_w,
        size=3.0 * s,
        bold=True,
    )
    sheet.line(f"物品：{content.contents}", text_x, zone.y + 28.4 * s, text_w, size=2.6 * s)


def weight_text(weight_kg: float | None) -> str:
    """Return the weight as printed: `1.25 kg`, or a dash when unknown."""
    if weight_kg is None:
        return "—"
    return f"{weight_kg:.2f}".rstrip("0").rstrip(".") + " kg"

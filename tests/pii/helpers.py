"""Builders for the PII tests: synthetic valid IDs, span lookups, rendered label photos."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.barcode.code128 import Code128

from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.normalize import id_check_digit

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def valid_id(first17: str = "11010519491231002") -> str:
    """Return a synthetic resident ID with a correct check digit."""
    return first17 + id_check_digit(first17)


@dataclass(frozen=True)
class LabelPhoto:
    """A rendered label photo and the personal information drawn on it in clear."""

    data: bytes
    secrets: dict[str, str]


def _barcode(draw: ImageDraw.ImageDraw, value: str, x: int, y: int) -> None:
    symbol = Code128(value)
    symbol.validate()
    symbol.encode()
    symbol.decompose()
    at = x
    for i, letter in enumerate(symbol.decomposed):
        width = (ord(letter.lower()) - ord("a") + 1) * 3
        if i % 2 == 0:
            draw.rectangle([at, y, at + width - 1, y + 100], fill="black")
        at += width


def render_label(kind: str = "JPEG", *, gps: bool = True) -> LabelPhoto:
    """Draw a label with a clear name, phone and ID, a masked sender, a QR code and a barcode."""
    secrets = {"NAME": "林思静", "PHONE": "13912345678", "ID_CARD": valid_id()}
    image = Image.new("RGB", (900, 980), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 36)
    small = ImageFont.truetype(FONT, 28)
    _barcode(draw, "SF1234567890123", 40, 30)
    lines = [
        f"收件人：{secrets['NAME']}  {secrets['PHONE']}",
        "浙江省杭州市西湖区文三路478号",
        "华星时代广场A座1502室",
        "寄件人：张*  138****5678",
        f"身份证：{secrets['ID_CARD']}",
    ]
    for i, line in enumerate(lines):
        draw.text((40, 170 + i * 70), line, fill="black", font=font if i != 3 else small)
    qr = io.BytesIO()
    segno.make("https://pg.example/s/0f3a9c2e", error="m").save(qr, kind="png", scale=8, border=2)
    image.paste(Image.open(qr).convert("RGB"), (560, 600))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[0x8825] = {1: "N", 2: (30.0, 16.0, 27.0), 3: "E", 4: (120.0, 9.0, 5.0)}
    image.save(out, kind, exif=exif.tobytes(), **({"quality": 92} if kind == "JPEG" else {}))
    return LabelPhoto(out.getvalue(), secrets)


def spans(analyzer: Analyzer, text: str, kind: str) -> list[tuple[int, int, str]]:
    """Return (start, end, text) of the entities of `kind` found in `text`."""
    return [
        (e.start, e.end, text[e.start : e.end])
        for e in analyzer.analyze(text).entities
        if e.type == kind
    ]


def masked(analyzer: Analyzer, text: str, kind: str) -> list[str]:
    """Return the already-masked values of `kind` recognised in `text`."""
    return [text[m.start : m.end] for m in analyzer.analyze(text).masked if m.type == kind]


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """Return a tiny PNG whose header claims `width` x `height` pixels."""
    import struct
    import zlib

    raw = io.BytesIO()
    Image.new("L", (1, 1)).save(raw, "PNG")
    data = bytearray(raw.getvalue())
    start = data.index(b"IHDR")
    data[start + 4 : start + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[start : start + 17])) & 0xFFFFFFFF
    data[start + 17 : start + 21] = struct.pack(">I", crc)
    return bytes(data)

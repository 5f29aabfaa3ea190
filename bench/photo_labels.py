"""Rendered label photos for the photo evaluation: the fields, their gold values, the codes.

The clear set (`render_label`) is the one the evaluation has used from the start: printed
labels turned up to 8°, tilted, blurred and saved as JPEG. Hard conditions are in
`bench/photo_hard.py`. Every value is synthetic (`bench/make_pii_corpus.Fillers`).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.make_pii_corpus import Fillers

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@dataclass
class Photo:
    """One photo and what was drawn on it in clear: (type, value) pairs."""

    data: bytes
    gold: list[tuple[str, str]] = field(default_factory=list)
    conditions: tuple[str, ...] = ()


def address_gold(address: str) -> tuple[str, str]:
    """Return the gold item of an address: its detail after the division names."""
    from parcelguard.pii.division_lexicon import division_lexicon

    return ("ADDRESS", address[division_lexicon().prefix_length(address) :])


def draw_code128(
    draw: ImageDraw.ImageDraw, value: str, x: int, y: int, module: int, height: int
) -> None:
    """Draw a Code128 symbol of `value` with its top left at (x, y)."""
    from parcelguard.labels.symbols import code128_runs

    at = x
    for i, width in enumerate(code128_runs(value)):
        if i % 2 == 0:
            draw.rectangle([at, y, at + width * module - 1, y + height], fill="black")
        at += width * module


def paste_qr(img: Image.Image, rng: random.Random, x: int, y: int) -> None:
    """Paste a QR code of a tracking link at (x, y)."""
    qr = segno.make(f"https://pg.example/s/{rng.randrange(16**10):010x}", error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=7, border=2)
    img.paste(Image.open(buffer).convert("RGB"), (x, y))


def render_label(f: Fillers, rng: random.Random) -> Photo:
    """Draw one label with a random mix of clear and masked fields."""
    width, height = 800, 1120
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    big, mid, small = (ImageFont.truetype(FONT, s) for s in (44, 34, 26))
    photo = Photo(b"")
    carrier, waybill = f.waybill()
    d.text((30, 24), f"{carrier}快递  标准快递", fill="black", font=big)
    draw_code128(d, waybill, 40, 100, 3, 110)
    d.text((60, 220), waybill, fill="black", font=small)
    y = 280
    recipient, phone = f.name().replace("·", ""), f.phone().replace(" ", "")
    cue = rng.choice(["收件人：", "收 ", "收件：", ""])
    d.text((30, y), f"{cue}{recipient}  {phone}", fill="black", font=mid)
    photo.gold += [("NAME", recipient), ("PHONE", phone)]
    y += 60
    address = f.address(spaced=False)
    photo.gold.append(address_gold(address))
    for i in range(0, len(address), 19):
        d.text((30, y), address[i : i + 19], fill="black", font=mid)
        y += 50
    y += 20
    sender = f.name().replace("·", "")
    if rng.random() < 0.5:
        d.text((30, y), f"寄件人：{f.masked_name()}  {f.masked_phone()}", fill="black", font=small)
    else:
        sphone = f.phone().replace(" ", "")
        d.text((30, y), f"寄件人：{sender}  {sphone}", fill="black", font=small)
        photo.gold += [("NAME", sender), ("PHONE", sphone)]
    y += 50
    if rng.random() < 0.4:
        id_no = f.id_card().replace(" ", "")
        d.text((30, y), f"实名寄件 身份证：{id_no}", fill="black", font=small)
        photo.gold.append(("ID_CARD", id_no))
        y += 50
    d.text((30, y), f"物品：{f.item()}  重量：{f.weight()}  {f.date()}", fill="black", font=small)
    paste_qr(img, rng, width - 260, height - 280)
    photo.data = _as_photo(img, rng)
    return photo


def _as_photo(label: Image.Image, rng: random.Random) -> bytes:
    """Put the label on a desk, turn it, tilt it, blur it and save it as a phone would."""
    desk = Image.new(
        "RGB",
        (label.width + 240, label.height + 240),
        tuple(rng.randrange(90, 200) for _ in range(3)),
    )
    desk.paste(label, (120, 120))
    desk = desk.rotate(
        rng.uniform(-8, 8), resample=Image.BICUBIC, expand=False, fillcolor=(120, 120, 120)
    )
    w, h = desk.size
    j = [rng.uniform(-0.04, 0.04) * s for s in (w, h, w, h, w, h, w, h)]
    quad = (j[0], j[1], j[2], h + j[3], w + j[4], h + j[5], w + j[6], j[7])
    desk = desk.transform((w, h), Image.QUAD, quad, resample=Image.BICUBIC)
    if rng.random() < 0.7:
        desk = desk.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.3)))
    out = io.BytesIO()
    desk.save(out, "JPEG", quality=rng.randrange(60, 92))
    return out.getvalue()

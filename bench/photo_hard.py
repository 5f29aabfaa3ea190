"""Label photos under hard conditions: glare, creases, steep perspective, occlusion, handwriting.

Written before any tuning against them. Each photo has one primary condition, taken in turn
so every condition is equally represented, and half of them a second one:

- `glare`: a specular highlight of a glossy label that washes part of the text towards white;
- `fold`: one or two creases, each shading one side, drawing a crease line and displacing
  the surface near it;
- `perspective`: a label seen at a steep angle (corners moved 12–25 % of the side);
- `occlusion`: a finger over part of a field, a clear tape strip across a line, or a pickup
  sticker stuck over part of the label;
- `handwriting`: a printed form filled in by hand, each character turned, scaled and shifted
  on its own, in ballpoint blue or black, then the whole sheet elastically distorted;
- `low_light`: underexposed (22–45 %), a colour cast, sensor noise;
- `jpeg`: downscaled to 45–70 % and saved at quality 10–30;
- `rotation`: turned 12–35° either way, or a quarter, half or three-quarter turn.
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.make_pii_corpus import DIVISIONS, Fillers
from bench.photo_labels import FONT, Photo, draw_code128, paste_qr

CONDITIONS = (
    "glare",
    "fold",
    "perspective",
    "occlusion",
    "handwriting",
    "low_light",
    "jpeg",
    "rotation",
)
KAI = "/usr/share/fonts/truetype/arphic/ukai.ttc"
HAND_LATIN = "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf"
Band = tuple[int, int]  # the rows of the label its personal fields fill


def render_hard(f: Fillers, rng: random.Random, index: int) -> Photo:
    """Draw photo `index` of the hard set: its primary condition, maybe a second one."""
    primary = CONDITIONS[index % len(CONDITIONS)]
    conditions = [primary]
    if rng.random() < 0.5:
        conditions.append(rng.choice([c for c in CONDITIONS if c != primary]))
    photo = Photo(b"", conditions=tuple(conditions))
    draw = _handwritten if "handwriting" in conditions else _printed
    label, band = draw(f, rng, photo)
    pixels = np.asarray(label).copy()
    if "fold" in conditions:
        pixels = _fold(pixels, rng, band)
    if "glare" in conditions:
        pixels = _glare(pixels, rng, band)
    if "occlusion" in conditions:
        pixels = _occlude(pixels, rng, band)
    photo.data = _scene(Image.fromarray(pixels), rng, conditions)
    return photo


def _parts(f: Fillers) -> tuple[str, str]:
    """Return an address as its division head and its detail."""
    province, city, district = f.pick(DIVISIONS)
    return "".join(p for p in (province, city, district) if p), f.detail()


def _printed(f: Fillers, rng: random.Random, photo: Photo) -> tuple[Image.Image, Band]:
    """Draw a printed label (text 22–38 px); return it and the band its fields fill."""
    img = Image.new("RGB", (800, 1120), "white")
    d = ImageDraw.Draw(img)
    size = rng.randrange(28, 38)
    mid, small = ImageFont.truetype(FONT, size), ImageFont.truetype(FONT, size - 6)
    carrier, waybill = f.waybill()
    d.text((30, 24), f"{carrier}快递  标准快递", fill="black", font=ImageFont.truetype(FONT, 42))
    draw_code128(d, waybill, 40, 96, 3, 100)
    d.text((60, 204), waybill, fill="black", font=small)
    name, phone = f.name().replace("·", ""), f.phone().replace(" ", "")
    y = 260
    d.text((30, y), f"{rng.choice(['收件人：', '收 ', ''])}{name}  {phone}", "black", mid)
    head, detail = _parts(f)
    photo.gold += [("NAME", name), ("PHONE", phone), ("ADDRESS", detail)]
    y += size + 22
    address, per_line = head + detail, 560 // size
    for i in range(0, len(address), per_line):
        d.text((30, y), address[i : i + per_line], fill="black", font=mid)
        y += size + 14
    y += 16
    if rng.random() < 0.5:
        sender, sphone = f.name().replace("·", ""), f.phone().replace(" ", "")
        photo.gold += [("NAME", sender), ("PHONE", sphone)]
    else:
        sender, sphone = f.masked_name(), f.masked_phone()
    d.text((30, y), f"寄件人：{sender}  {sphone}", fill="black", font=small)
    y += size + 10
    if rng.random() < 0.4:
        id_no = f.id_card().replace(" ", "")
        d.text((30, y), f"实名寄件 身份证：{id_no}", fill="black", font=small)
        photo.gold.append(("ID_CARD", id_no))
        y += size + 10
    d.text((30, y), f"物品：{f.item()}  {f.weight()}  {f.date()}", fill="black", font=small)
    paste_qr(img, rng, 540, 840)
    return img, (260, y + size)


def _handwritten(f: Fillers, rng: random.Random, photo: Photo) -> tuple[Image.Image, Band]:
    """Draw a printed waybill form filled in by hand; return it and its fields' band."""
    img = Image.new("RGB", (800, 1120), (250, 248, 240))
    d = ImageDraw.Draw(img)
    form = ImageFont.truetype(FONT, 24)
    carrier, waybill = f.waybill()
    d.text(
        (30, 24), f"{carrier}快递  寄件单", fill=(180, 30, 30), font=ImageFont.truetype(FONT, 40)
    )
    draw_code128(d, waybill, 40, 90, 3, 90)
    d.text((60, 186), waybill, fill="black", font=form)
    ink = rng.choice([(20, 40, 140), (30, 30, 35), (40, 60, 160)])
    name, phone = f.name().replace("·", ""), f.phone().replace(" ", "")
    head, detail = _parts(f)
    photo.gold += [("NAME", name), ("PHONE", phone), ("ADDRESS", detail)]
    rows = [("收件人姓名", name), ("联系电话", phone)]
    address = head + detail
    rows += [("收件地址", address[:14]), ("", address[14:28]), ("", address[28:])]
    sender, sphone = f.name().replace("·", ""), f.phone().replace(" ", "")
    photo.gold += [("NAME", sender), ("PHONE", sphone)]
    rows += [("寄件人", sender), ("寄件电话", sphone)]
    y = 250
    for caption, value in rows:
        d.text((30, y + 14), caption, fill=(180, 30, 30), font=form)
        d.line([(180, y + 58), (770, y + 58)], fill=(200, 120, 120), width=1)
        if value:
            _handwrite(img, (190, y), value, rng.randrange(36, 46), rng, ink)
        y += 80
    paste_qr(img, rng, 540, 880)
    return _elastic(np.asarray(img), rng, amplitude=1.6, smooth=14.0), (250, y)


def _handwrite(
    img: Image.Image, xy: tuple[int, int], text: str, size: int, rng: random.Random, ink: tuple
) -> None:
    """Write `text` as a hand would: every character turned, scaled and shifted on its own."""
    x, y = xy
    slope = rng.uniform(-0.04, 0.04)
    start = x
    for ch in text:
        latin = ch.isascii()
        font = ImageFont.truetype(HAND_LATIN if latin else KAI, int(size * rng.uniform(0.88, 1.12)))
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size // 2, size // 3), ch, fill=255, font=font)
        glyph = glyph.rotate(rng.uniform(-8, 8), resample=Image.BICUBIC)
        dy = int((x - start) * slope + rng.uniform(-3, 3))
        img.paste(Image.new("RGB", glyph.size, ink), (x - size // 2, y + dy - size // 3), glyph)
        x += int(font.getlength(ch) * rng.uniform(0.92, 1.18)) + (2 if latin else 0)


def _elastic(
    pixels: np.ndarray, rng: random.Random, amplitude: float, smooth: float
) -> Image.Image:
    """Displace every pixel by a smooth random field (paper that is not flat, a wobbly hand)."""
    h, w = pixels.shape[:2]
    nrng = np.random.default_rng(rng.randrange(2**32))
    fields = []
    for _ in range(2):
        noise = nrng.uniform(-1, 1, (h, w)).astype(np.float32)
        noise = cv2.GaussianBlur(noise, (0, 0), smooth)
        fields.append(noise / (np.abs(noise).max() or 1.0) * amplitude)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    out = cv2.remap(
        pixels, xs + fields[0], ys + fields[1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return Image.fromarray(out)


def _fold(pixels: np.ndarray, rng: random.Random, band: Band) -> np.ndarray:
    """Crease the label once or twice across its text."""
    for _ in range(rng.choice([1, 1, 2])):
        h, w = pixels.shape[:2]
        cy, angle = rng.uniform(*band), np.radians(rng.uniform(-18, 18))
        nx, ny = -np.sin(angle), np.cos(angle)  # normal of the crease line
        xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        dist = (xs - w / 2) * nx + (ys - cy) * ny
        shift = rng.uniform(1.5, 4.5) * np.tanh(dist / rng.uniform(6, 20))
        warped = cv2.remap(
            pixels,
            (xs - shift * nx).astype(np.float32),
            (ys - shift * ny).astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        ).astype(np.float32)
        shade = np.where(dist > 0, rng.uniform(0.72, 0.92), 1.0).astype(np.float32)
        shade *= 1 - 0.35 * np.exp(-((dist / 2.0) ** 2))  # the dark crease itself
        shade += 0.18 * np.exp(-(((dist + 4) / 2.5) ** 2))  # its lit edge
        pixels = np.clip(warped * shade[:, :, None], 0, 255).astype(np.uint8)
    return pixels


def _glare(pixels: np.ndarray, rng: random.Random, band: Band) -> np.ndarray:
    """Wash an elliptical patch of the label towards white, strongest at its centre."""
    h, w = pixels.shape[:2]
    cx, cy = rng.uniform(0.15, 0.85) * w, rng.uniform(*band)
    sx, sy = rng.uniform(60, 200), rng.uniform(30, 110)
    angle = np.radians(rng.uniform(-40, 40))
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    u = (xs - cx) * np.cos(angle) + (ys - cy) * np.sin(angle)
    v = -(xs - cx) * np.sin(angle) + (ys - cy) * np.cos(angle)
    alpha = rng.uniform(0.7, 0.97) * np.exp(-((u / sx) ** 2 + (v / sy) ** 2))
    px = pixels.astype(np.float32)
    return np.clip(px + (255 - px) * alpha[:, :, None], 0, 255).astype(np.uint8)


def _occlude(pixels: np.ndarray, rng: random.Random, band: Band) -> np.ndarray:
    """Cover part of the text with a finger, a strip of clear tape or a pickup sticker."""
    img = Image.fromarray(pixels)
    y = int(rng.uniform(band[0] - 30, band[1] - 60))
    kind = rng.choice(["finger", "tape", "sticker"])
    if kind == "finger":
        skin = rng.choice([(224, 172, 140), (198, 134, 100), (241, 194, 163)])
        layer = Image.new("L", img.size, 0)
        x0 = rng.choice([-60, img.width - rng.randrange(140, 260)])
        ImageDraw.Draw(layer).ellipse([x0, y, x0 + 330, y + rng.randrange(90, 140)], fill=255)
        img.paste(
            Image.new("RGB", img.size, skin), (0, 0), layer.filter(ImageFilter.GaussianBlur(4))
        )
    elif kind == "tape":
        tape = Image.new("RGB", img.size, (236, 228, 190))
        band = Image.new("L", img.size, 0)
        ImageDraw.Draw(band).rectangle([0, y, img.width, y + rng.randrange(50, 90)], fill=255)
        alpha = band.point(lambda p: int(p * rng.uniform(0.3, 0.5)))
        img.paste(tape, (0, 0), alpha)
    else:
        x0 = rng.randrange(80, 500)
        d = ImageDraw.Draw(img)
        d.rectangle([x0, y, x0 + 220, y + 110], fill=(255, 255, 255), outline=(150, 150, 150))
        d.text(
            (x0 + 14, y + 30),
            f"取件码 {rng.randrange(1, 30)}-{rng.randrange(1000, 9999)}",
            fill="black",
            font=ImageFont.truetype(FONT, 28),
        )
    return np.asarray(img).copy()


def _scene(label: Image.Image, rng: random.Random, conditions: list[str]) -> bytes:
    """Put the label on a desk and photograph it under the photo-time conditions."""
    desk = Image.new(
        "RGB",
        (label.width + 240, label.height + 240),
        tuple(rng.randrange(90, 200) for _ in range(3)),
    )
    desk.paste(label, (120, 120))
    if "rotation" in conditions:
        turn = rng.choice([rng.uniform(12, 35), -rng.uniform(12, 35), 90, 180, 270])
        desk = desk.rotate(turn, resample=Image.BICUBIC, expand=True, fillcolor=(120, 120, 120))
    else:
        desk = desk.rotate(rng.uniform(-5, 5), resample=Image.BICUBIC, fillcolor=(120, 120, 120))
    w, h = desk.size
    j = [rng.uniform(-0.04, 0.04) * s for s in (w, h, w, h, w, h, w, h)]
    if "perspective" in conditions:  # one side far from the camera: it looks shorter
        far, d = rng.randrange(4), rng.uniform(0.12, 0.25)
        first, second = ((0, 6), (1, 3), (2, 4), (7, 5))[far]  # top, left, bottom, right
        size = w if far in (0, 2) else h
        j[first] -= d * size  # the far side's two corners move apart in the source
        j[second] += d * size
    quad = (j[0], j[1], j[2], h + j[3], w + j[4], h + j[5], w + j[6], j[7])
    desk = desk.transform(
        (w, h), Image.QUAD, quad, resample=Image.BICUBIC, fillcolor=(120, 120, 120)
    )
    px = np.asarray(desk).astype(np.float32)
    if "low_light" in conditions:
        nrng = np.random.default_rng(rng.randrange(2**32))
        cast = np.array([rng.uniform(0.9, 1.1), 1.0, rng.uniform(0.75, 0.95)], dtype=np.float32)
        px = px * rng.uniform(0.22, 0.45) * cast + nrng.normal(0, rng.uniform(5, 10), px.shape)
    desk = Image.fromarray(np.clip(px, 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        desk = desk.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    quality = rng.randrange(60, 90)
    if "jpeg" in conditions:
        scale = rng.uniform(0.45, 0.7)
        desk = desk.resize((int(w * scale), int(h * scale)), Image.BILINEAR)
        quality = rng.randrange(10, 30)
    out = io.BytesIO()
    desk.save(out, "JPEG", quality=quality)
    return out.getvalue()

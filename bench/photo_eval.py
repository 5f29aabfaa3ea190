"""Photo redaction benchmark: after `redact-image`, can OCR still read a full phone, ID or name?

Builds a seeded set of label-like photos (PIL + the WenQuanYi font: masked and unmasked fields,
a QR code from segno, a Code128 barcode; then rotation, perspective, blur and JPEG), redacts
each one, OCRs the output again, and counts the personal information still readable. Times
redaction beside bare OCR of the same photo (decode + rapidocr), alternating, same engine.

    python bench/photo_eval.py [--photos 60] [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_fragment
from bench.make_pii_corpus import Fillers

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
CHECKED = ("PHONE", "ID_CARD", "NAME")


@dataclass
class Photo:
    data: bytes
    gold: list[tuple[str, str]] = field(default_factory=list)  # (type, value) drawn in clear


def _code128(
    draw: ImageDraw.ImageDraw, value: str, x: int, y: int, module: int, height: int
) -> None:
    from parcelguard.labels.symbols import code128_runs

    at = x
    for i, width in enumerate(code128_runs(value)):
        if i % 2 == 0:
            draw.rectangle([at, y, at + width * module - 1, y + height], fill="black")
        at += width * module


def render_label(f: Fillers, rng: random.Random) -> Photo:
    """Draw one label with a random mix of clear and masked fields."""
    width, height = 800, 1120
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    big, mid, small = (ImageFont.truetype(FONT, s) for s in (44, 34, 26))
    photo = Photo(b"")
    carrier, waybill = f.waybill()
    d.text((30, 24), f"{carrier}快递  标准快递", fill="black", font=big)
    _code128(d, waybill, 40, 100, 3, 110)
    d.text((60, 220), waybill, fill="black", font=small)
    y = 280
    recipient, phone = f.name().replace("·", ""), f.phone().replace(" ", "")
    cue = rng.choice(["收件人：", "收 ", "收件：", ""])
    d.text((30, y), f"{cue}{recipient}  {phone}", fill="black", font=mid)
    photo.gold += [("NAME", recipient), ("PHONE", phone)]
    y += 60
    address = f.address(spaced=False)
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
    qr = segno.make(f"https://pg.example/s/{rng.randrange(16**10):010x}", error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=7, border=2)
    img.paste(Image.open(buffer).convert("RGB"), (width - 260, height - 280))
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


def _norm(text: str) -> str:
    from parcelguard.pii.text_view import fold

    return "".join(ch for ch in fold(text) if not ch.isspace() and ch not in "-·")


def _readable(value: str, text: str) -> int:
    """Return the length of the longest piece of `value` that appears in `text`."""
    value = _norm(value)
    best = 0
    for i in range(len(value)):
        for j in range(len(value), i + best, -1):
            if value[i:j] in text:
                best = j - i
                break
    return best


def ocr_text(engine, data: bytes) -> str:
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    return _norm("".join(line.text for line in engine.read(pixels, char_boxes=False)))


@dataclass
class Tally:
    """What the run measured."""

    photos: int = 0
    leaked_photos: int = 0
    values: int = 0
    readable_before: int = 0
    readable_after: int = 0
    chars: int = 0
    chars_left: int = 0
    bare_s: list[float] = field(default_factory=list)
    redact_s: list[float] = field(default_factory=list)
    bare_cpu: list[float] = field(default_factory=list)
    redact_cpu: list[float] = field(default_factory=list)

    def count(self, photo: Photo, before: str, after: str) -> bool:
        """Count one photo's values; return whether any is still readable in full."""
        leaked = False
        for kind, value in photo.gold:
            if kind not in CHECKED:
                continue
            full = _norm(value)
            self.values += 1
            self.readable_before += full in before
            self.chars += len(full)
            left = _readable(value, after)
            self.chars_left += left if left >= 4 else 0
            if full in after:
                self.readable_after += 1
                leaked = True
        self.photos += 1
        self.leaked_photos += leaked
        return leaked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--style", default="blur", choices=["blur", "fill"])
    parser.add_argument("--keep", type=Path, help="also write the photos and their redactions here")
    args = parser.parse_args()

    from parcelguard.pii.image.image_redactor import ImageRedactor
    from parcelguard.pii.image.ocr_engine import shared_engine

    rng = random.Random(args.seed)
    values = Fillers(random.Random(args.seed + 1))
    photos = [render_label(values, rng) for _ in range(args.photos)]
    engine = shared_engine()
    redactor = ImageRedactor(engine, style=args.style)
    redactor.redact(photos[0].data)  # warm: models, jieba, dictionaries
    keep = args.keep or Path(tempfile.mkdtemp(prefix="pg-photos-"))
    keep.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    for n, photo in enumerate(photos):
        start, cpu = time.perf_counter(), time.process_time()
        before = ocr_text(engine, photo.data)
        tally.bare_s.append(time.perf_counter() - start)
        tally.bare_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        result = redactor.redact(photo.data)
        tally.redact_s.append(time.perf_counter() - start)
        tally.redact_cpu.append(time.process_time() - cpu)
        (keep / f"{n:03d}.jpg").write_bytes(photo.data)
        (keep / f"{n:03d}.redacted.jpg").write_bytes(result.image)
        leaked = tally.count(photo, before, ocr_text(engine, result.image))
        print(
            f"photo {n:3d}: bare {tally.bare_s[-1]:.2f}s  redact {tally.redact_s[-1]:.2f}s"
            f"  leaked={leaked}",
            file=sys.stderr,
        )
    print(f"photos and redactions in {keep}", file=sys.stderr)
    text = "\n".join(_report(tally, args.seed, args.style))
    print(text)
    _merge_fragment(text)


def _report(t: Tally, seed: int, style: str) -> list[str]:
    clean = 1 - t.leaked_photos / t.photos
    ratio = sum(t.redact_s) / sum(t.bare_s)
    per_photo = statistics.median(r / b for r, b in zip(t.redact_s, t.bare_s, strict=True))
    return [
        f"## PII photo redaction (`bench/photo_eval.py`, seed {seed})",
        "",
        f"{t.photos} rendered label photos (seed {seed}: turned up to 8°, perspective, blur,"
        f" JPEG 60–91), style `{style}`, {platform.python_implementation()}"
        f" {platform.python_version()}, {platform.machine()}, one process.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| full phones, IDs and names drawn in clear | {t.values} |",
        f"| … of them OCR reads on the original photo | {t.readable_before}"
        f" ({t.readable_before / t.values:.1%}) |",
        f"| … of them OCR reads after redaction | {t.readable_after} |",
        f"| photos with no full phone, ID or name readable | {t.photos - t.leaked_photos}/"
        f"{t.photos} (**{clean:.1%}**) |",
        f"| PII characters still readable in runs of 4 or more | {t.chars_left}/{t.chars}"
        f" ({t.chars_left / t.chars:.1%}) |",
        f"| bare OCR, s/photo (median) | {statistics.median(t.bare_s):.2f} |",
        f"| redaction, s/photo (median) | {statistics.median(t.redact_s):.2f} |",
        f"| **redaction / bare OCR** (wall time; median per photo {per_photo:.2f})"
        f" | **{ratio:.2f}** |",
        f"| redaction / bare OCR (CPU time of the process) |"
        f" {sum(t.redact_cpu) / sum(t.bare_cpu):.2f} |",
    ]


def _merge_fragment(section: str) -> None:
    """Write this section into bench/results/pii.md, keeping the other sections there.

    A run replaces the section of the same seed only, so a development seed and a held-out
    seed can stand side by side.
    """
    path = Path(__file__).parent / "results" / "pii.md"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    title = section.splitlines()[0]
    kept = [part for part in re.split(r"\n(?=## )", existing.strip()) if part.strip()]
    kept = [part for part in kept if part.splitlines()[0] != title]
    write_fragment("pii", "\n\n".join([*kept, section]))


if __name__ == "__main__":
    main()

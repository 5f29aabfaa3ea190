"""Photo redaction benchmark: after `redact-image`, can any OCR engine still read personal items?

Builds a seeded set of label photos — `clear` (printed labels, turned up to 8°, tilted,
blurred, JPEG 60–91; `bench/photo_labels.py`) or `hard` (glare, creases, steep perspective,
occlusion, handwriting, low light, heavy JPEG, rotation; `bench/photo_hard.py`) — redacts each
one, and has every reader of `bench/photo_readers.py` read the photo before and after. A
personal item is a full phone, ID or name drawn in clear, or an address's detail after its
division names; it is readable when a reader's text contains it whole. Times redaction
(decode, PP-OCRv6, recognizers, zxing, drawing, verification, encoding) beside bare OCR
(decode + PP-OCRv6) of the same photo, in alternating order; CPU time includes Tesseract's
child processes.

    python bench/photo_eval.py [--set clear|hard] [--seed 7] [--photos 60] [--held-out]
"""

from __future__ import annotations

import argparse
import io
import os
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
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_fragment
from bench.make_pii_corpus import Fillers
from bench.photo_hard import CONDITIONS, render_hard
from bench.photo_labels import Photo, render_label
from bench.photo_readers import all_readers, norm

RUN = 4  # characters in a row that count as readable


def build(kind: str, seed: int, count: int) -> list[Photo]:
    """Return the seeded photo set."""
    rng, values = random.Random(seed), Fillers(random.Random(seed + 1))
    if kind == "hard":
        return [render_hard(values, rng, i) for i in range(count)]
    return [render_label(values, rng) for _ in range(count)]


def longest_run(value: str, text: str) -> int:
    """Return the length of the longest piece of `value` that appears in `text`."""
    best = 0
    for i in range(len(value)):
        for j in range(len(value), i + best, -1):
            if value[i:j] in text:
                best = j - i
                break
    return best


@dataclass
class ReaderTally:
    """What one reader reads before and after redaction."""

    items: int = 0
    before: int = 0
    after: int = 0
    leaked: int = 0
    chars: int = 0
    chars_left: int = 0

    def count(self, photo: Photo, before: str, after: str) -> bool:
        """Count one photo; return whether any personal item is still readable whole."""
        leaked = False
        for _, value in photo.gold:
            full = norm(value)
            self.items += 1
            self.before += full in before
            self.chars += len(full)
            left = longest_run(full, after)
            self.chars_left += left if left >= RUN else 0
            if full in after:
                self.after += 1
                leaked = True
        self.leaked += leaked
        return leaked


@dataclass
class Tally:
    """What the run measured."""

    photos: int = 0
    readers: dict[str, ReaderTally] = field(default_factory=dict)
    leaked_any: int = 0
    by_condition: dict[str, list[int]] = field(default_factory=dict)  # [photos, leaked]
    passes: list[int] = field(default_factory=list)
    reredacted: int = 0
    unverified: int = 0
    bare_s: list[float] = field(default_factory=list)
    redact_s: list[float] = field(default_factory=list)
    bare_cpu: list[float] = field(default_factory=list)
    redact_cpu: list[float] = field(default_factory=list)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def measure(photo: Photo, n: int, redactor, engine, readers, tally: Tally, keep: Path) -> None:
    """Time bare OCR and redaction of one photo, then let every reader try it."""

    def bare() -> None:
        start, cpu = time.perf_counter(), _cpu()
        engine.read(_pixels(photo.data), char_boxes=False)
        tally.bare_s.append(time.perf_counter() - start)
        tally.bare_cpu.append(_cpu() - cpu)

    def redact():
        start, cpu = time.perf_counter(), _cpu()
        result = redactor.redact(photo.data)
        tally.redact_s.append(time.perf_counter() - start)
        tally.redact_cpu.append(_cpu() - cpu)
        return result

    if n % 2:
        result = redact()
        bare()
    else:
        bare()
        result = redact()
    (keep / f"{n:03d}.jpg").write_bytes(photo.data)
    (keep / f"{n:03d}.redacted.jpg").write_bytes(result.image)
    original, redacted = _pixels(photo.data), _pixels(result.image)
    leaked = [
        name
        for name, read in readers.items()
        if tally.readers.setdefault(name, ReaderTally()).count(
            photo, read(original), read(redacted)
        )
    ]
    tally.photos += 1
    tally.leaked_any += bool(leaked)
    for condition in photo.conditions:
        counts = tally.by_condition.setdefault(condition, [0, 0])
        counts[0] += 1
        counts[1] += bool(leaked)
    report = result.verification
    tally.passes.append(report.passes if report else 0)
    tally.reredacted += any(r.pass_no > 0 for r in result.regions)
    tally.unverified += bool(report and not report.verified)
    print(
        f"photo {n:3d} {'+'.join(photo.conditions) or 'clear':24s} bare {tally.bare_s[-1]:.2f}s"
        f"  redact {tally.redact_s[-1]:.2f}s  passes {tally.passes[-1]}"
        f"  leaked to {','.join(leaked) or '-'}",
        file=sys.stderr,
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="kind", default="clear", choices=["clear", "hard"])
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--held-out", action="store_true", help="label the seed as held out")
    parser.add_argument("--style", default="blur", choices=["blur", "fill"])
    parser.add_argument("--keep", type=Path, help="write the photos and their redactions here")
    args = parser.parse_args()

    from parcelguard.pii.image.image_redactor import ImageRedactor
    from parcelguard.pii.image.ocr_engine import shared_engine

    photos = build(args.kind, args.seed, args.photos)
    engine = shared_engine()
    redactor = ImageRedactor(engine, style=args.style)
    readers = all_readers(engine)
    redactor.redact(photos[0].data)  # warm: models, jieba, dictionaries
    keep = args.keep or Path(tempfile.gettempdir()) / f"pg-photos-{args.kind}-{args.seed}"
    keep.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    for n, photo in enumerate(photos):
        measure(photo, n, redactor, engine, readers, tally, keep)
    print(f"photos and redactions in {keep}", file=sys.stderr)
    text = "\n".join(_report(tally, args))
    print(text)
    _merge_fragment(text)


def _report(t: Tally, args: argparse.Namespace) -> list[str]:
    part = "held out, never tuned on" if args.held_out else "development"
    ratio = sum(t.redact_s) / sum(t.bare_s)
    per_photo = statistics.median(r / b for r, b in zip(t.redact_s, t.bare_s, strict=True))
    lines = [
        f"## PII photo redaction: {args.kind} set, seed {args.seed}",
        "",
        f"{t.photos} {args.kind} label photos, seed {args.seed} ({part}), style `{args.style}`,"
        f" {platform.python_implementation()} {platform.python_version()},"
        f" {platform.machine()}, one process. Personal items: full phones, IDs and names drawn"
        " in clear, and address details.",
        "",
        "| reader | items read on the original | items read after redaction |"
        " photos with an item readable after | PII characters readable in runs of 4+ |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in t.readers.items():
        lines.append(
            f"| {name} | {r.before}/{r.items} ({r.before / r.items:.0%}) | {r.after} |"
            f" {r.leaked}/{t.photos} | {r.chars_left}/{r.chars} ({r.chars_left / r.chars:.1%}) |"
        )
    lines += [
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| photos with no item readable by any reader | {t.photos - t.leaked_any}/{t.photos}"
        f" (**{1 - t.leaked_any / t.photos:.1%}**) |",
        f"| photos re-redacted by verification | {t.reredacted} |",
        f"| verification passes (median, max) | {statistics.median(t.passes):.0f},"
        f" {max(t.passes)} |",
        f"| photos not verified clean within the pass limit | {t.unverified} |",
        f"| bare OCR, s/photo (median) | {statistics.median(t.bare_s):.2f} |",
        f"| redaction, s/photo (median) | {statistics.median(t.redact_s):.2f} |",
        f"| **redaction / bare OCR** (wall; median per photo {per_photo:.2f}) | **{ratio:.2f}** |",
        f"| redaction / bare OCR (CPU incl. Tesseract) | {sum(t.redact_cpu) / sum(t.bare_cpu):.2f} |",
    ]
    if t.by_condition:
        lines += [
            "",
            "| condition | photos | with an item readable by any reader |",
            "| --- | ---: | ---: |",
        ]
        for condition in CONDITIONS:
            photos, leaked = t.by_condition.get(condition, [0, 0])
            lines.append(f"| {condition} | {photos} | {leaked} |")
    return lines


def _merge_fragment(section: str) -> None:
    """Write this section into bench/results/pii.md, keeping the other sections there.

    A run replaces the section of the same set and seed only (and a clear-set section in the
    format used before the hard set existed), so development and held-out seeds of both sets
    stand side by side.
    """
    path = Path(__file__).parent / "results" / "pii.md"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    title = section.splitlines()[0]
    legacy = title.replace(": clear set, seed ", " (`bench/photo_eval.py`, seed ") + ")"
    kept = [part for part in re.split(r"\n(?=## )", existing.strip()) if part.strip()]
    kept = [part for part in kept if part.splitlines()[0] not in (title, legacy)]
    write_fragment("pii", "\n\n".join([*kept, section]))


if __name__ == "__main__":
    main()

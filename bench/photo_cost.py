"""What one anonymous photo-redaction request costs: CPU seconds per request, bounded vs not.

Two photos: the 6300 × 6300 PNG of the report (1 MiB: it compresses well) and a 6000 × 4000
label photo (24 megapixels, the largest accepted). Each goes through `pii.service.redact_photo`
(refusal from the header, JPEG draft decoding, output at most 3000 px, OCR on a copy of at most
2 megapixels) beside the unbounded baseline measured in the same run: the old pipeline's steps on
the full-resolution pixels (decode, OCR, code finding, covering, encoding). CPU time is the
process's (OCR threads included).

    python bench/photo_cost.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PIL import Image

from bench.common import write_fragment


def cpu(fn: Callable[[], object], rounds: int) -> float:
    """Return the lowest CPU seconds of `rounds` calls."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def unbounded(data: bytes) -> None:
    """The old per-request work: every step on the full-resolution photo."""
    from parcelguard.pii import service
    from parcelguard.pii.image.code_finder import find_codes
    from parcelguard.pii.image.image_input import write_photo
    from parcelguard.pii.image.painter import cover

    image = Image.open(io.BytesIO(data))
    image.load()
    pixels = np.array(image.convert("RGB"))
    redactor = service.image_redactor()
    height, width = pixels.shape[:2]
    regions = redactor.text_regions(redactor.engine.read(pixels), width, height)
    for region in regions:
        cover(pixels, region.quad, "blur")
    find_codes(pixels)
    write_photo(pixels, "PNG")


def bounded(data: bytes) -> None:
    """Today's request: `redact_photo`, refusals included."""
    from parcelguard.errors import TooLarge
    from parcelguard.pii import service

    with contextlib.suppress(TooLarge):
        service.redact_photo(data, param="file")


def photos() -> dict[str, bytes]:
    """Return the two photos, encoded."""
    from tests.pii.helpers import render_label

    label = Image.open(io.BytesIO(render_label("PNG", gps=False).data)).convert("RGB")
    square = io.BytesIO()
    label.resize((6300, 6300)).save(square, "PNG", compress_level=1)
    wide = io.BytesIO()
    label.resize((6000, 4000)).save(wide, "JPEG", quality=85)
    big = io.BytesIO()
    label.resize((4800, 4800)).save(big, "PNG", compress_level=1)
    return {
        "6300 × 6300 PNG": square.getvalue(),
        "6000 × 4000 JPEG": wide.getvalue(),
        "4800 × 4800 PNG": big.getvalue(),
    }


def main() -> None:
    """Measure and print; write bench/results/photo_cost.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from tests.pii.helpers import render_label

    from parcelguard.pii import service

    service.redact_photo(render_label("PNG", gps=False).data)  # load the models first
    rows = ["| photo | bounded (CPU s) | unbounded baseline (CPU s) | ratio |", "|---|---|---|---|"]
    for name, data in photos().items():
        ours = cpu(lambda d=data: bounded(d), args.rounds)
        theirs = cpu(lambda d=data: unbounded(d), args.rounds)
        shown = "refused, < 0.01" if ours < 0.01 else f"{ours:.2f}"
        ratio = "—" if ours < 0.01 else f"{theirs / ours:.1f}×"
        line = f"| {name} ({len(data) >> 10} KiB) | {shown} | {theirs:.2f} | {ratio} |"
        print(line, flush=True)
        rows.append(line)
    write_fragment("photo_cost", "### Photo redaction cost per request\n\n" + "\n".join(rows))


if __name__ == "__main__":
    main()

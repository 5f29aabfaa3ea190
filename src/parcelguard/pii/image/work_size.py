"""The bounded work of one photo: OCR reads a copy of at most `WORK_PIXELS` (`WORK_SIDE` a side).

OCR's cost grows with the area it reads (its text detector runs on up to 2000 px a side, its
recogniser on crops of the image it is given), so a large photo is read as a smaller copy and
the lines found are mapped back to the photo's own coordinates.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from PIL import Image

from parcelguard.pii.image.geometry import Quad
from parcelguard.pii.image.image_input import WORK_PIXELS, WORK_SIDE
from parcelguard.pii.image.ocr_engine import OcrLine


def work_copy(
    pixels: np.ndarray, side: int = WORK_SIDE, area: int = WORK_PIXELS
) -> tuple[np.ndarray, float]:
    """Return pixels within `area` and `side`, and the factor back to the original's size."""
    height, width = pixels.shape[:2]
    factor = max(max(height, width) / side, math.sqrt(height * width / area))
    if factor <= 1.0:
        return pixels, 1.0
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    small = Image.fromarray(pixels, "RGB").resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    return np.asarray(small), factor


def enlarge(lines: list[OcrLine], factor: float) -> list[OcrLine]:
    """Return OCR lines found on a work copy in the coordinates of the original photo."""
    if factor == 1.0:
        return lines
    return [
        replace(
            line,
            quad=_scaled(line.quad, factor),
            chars=tuple(_scaled(c, factor) for c in line.chars),
        )
        for line in lines
    ]


def _scaled(quad: Quad, factor: float) -> Quad:
    a, b, c, d = ((x * factor, y * factor) for x, y in quad)
    return (a, b, c, d)

"""`OcrEngine`: rapidocr (PP-OCR models bundled in the package, onnxruntime), loaded once.

Each line comes with one quad per character. rapidocr derives them from the recognizer's CTC
columns (`return_word_box`); when its count does not match the text (it sometimes merges a
Latin word), the line's quad is split in proportion to character widths instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from parcelguard.pii.image.geometry import Quad, as_quad, split_line

_shared: OcrEngine | None = None
_shared_lock = threading.Lock()


@dataclass(frozen=True)
class OcrLine:
    """One line of text read from a photo."""

    text: str
    score: float
    quad: Quad
    chars: tuple[Quad, ...]

    def __repr__(self) -> str:
        return f"OcrLine(len={len(self.text)}, score={self.score:.2f})"


class OcrEngine:
    """Reads text lines from RGB pixels; one instance per process is plenty."""

    def __init__(self, **options: Any) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self._ocr = RapidOCR(**options)
        self._lock = threading.Lock()  # RapidOCR keeps per-call thresholds on the instance

    def read(self, pixels: np.ndarray, *, char_boxes: bool = True) -> list[OcrLine]:
        """Return the lines of text in an RGB image, top to bottom."""
        bgr = np.ascontiguousarray(pixels[:, :, ::-1])
        with self._lock:
            result, _ = self._ocr(bgr, return_word_box=char_boxes)
        return [_line(item, char_boxes) for item in result or ()]


def _line(item: list[Any], char_boxes: bool) -> OcrLine:
    quad = as_quad(item[0])
    text = str(item[1])
    chars: list[Quad] = []
    if char_boxes and len(item) > 3 and item[3] and len(item[3]) == len(text):
        chars = [as_quad(points) for points in item[3]]
    if len(chars) != len(text):
        chars = split_line(quad, text)
    return OcrLine(text, float(item[2]), quad, tuple(chars))


def shared_engine() -> OcrEngine:
    """Return the process-wide engine, loading the models on first use."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = OcrEngine()
    return _shared

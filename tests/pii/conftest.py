"""Fixtures for the PII tests: one analyzer, one OCR engine and verifier per session, a photo."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image
from tests.pii.helpers import LabelPhoto, render_label

from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.image.ocr_engine import OcrEngine, shared_engine
from parcelguard.pii.image.tesseract_reader import TesseractReader


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """Return one analyzer for the session (the jieba dictionary loads once)."""
    return Analyzer()


@pytest.fixture(scope="session")
def engine() -> OcrEngine:
    """Return the process-wide OCR engine (the models load once per session)."""
    return shared_engine()


@pytest.fixture(scope="session")
def ocr_text(engine: OcrEngine) -> Callable[[bytes], str]:
    """Return a function giving all the text OCR reads in an encoded image, spaces removed."""

    def read(data: bytes) -> str:
        pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        lines = engine.read(pixels, char_boxes=False)
        return "".join(line.text for line in lines).replace(" ", "")

    return read


@pytest.fixture(scope="session")
def tesseract() -> TesseractReader:
    """Return the verifier: Debian's tesseract with chi_sim (scripts/install-system-packages.sh)."""
    return TesseractReader()


@pytest.fixture(scope="session")
def tesseract_text(tesseract: TesseractReader) -> Callable[[bytes], str]:
    """Return a function giving all the text Tesseract reads in an encoded image, no spaces."""

    def read(data: bytes) -> str:
        pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        return "".join(line.text for line in tesseract.read(pixels)).replace(" ", "")

    return read


@pytest.fixture(scope="session")
def label_photo() -> LabelPhoto:
    """Return one JPEG label photo with EXIF and GPS metadata."""
    return render_label()

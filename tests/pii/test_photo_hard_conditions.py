"""Hard-condition label photos: after redaction neither the detector nor Tesseract reads PII.

The photos come from the evaluation's own seeded generator (`bench/photo_hard.py`: glare,
creases, steep perspective, occlusion, handwriting, low light, heavy JPEG, rotation), one per
condition, from the development seed; every value on them is synthetic.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from bench.make_pii_corpus import Fillers
from bench.photo_hard import CONDITIONS, render_hard
from bench.photo_labels import Photo
from bench.photo_readers import norm

from parcelguard.pii.image.image_redactor import ImageRedactor
from parcelguard.pii.image.ocr_engine import OcrEngine
from parcelguard.pii.image.tesseract_reader import TesseractReader

SEED = 21


@pytest.fixture(scope="module")
def hard_photos() -> list[Photo]:
    """Return the first photo of each condition of the development seed."""
    rng, values = random.Random(SEED), Fillers(random.Random(SEED + 1))
    return [render_hard(values, rng, i) for i in range(len(CONDITIONS))]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(CONDITIONS)), ids=CONDITIONS)
def test_hard_photo_leaves_nothing_readable_by_either_engine(
    index: int,
    hard_photos: list[Photo],
    engine: OcrEngine,
    tesseract: TesseractReader,
    ocr_text: Callable[[bytes], str],
    tesseract_text: Callable[[bytes], str],
) -> None:
    photo = hard_photos[index]
    assert photo.conditions[0] == CONDITIONS[index]
    before = norm(ocr_text(photo.data))
    assert any(norm(value) in before for _, value in photo.gold), "legible to begin with"
    result = ImageRedactor(engine, verifier=tesseract).redact(photo.data)
    by_detector, by_tesseract = norm(ocr_text(result.image)), norm(tesseract_text(result.image))
    for kind, value in photo.gold:
        assert norm(value) not in by_detector, f"{kind} still read by {engine.name}"
        assert norm(value) not in by_tesseract, f"{kind} still read by {tesseract.name}"

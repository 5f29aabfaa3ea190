"""Verification of redacted photos: a second engine re-reads them and what it reads is covered."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from tests.pii.helpers import LabelPhoto

from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.image.geometry import Quad
from parcelguard.pii.image.image_redactor import ImageRedactor
from parcelguard.pii.image.ocr_engine import OcrEngine, OcrLine
from parcelguard.pii.image.span_finder import Hit, Region, SpanFinder
from parcelguard.pii.image.tesseract_reader import TesseractReader
from parcelguard.sensitive import Sensitive


class BlindSpotEngine:
    """The real detector with a blind spot: it never sees lines centred in a band of rows.

    Stands for a detector that misses a region entirely (a font, a glare, a fold it does not
    read) while another engine still reads it.
    """

    def __init__(self, engine: OcrEngine, rows: tuple[float, float]) -> None:
        self.engine = engine
        self.rows = rows
        self.name = engine.name

    def read(self, pixels: np.ndarray, *, char_boxes: bool = True) -> list[OcrLine]:
        lines = self.engine.read(pixels, char_boxes=char_boxes)
        return [line for line in lines if not self._blind(line.quad)]

    def reread(self, pixels: np.ndarray, quads: Sequence[Quad]) -> list[OcrLine]:
        return self.engine.reread(pixels, quads)

    def _blind(self, quad: Quad) -> bool:
        centre = sum(p[1] for p in quad) / 4
        return self.rows[0] <= centre <= self.rows[1]


ID_LINE = (440.0, 510.0)  # 身份证：11010519491231002X (tests/pii/helpers.render_label)


def test_verifier_covers_what_the_detector_missed(
    engine: OcrEngine,
    tesseract: TesseractReader,
    label_photo: LabelPhoto,
    ocr_text: Callable[[bytes], str],
    tesseract_text: Callable[[bytes], str],
) -> None:
    id_card = label_photo.secrets["ID_CARD"]
    blind = BlindSpotEngine(engine, ID_LINE)
    result = ImageRedactor(blind, verifier=tesseract).redact(label_photo.data)  # type: ignore[arg-type]
    second = [r for r in result.regions if r.pass_no >= 1 and r.reader == tesseract.name]
    assert "ID_CARD" in {r.type for r in second}
    assert id_card not in ocr_text(result.image)
    assert id_card not in tesseract_text(result.image)
    report = result.report()
    assert report["verification"]["readers"] == [engine.name, tesseract.name]
    assert report["verification"]["verified"] is True
    assert {"pass": 1, "reader": tesseract.name}.items() <= next(
        r for r in report["regions"] if r["type"] == "ID_CARD"
    ).items()


def test_without_the_verifier_the_missed_line_stays_readable(
    engine: OcrEngine, label_photo: LabelPhoto, ocr_text: Callable[[bytes], str]
) -> None:
    blind = BlindSpotEngine(engine, ID_LINE)
    result = ImageRedactor(blind, verifier=None).redact(label_photo.data)  # type: ignore[arg-type]
    assert label_photo.secrets["ID_CARD"] in ocr_text(result.image)
    assert result.report()["verification"]["readers"] == [engine.name]


def test_a_verifier_that_fails_leaves_the_photo_unverified(
    engine: OcrEngine, label_photo: LabelPhoto, ocr_text: Callable[[bytes], str]
) -> None:
    broken = TesseractReader(binary="/nonexistent/tesseract")
    result = ImageRedactor(engine, verifier=broken).redact(label_photo.data)
    verification = result.report()["verification"]
    assert verification["verified"] is False
    assert verification["failed"] == [broken.name]
    assert label_photo.secrets["PHONE"] not in ocr_text(result.image)  # first pass still covers


def test_report_keeps_the_cli_contract_and_adds_passes(
    engine: OcrEngine, tesseract: TesseractReader, label_photo: LabelPhoto
) -> None:
    report = ImageRedactor(engine, verifier=tesseract).redact(label_photo.data).report(out="o.jpg")
    assert report["out"] == "o.jpg"
    for region in report["regions"]:
        assert {"type", "box", "polygon", "pass", "reader"} <= set(region)
        assert region["pass"] >= 0 and region["reader"]
    assert report["verification"]["passes"] >= 1


def _line(text: str, x: float = 0.0, y: float = 0.0) -> OcrLine:
    chars = tuple(
        ((x + 10 * i, y), (x + 10 * i + 10, y), (x + 10 * i + 10, y + 20), (x + 10 * i, y + 20))
        for i in range(len(text))
    )
    return OcrLine(text, 1.0, (chars[0][0], chars[-1][1], chars[-1][2], chars[0][3]), chars)


def _known(kind: str, value: str) -> Hit:
    quad: Quad = ((0.0, 0.0), (110.0, 0.0), (110.0, 20.0), (0.0, 20.0))
    return Hit(Region(kind, quad, [0, 0, 110, 20]), Sensitive(value))


@pytest.mark.parametrize(
    ("text", "over_cover", "expected"),
    [
        ("1391234▒▒▒▒", True, ["1391234"]),  # a blur that left the first seven digits
        ("▒▒▒▒▒▒▒5678", True, ["5678"]),  # four in a row over the cover are enough
        ("▒▒▒▒▒▒▒▒678", True, []),  # three are not
        ("138****5678", False, []),  # a masked phone elsewhere shares four digits: left alone
        ("寄件人 139-1234-5678", False, ["139-1234-5678"]),  # a second copy, read whole
    ],
)
def test_residue_finds_what_is_left_of_known_values(
    text: str, over_cover: bool, expected: list[str]
) -> None:
    finder = SpanFinder(Analyzer(lenient=True))
    known = [_known("PHONE", "13912345678")]
    line = _line(text, y=0.0 if over_cover else 200.0)
    hits = finder.residue([line], known, [known[0].region], (400, 400), pass_no=1, reader="x")
    found = []
    for hit in hits:
        x0, x1 = hit.region.box[0], hit.region.box[2]
        found.append(text[round((x0 + 3.6) / 10) : round((x1 - 3.6) / 10)])
    assert found == expected
    assert all(hit.region.pass_no == 1 and hit.region.reader == "x" for hit in hits)


def test_redacted_photo_is_reread_by_both_engines(
    engine: OcrEngine, label_photo: LabelPhoto
) -> None:
    calls: list[tuple[str, int]] = []

    class Recording(BlindSpotEngine):
        def reread(self, pixels: np.ndarray, quads: Sequence[Quad]) -> list[OcrLine]:
            calls.append(("detector", len(quads)))
            return super().reread(pixels, quads)

    class Counting(TesseractReader):
        def read(self, pixels: np.ndarray) -> list[OcrLine]:
            calls.append(("tesseract", 1))
            return super().read(pixels)

    detector = Recording(engine, (-2.0, -1.0))  # no blind spot
    result = ImageRedactor(detector, verifier=Counting()).redact(label_photo.data)  # type: ignore[arg-type]
    covered = [r for r in result.regions if r.pass_no == 0 and r.reader == engine.name]
    assert covered
    assert ("detector", len(covered)) in calls  # every covered region is read again
    assert result.verification is not None
    assert calls.count(("tesseract", 1)) == result.verification.passes

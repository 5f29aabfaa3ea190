"""`ImageRedactor`: blur the personal information and fill the codes of a photo of a label.

One OCR pass (PP-OCRv6) gives the lines and a quad per character; `SpanFinder` runs the text
recognizers once over the joined lines, in lenient mode (one misread digit must not let an ID
through), and each entity's characters are covered on their own line; QR codes and barcodes
are filled whole. Then `Verifier` re-reads the covered photo with the same engine and with
Tesseract and covers again whatever personal information either still reads, in bounded
passes. The output is encoded from pixels alone, so EXIF, GPS and every other metadata block
are gone.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parcelguard.errors import InvalidInput
from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.image.code_finder import find_codes
from parcelguard.pii.image.geometry import bounds, expand
from parcelguard.pii.image.image_input import FORMATS, read_photo, write_photo
from parcelguard.pii.image.ocr_engine import OcrEngine, TextReader, shared_engine
from parcelguard.pii.image.painter import STYLES, cover
from parcelguard.pii.image.span_finder import Region, SpanFinder
from parcelguard.pii.image.tesseract_reader import TesseractReader, tesseract_available
from parcelguard.pii.image.verification import Verification, Verifier
from parcelguard.pii.image.work_size import enlarge, work_copy
from parcelguard.pii.results import ImageReport

__all__ = ["ImageRedaction", "ImageRedactor", "Region", "shared_verifier"]
_CODES = frozenset({"QR_CODE", "BARCODE"})
log = logging.getLogger("parcelguard.pii")
_verifier_lock = threading.Lock()
_shared_verifier: list[TextReader | None] = []


@dataclass(frozen=True)
class ImageRedaction:
    """The redacted photo and its report."""

    image: bytes
    format: str
    width: int
    height: int
    regions: list[Region] = field(default_factory=list)
    metadata_removed: tuple[str, ...] = ()
    verification: Verification | None = None

    @property
    def media_type(self) -> str:
        """Return the MIME type of the redacted photo (the input's format)."""
        return FORMATS[self.format]

    def report(self, out: str | None = None) -> ImageReport:
        """Return the public report: regions, size, format, metadata removed, verification.

        `out` (where the CLI wrote the photo) comes first when given.
        """
        document: ImageReport = {
            "regions": [r.as_dict() for r in self.regions],
            "width": self.width,
            "height": self.height,
            "format": self.format.lower(),
            "metadata_removed": list(self.metadata_removed),
        }
        if out is not None:
            document = {"out": out, **document}
        if self.verification is not None:
            document["verification"] = self.verification.as_dict()
        return document


class ImageRedactor:
    """Redacts photos with one OCR engine, one verifier and one analyzer, reused across calls.

    `verifier` is the second engine that re-reads each redacted photo: by default Tesseract
    when it is installed with `chi_sim` (`shared_verifier()`); `None` turns it off. `verify`
    False skips the re-reading altogether (one read, as before verification existed).
    """

    def __init__(
        self,
        engine: OcrEngine | None = None,
        analyzer: Analyzer | None = None,
        *,
        style: str = "blur",
        codes: bool = True,
        verifier: TextReader | str | None = "default",
        verify: bool = True,
    ) -> None:
        if style not in STYLES:
            raise InvalidInput("unknown redaction style", code="unknown_style", details=STYLES)
        self._engine = engine
        self.analyzer = analyzer or Analyzer(lenient=True)
        self.finder = SpanFinder(self.analyzer)
        self.style = style
        self.codes = codes
        self.verify = verify
        self._verifier = verifier

    @property
    def engine(self) -> OcrEngine:
        """Return the OCR engine (the shared one unless another was given)."""
        if self._engine is None:
            self._engine = shared_engine()
        return self._engine

    @property
    def verifier(self) -> TextReader | None:
        """Return the second engine (the shared Tesseract unless another or None was given)."""
        if isinstance(self._verifier, str):
            self._verifier = shared_verifier()
        return self._verifier

    def redact(self, data: bytes, *, param: str = "image") -> ImageRedaction:
        """Return the redacted photo; `InvalidInput` naming `param` for what is no photo."""
        photo = read_photo(data, param=param)
        pixels = np.array(photo.pixels, copy=True)
        height, width = pixels.shape[:2]
        work, factor = work_copy(pixels)  # bounded work: OCR reads at most WORK_SIDE px
        lines = enlarge(self.engine.read(work), factor)
        hits = self.finder.entities(lines, (width, height), pass_no=0, reader=self.engine.name)
        regions = [hit.region for hit in hits]
        if self.codes:
            regions += [
                Region(c.kind, q, bounds(q, width, height), 0, "zxing-cpp")
                for c in find_codes(pixels)
                for q in [expand(c.quad, 0.08)]
            ]
        for region in regions:
            cover(pixels, region.quad, "fill" if region.type in _CODES else self.style)
        report = None
        if self.verify:
            verifier = Verifier(self.engine, self.verifier, self.finder)
            added, report = verifier.run(pixels, hits, self._paint(pixels))
            regions += added
        return ImageRedaction(
            write_photo(pixels, photo.format),
            photo.format,
            width,
            height,
            regions,
            photo.had_metadata,
            report,
        )

    def _paint(self, pixels: np.ndarray) -> Any:
        def paint(region: Region, solid: bool) -> None:
            cover(pixels, region.quad, "fill" if solid else self.style)

        return paint


def shared_verifier() -> TextReader | None:
    """Return the process-wide Tesseract verifier, or None when it is not installed."""
    if not _shared_verifier:
        with _verifier_lock:
            if not _shared_verifier:
                reader = TesseractReader() if tesseract_available() else None
                if reader is None:
                    log.warning(
                        "tesseract with chi_sim is not installed: redacted photos are verified"
                        " by the detector's engine only (scripts/install-system-packages.sh)"
                    )
                _shared_verifier.append(reader)
    return _shared_verifier[0]

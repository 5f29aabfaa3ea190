"""`ImageRedactor`: blur the personal information and fill the codes of a photo of a label.

One OCR pass gives the lines and a quad per character; the lines are joined into one text so
a cue on one line (收件人：) still names the value on the next, and the text recognizers run
once over it, in lenient mode (one misread digit must not let an ID through). Each entity's
characters are covered on their own line; QR codes and barcodes are filled whole; the output
is encoded from pixels alone, so EXIF, GPS and every other metadata block are gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parcelguard.errors import InvalidInput
from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.division_lexicon import division_lexicon
from parcelguard.pii.entity import Entity
from parcelguard.pii.image.code_finder import find_codes
from parcelguard.pii.image.geometry import Quad, bounds, expand, span_quad
from parcelguard.pii.image.image_input import FORMATS, read_photo, write_photo
from parcelguard.pii.image.ocr_engine import OcrEngine, OcrLine, shared_engine
from parcelguard.pii.image.painter import STYLES, cover
from parcelguard.pii.image.work_size import enlarge, work_copy
from parcelguard.pii.text_view import fold

PAD = 0.18  # of the line height, around every covered span


@dataclass(frozen=True)
class Region:
    """One covered region: what it was and where."""

    type: str
    quad: Quad
    box: list[int]

    def as_dict(self) -> dict[str, Any]:
        """Return the public region document."""
        return {
            "type": self.type,
            "box": self.box,
            "polygon": [[round(x), round(y)] for x, y in self.quad],
        }


@dataclass(frozen=True)
class ImageRedaction:
    """The redacted photo and its report."""

    image: bytes
    format: str
    width: int
    height: int
    regions: list[Region] = field(default_factory=list)
    metadata_removed: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        """Return the MIME type of the redacted photo (the input's format)."""
        return FORMATS[self.format]

    def report(self, **extra: Any) -> dict[str, Any]:
        """Return the public report: regions, size, format and the metadata removed."""
        return {
            **extra,
            "regions": [r.as_dict() for r in self.regions],
            "width": self.width,
            "height": self.height,
            "format": self.format.lower(),
            "metadata_removed": list(self.metadata_removed),
        }


class ImageRedactor:
    """Redacts photos with one OCR engine and one analyzer, both reused across calls."""

    def __init__(
        self,
        engine: OcrEngine | None = None,
        analyzer: Analyzer | None = None,
        *,
        style: str = "blur",
        codes: bool = True,
    ) -> None:
        if style not in STYLES:
            raise InvalidInput("unknown redaction style", code="unknown_style", details=STYLES)
        self._engine = engine
        self.analyzer = analyzer or Analyzer(lenient=True)
        self.style = style
        self.codes = codes

    @property
    def engine(self) -> OcrEngine:
        """Return the OCR engine (the shared one unless another was given)."""
        if self._engine is None:
            self._engine = shared_engine()
        return self._engine

    def redact(self, data: bytes, *, param: str = "image") -> ImageRedaction:
        """Return the redacted photo; `InvalidInput` naming `param` for what is no photo."""
        photo = read_photo(data, param=param)
        pixels = np.array(photo.pixels, copy=True)
        height, width = pixels.shape[:2]
        work, factor = work_copy(pixels)  # bounded work: OCR reads at most WORK_SIDE px
        regions = self.text_regions(enlarge(self.engine.read(work), factor), width, height)
        if self.codes:
            regions += [
                Region(c.kind, expand(c.quad, 0.08), bounds(expand(c.quad, 0.08), width, height))
                for c in find_codes(pixels)
            ]
        for region in regions:
            cover(pixels, region.quad, "fill" if region.type in _CODES else self.style)
        return ImageRedaction(
            write_photo(pixels, photo.format),
            photo.format,
            width,
            height,
            regions,
            photo.had_metadata,
        )

    def text_regions(self, lines: list[OcrLine], width: int, height: int) -> list[Region]:
        """Return the regions of the entities found in the OCR lines."""
        text = "\n".join(line.text for line in lines)
        starts, at = [], 0
        for line in lines:
            starts.append(at)
            at += len(line.text) + 1
        regions: list[Region] = []
        for entity in self.analyzer.analyze(text).entities:
            begin = entity.start + _kept_prefix(entity)
            for i, line in enumerate(lines):
                lo = max(begin, starts[i]) - starts[i]
                hi = min(entity.end, starts[i] + len(line.text)) - starts[i]
                if hi > lo:
                    quad = expand(span_quad(line.chars[lo:hi]), PAD)
                    regions.append(Region(entity.type, quad, bounds(quad, width, height)))
        return regions


_CODES = frozenset({"QR_CODE", "BARCODE"})


def _kept_prefix(entity: Entity) -> int:
    """Return how many leading characters of an address (its divisions) stay readable."""
    if entity.type != "ADDRESS":
        return 0
    value = fold(entity.value.reveal())
    kept = division_lexicon().prefix_length(value.replace("\n", ""))
    seen = at = 0
    while at < len(value) and seen < kept:  # count the kept characters across line breaks
        seen += value[at] != "\n"
        at += 1
    return at

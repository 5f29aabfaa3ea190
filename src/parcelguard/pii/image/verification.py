"""Verifying a redacted photo: read it again with two engines and cover what is still read.

After the first cover, each pass re-reads the photo two ways, side by side. The detector's
engine reads again every region just covered (the rest of the photo is byte for byte what it
read the first time, so its reading stands); a second, different engine (Tesseract, in its
own process) reads the whole photo, and so also sees text the detector never found. On both
readings the analyzer runs again, and the residue check looks for pieces of the values already
found. Whatever is still read is covered — with a solid fill where it lies over an earlier
cover, since the blur there was not enough — and the next pass re-reads that. Passes are
bounded (`MAX_PASSES`), and at most two second-engine reads run at once in a process; the
photo is `verified` when a pass finds nothing and every reader ran.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from parcelguard.pii.image.ocr_engine import OcrEngine, TextReader
from parcelguard.pii.image.span_finder import Hit, Region, SpanFinder, touches
from parcelguard.pii.image.tesseract_reader import ReaderFailed
from parcelguard.pii.results import VerificationDocument

MAX_PASSES = 2
Paint = Callable[[Region, bool], None]  # (region, solid fill?)


@dataclass
class Verification:
    """What verification did: the readers, the passes made, and whether the photo came clean."""

    readers: tuple[str, ...]
    passes: int = 0
    verified: bool = False
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> VerificationDocument:
        """Return the public verification document."""
        return {
            "readers": list(self.readers),
            "passes": self.passes,
            "verified": self.verified,
            "failed": list(self.failed),
        }


class Verifier:
    """Re-reads a covered photo with the detector's engine and a second engine."""

    def __init__(
        self,
        engine: OcrEngine,
        second: TextReader | None,
        finder: SpanFinder,
        *,
        max_passes: int = MAX_PASSES,
    ) -> None:
        self.engine = engine
        self.second = second
        self.finder = finder
        self.max_passes = max_passes

    @property
    def readers(self) -> tuple[str, ...]:
        """Return the names of the engines that verify."""
        return (self.engine.name,) + ((self.second.name,) if self.second else ())

    def run(
        self, pixels: np.ndarray, hits: Sequence[Hit], paint: Paint
    ) -> tuple[list[Region], Verification]:
        """Verify `pixels` (already covered at `hits`) in place; return the added regions."""
        report = Verification(self.readers)
        known, covered = list(hits), [hit.region for hit in hits]
        fresh, added = list(covered), list[Region]()
        for n in range(1, self.max_passes + 1):
            report.passes = n
            second = _pool().submit(self._second_pass, pixels.copy(), known, covered, n, report)
            found = self._detector_pass(pixels, fresh, known, covered, n)
            found = _distinct(found + second.result())
            if not found:
                report.verified = not report.failed
                return added, report
            for hit in found:
                paint(hit.region, touches(hit.region.quad, covered))
            fresh = [hit.region for hit in found]
            known += found
            covered += fresh
            added += fresh
        return added, report

    def _detector_pass(
        self,
        pixels: np.ndarray,
        fresh: Sequence[Region],
        known: Sequence[Hit],
        covered: Sequence[Region],
        n: int,
    ) -> list[Hit]:
        if not fresh:
            return []
        again = self.engine.reread(pixels, [region.quad for region in fresh])
        size = (pixels.shape[1], pixels.shape[0])
        name = self.engine.name
        found = self.finder.entities(again, size, pass_no=n, reader=name)
        return found + self.finder.residue(again, known, covered, size, pass_no=n, reader=name)

    def _second_pass(
        self,
        pixels: np.ndarray,
        known: Sequence[Hit],
        covered: Sequence[Region],
        n: int,
        report: Verification,
    ) -> list[Hit]:
        if self.second is None or self.second.name in report.failed:
            return []
        try:
            lines = self.second.read(pixels)
        except ReaderFailed:
            report.failed.append(self.second.name)
            return []
        size = (pixels.shape[1], pixels.shape[0])
        name = self.second.name
        found = self.finder.entities(lines, size, pass_no=n, reader=name)
        return found + self.finder.residue(lines, known, covered, size, pass_no=n, reader=name)


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """Return the threads that wait on second-engine reads (two at a time per process)."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="pii-verify")


def _distinct(hits: list[Hit]) -> list[Hit]:
    """Drop hits that repeat another's type and box."""
    seen: set[tuple[str, tuple[int, ...]]] = set()
    out = []
    for hit in hits:
        key = (hit.region.type, tuple(hit.region.box))
        if key not in seen and hit.region.box[0] < hit.region.box[2]:
            seen.add(key)
            out.append(hit)
    return out

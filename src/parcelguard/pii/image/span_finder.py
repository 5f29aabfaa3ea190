"""Where personal information is on a photo: the analyzer on OCR lines, and residue of it.

`SpanFinder.entities` joins a reader's lines into one text (a cue on one line still names the
value on the next), runs the analyzer once, and maps each entity back to its characters' quads
on every line it spans. `SpanFinder.residue` looks for what is left of values already found:
on a line over a covered region, any run of four of their characters (a blur that left half a
phone readable); anywhere, the whole value (a second copy the first reader missed).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.division_lexicon import division_lexicon
from parcelguard.pii.entity import Entity
from parcelguard.pii.image.geometry import Quad, bounds, expand, span_quad
from parcelguard.pii.image.ocr_engine import OcrLine
from parcelguard.pii.results import RegionDocument
from parcelguard.pii.text_view import fold
from parcelguard.sensitive import Sensitive

PAD = 0.18  # of the line height, around every covered span
RUN = 4  # characters of a known value that count as still readable over a covered region
_SKIP = frozenset(" -·()（）")


@dataclass(frozen=True)
class Region:
    """One covered region: what it was, where, and which pass and reader found it."""

    type: str
    quad: Quad
    box: list[int]
    pass_no: int = 0
    reader: str = ""

    def as_dict(self) -> RegionDocument:
        """Return the public region document."""
        return {
            "type": self.type,
            "box": self.box,
            "polygon": [[round(x), round(y)] for x, y in self.quad],
            "pass": self.pass_no,
            "reader": self.reader,
        }


@dataclass(frozen=True)
class Hit:
    """A region to cover and the value found there (kept in memory for the residue check)."""

    region: Region
    value: Sensitive


class SpanFinder:
    """Finds the regions of personal information in a reader's lines."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def entities(
        self,
        lines: Sequence[OcrLine],
        size: tuple[int, int],
        *,
        pass_no: int,
        reader: str,
        only: Collection[int] | None = None,
    ) -> list[Hit]:
        """Return a hit per entity per line it covers (lines in `only`, if given)."""
        text = "\n".join(line.text for line in lines)
        starts, at = [], 0
        for line in lines:
            starts.append(at)
            at += len(line.text) + 1
        hits: list[Hit] = []
        for entity in self.analyzer.analyze(text).entities:
            begin = entity.start + _kept_prefix(entity)
            if begin >= entity.end:
                continue
            value = Sensitive(text[begin : entity.end].replace("\n", ""))
            for i, line in enumerate(lines):
                lo = max(begin, starts[i]) - starts[i]
                hi = min(entity.end, starts[i] + len(line.text)) - starts[i]
                if hi > lo and (only is None or i in only):
                    region = _region(entity.type, line.chars[lo:hi], size, pass_no, reader)
                    hits.append(Hit(region, value))
        return hits

    def residue(
        self,
        lines: Iterable[OcrLine],
        known: Sequence[Hit],
        covered: Sequence[Region],
        size: tuple[int, int],
        *,
        pass_no: int,
        reader: str,
    ) -> list[Hit]:
        """Return hits where known values can still be read (see the module docstring)."""
        values = {(hit.region.type, hit.value): _plain(hit.value.reveal()) for hit in known}
        hits: list[Hit] = []
        for line in lines:
            over = touches(line.quad, covered)
            kept = [i for i, ch in enumerate(line.text) if ch not in _SKIP]
            seen = "".join(fold(line.text[i]) for i in kept)
            for (kind, secret), value in values.items():
                need = min(RUN, len(value)) if over else len(value)
                for lo, hi in _runs(seen, value, need):
                    chars = line.chars[kept[lo] : kept[hi - 1] + 1]
                    hits.append(Hit(_region(kind, chars, size, pass_no, reader), secret))
        return hits


def _runs(seen: str, value: str, need: int) -> list[tuple[int, int]]:
    """Return the merged [lo, hi) stretches of `seen` made of runs of `need` chars of `value`."""
    if need < 1 or len(seen) < need:
        return []
    marked = [False] * len(seen)
    pieces = {value[i : i + need] for i in range(len(value) - need + 1)}
    for i in range(len(seen) - need + 1):
        if seen[i : i + need] in pieces:
            marked[i : i + need] = [True] * need
    runs, start = [], None
    for i, flag in enumerate([*marked, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _plain(value: str) -> str:
    return "".join(fold(ch) for ch in value if ch not in _SKIP and not ch.isspace())


def _region(kind: str, chars: Sequence[Quad], size: tuple[int, int], n: int, by: str) -> Region:
    quad = expand(span_quad(chars), PAD)
    return Region(kind, quad, bounds(quad, *size), n, by)


def _touch(a: Quad, b: Quad) -> bool:
    """Return whether the boxes around two quads overlap."""
    ax, ay = [p[0] for p in a], [p[1] for p in a]
    bx, by = [p[0] for p in b], [p[1] for p in b]
    return min(ax) < max(bx) and min(bx) < max(ax) and min(ay) < max(by) and min(by) < max(ay)


def touches(quad: Quad, regions: Iterable[Region]) -> bool:
    """Return whether a quad overlaps any of the regions."""
    return any(_touch(quad, region.quad) for region in regions)


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

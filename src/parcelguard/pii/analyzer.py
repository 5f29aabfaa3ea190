"""`Analyzer`: runs the recognizers over a text and settles overlaps into one set of entities.

Overlaps are settled greedily: the most certain span wins, then the longest, then the type
listed first in the registry (an 18-digit ID is not also a phone or a card). Masked values
take part too, so the 5678 of 138****5678 is never read as something else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from parcelguard.pii.entity import Entity, MaskedSpan, Span
from parcelguard.pii.recognizers import RECOGNIZERS, Recognizer, default_recognizers
from parcelguard.pii.results import ScanDocument
from parcelguard.pii.text_view import TextView
from parcelguard.sensitive import Sensitive

_START_END = itemgetter(1, 2)
_START = itemgetter(1)
_PRIORITY = {name: i for i, name in enumerate(RECOGNIZERS)}


@dataclass(frozen=True)
class Analysis:
    """The entities of one text, and the values in it that were already masked."""

    entities: list[Entity]
    masked: list[MaskedSpan] = field(default_factory=list)

    def as_dict(self) -> ScanDocument:
        """Return the public scan document."""
        return {
            "entities": [e.as_dict() for e in self.entities],
            "masked": [m.as_dict() for m in self.masked],
        }


class Analyzer:
    """Finds personal information with a fixed set of recognizers."""

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        *,
        threshold: float = 0.5,
        lenient: bool = False,
    ) -> None:
        self.recognizers = list(recognizers or default_recognizers(lenient=lenient))
        self.threshold = threshold

    def analyze(self, text: str) -> Analysis:
        """Return the entities and masked values of `text`, in order of position."""
        view = TextView(text)
        spans = [s for r in self.recognizers for s in r.find(view) if s.score >= self.threshold]
        kept = settle(spans)
        entities = [
            Entity(s.type, s.start, s.end, s.score, Sensitive(text[s.start : s.end]))
            for s in kept
            if not s.masked
        ]
        masked = [MaskedSpan(s.type, s.start, s.end) for s in kept if s.masked]
        return Analysis(entities, masked)

    def analyze_many(self, texts: Iterable[str]) -> list[Analysis]:
        """Return the analysis of each text."""
        return [self.analyze(text) for text in texts]


def settle(spans: Iterable[Span]) -> list[Span]:
    """Return non-overlapping spans: most certain first, then longest, then by type priority."""
    by_start = sorted(spans, key=_START_END)
    previous_end = -1
    for span in by_start:
        if span.start < previous_end:
            break
        previous_end = span.end
    else:
        return [s for s in by_start if s.end > s.start]  # nothing overlaps: nothing to settle
    kept: list[Span] = []
    for span in sorted(by_start, key=_rank):
        start, end = span.start, span.end
        if end > start and all(end <= k.start or k.end <= start for k in kept):
            kept.append(span)
    kept.sort(key=_START)
    return kept


def _rank(span: Span) -> tuple[float, int, int]:
    return (-span.score, span.start - span.end, _PRIORITY.get(span.type, 99))

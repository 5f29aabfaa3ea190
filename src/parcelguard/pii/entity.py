"""What a recognizer finds: a typed span of the input, and the entity the analyzer reports.

Offsets are Python string offsets into the original input, end exclusive. The matched text
travels as `Sensitive`, so an entity printed to a log shows its type and offsets only.
"""

from __future__ import annotations

from typing import NamedTuple

from parcelguard.pii.results import EntityDocument, MaskedDocument
from parcelguard.sensitive import Sensitive

ENTITY_TYPES = (
    "PHONE",
    "LANDLINE",
    "ID_CARD",
    "BANK_CARD",
    "NAME",
    "ADDRESS",
    "EMAIL",
    "WAYBILL_NO",
    "PLATE",
)


class Span(NamedTuple):
    """A recognizer's candidate: where, what type, how sure, and whether it is already masked.

    A named tuple rather than a dataclass: recognizers make one per candidate, and a tuple is
    the cheapest immutable record Python builds.
    """

    type: str
    start: int
    end: int
    score: float
    masked: bool = False


class Entity(NamedTuple):
    """A piece of personal information found in a text."""

    type: str
    start: int
    end: int
    score: float
    value: Sensitive

    def __repr__(self) -> str:
        return f"Entity({self.type}, {self.start}:{self.end}, score={self.score:.2f})"

    def as_dict(self) -> EntityDocument:
        """Return the public entity document; this is where the matched text leaves."""
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "text": self.value.reveal(),
            "score": round(self.score, 4),
        }


class MaskedSpan(NamedTuple):
    """A value that is already masked (138****5678, 张*): recognised, not personal information."""

    type: str
    start: int
    end: int

    def as_dict(self) -> MaskedDocument:
        """Return the public document of a masked span."""
        return {"type": self.type, "start": self.start, "end": self.end}

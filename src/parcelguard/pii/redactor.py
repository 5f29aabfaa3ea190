"""Redaction of text: find the entities, then let an operator replace each one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from parcelguard.pii.analyzer import Analysis, Analyzer
from parcelguard.pii.entity import Entity
from parcelguard.pii.operators import Operator
from parcelguard.pii.results import RedactDocument
from parcelguard.sensitive import Sensitive


@dataclass(frozen=True)
class Redaction:
    """The redacted text and the entities of the input that were replaced."""

    text: str
    analysis: Analysis

    @property
    def entities(self) -> list[Entity]:
        """Return the entities found in the input."""
        return self.analysis.entities

    def as_dict(self) -> RedactDocument:
        """Return the public redact document: the text and the input's entities."""
        return {
            "text": self.text,
            "entities": [e.as_dict() for e in self.entities],
            "masked": [m.as_dict() for m in self.analysis.masked],
        }


def apply_operator(text: str, entities: Sequence[Entity], operator: Operator) -> str:
    """Return `text` with each entity replaced by the operator's output, in reading order."""
    pieces: list[str] = []
    at = 0
    for entity in sorted(entities, key=lambda e: e.start):
        pieces += [text[at : entity.start], operator.apply(entity)]
        at = entity.end
    pieces.append(text[at:])
    return "".join(pieces)


def redact(text: str | Sensitive, operator: Operator, analyzer: Analyzer) -> Redaction:
    """Return the redaction of `text`."""
    plain = text.reveal() if isinstance(text, Sensitive) else text
    analysis = analyzer.analyze(plain)
    return Redaction(apply_operator(plain, analysis.entities, operator), analysis)

"""People in free text (a pasted chat, a line of a text dump), found with the PII analyzer.

The `pii` recognizers find phones, names and addresses, masked ones included (138****5678,
张*); each phone is then paired with the nearest name and address on the same line.
"""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.forensics.cells import damaged_pattern, masked_pattern
from parcelguard.forensics.people import LeakedPerson
from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.normalize import normalize_name, normalize_phone
from parcelguard.pii.recognizers import default_recognizers

TYPES = ("PHONE", "LANDLINE", "ADDRESS", "NAME")


@dataclass(frozen=True, slots=True)
class _Found:
    type: str
    start: int
    end: int
    masked: bool


class TextPeople:
    """Finds the people described by a line of free text."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer(default_recognizers(TYPES))

    def people(self, row: int, text: str) -> list[LeakedPerson]:
        """Return one person per phone on the line (or per name with an address when no phone)."""
        analysis = self.analyzer.analyze(text)
        found = [_Found(e.type, e.start, e.end, False) for e in analysis.entities]
        found += [_Found(m.type, m.start, m.end, True) for m in analysis.masked]
        phones = [f for f in found if f.type in ("PHONE", "LANDLINE")]
        names = [f for f in found if f.type == "NAME"]
        addresses = [f for f in found if f.type == "ADDRESS"]
        anchors = phones or [n for n in names if not n.masked]
        people = []
        for anchor in anchors:
            person = LeakedPerson(row)
            if anchor.type != "NAME":
                _set_phone(person, text[anchor.start : anchor.end], anchor.masked)
            name = anchor if anchor.type == "NAME" else _nearest(anchor, names)
            if name is not None:
                value = normalize_name(text[name.start : name.end]).replace(" ", "")
                person.name, person.name_masked = value, name.masked
            address = _nearest(anchor, addresses)
            if address is not None:
                person.address = text[address.start : address.end]
            people.append(person)
        return people


def _set_phone(person: LeakedPerson, value: str, masked: bool) -> None:
    if masked:
        person.pattern = masked_pattern(value)
        return
    person.phone = normalize_phone(value)
    if person.phone is None:
        person.pattern = damaged_pattern(value)


def _nearest(anchor: _Found, candidates: list[_Found]) -> _Found | None:
    def distance(other: _Found) -> int:
        if other.end <= anchor.start:
            return anchor.start - other.end
        return max(0, other.start - anchor.end)

    return min(candidates, key=distance, default=None)

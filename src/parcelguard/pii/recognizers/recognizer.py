"""`Recognizer`: the small base every entity recognizer plugs in through."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import ClassVar

from parcelguard.pii.entity import Span
from parcelguard.pii.text_view import TextView, words

__all__ = ["Recognizer", "context_verdict", "words", "words_pattern"]


class Recognizer(ABC):
    """Finds the spans of one entity type in a text.

    `lenient` is for OCR output, where one misread digit breaks a checksum: validators that
    would reject a whole number for one wrong character (check digit, Luhn) are relaxed, and
    the structure alone (length, prefix, birth date) decides.
    """

    entity_type: ClassVar[str]

    def __init__(self, *, lenient: bool = False) -> None:
        self.lenient = lenient

    @abstractmethod
    def find(self, view: TextView) -> Iterator[Span]:
        """Yield the candidate spans in `view`, masked ones flagged `masked=True`."""

    def span(self, start: int, end: int, score: float, *, masked: bool = False) -> Span:
        """Return a span of this recognizer's type."""
        return Span(self.entity_type, start, end, score if score < 1.0 else 1.0, masked)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lenient={self.lenient})"


def words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """Compile an alternation of literal words, longest first."""
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered))


def context_verdict(
    view: TextView,
    start: int,
    positive: re.Pattern[str],
    negative: re.Pattern[str],
    width: int,
) -> int:
    """Return 1, -1 or 0: whether the nearest cue before `start` speaks for, against, or none.

    The nearest cue wins, so 单号 SF… 电话 138… reads the phone as a phone.
    """
    window = view.before(start, width)
    pos = neg = -1
    for match in positive.finditer(window):  # matches come in order: the last ends last
        pos = match.end()
    for match in negative.finditer(window):
        neg = match.end()
    if pos == neg == -1:
        return 0
    return 1 if pos >= neg else -1

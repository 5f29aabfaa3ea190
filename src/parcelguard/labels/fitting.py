"""Shrink-to-fit: the largest size at which a text fits its zone, wrapped, never overflowing.

A long masked address first wraps, then shrinks down to a legible floor; only then is its
middle elided, keeping the start (the region) and the end (the mask).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parcelguard.labels.fonts import LabelFont

ELLIPSIS = "…"
# Each try is this much smaller than the last: fine enough to fill the zone, few enough to be fast.
_STEP = 0.93
# Runs that must not break across lines: Latin words, numbers, masks; else one character.
_WORD = re.compile(r"[A-Za-z0-9*＊×.\-]+|.", re.DOTALL)
# Stay on one line when that costs no more than this share of the asked size.
_ONE_LINE = 0.86
# Characters kept after the ellipsis: the tail of a masked value is its mask.
_TAIL = 4


@dataclass(frozen=True, slots=True)
class FittedText:
    """A text set to fit: its em size and its lines."""

    size: float
    lines: tuple[str, ...]
    leading: float

    @property
    def height(self) -> float:
        """Return the distance from the first line's top to the last line's baseline."""
        return self.size + (len(self.lines) - 1) * self.size * self.leading


def fit_text(
    font: LabelFont,
    text: str,
    width: float,
    height: float,
    *,
    size: float,
    min_size: float,
    max_lines: int = 1,
    leading: float = 1.18,
) -> FittedText:
    """Return `text` at the largest size ≤ `size` that fits `width` × `height` in ≤ `max_lines`."""
    unit = [font.width(char, 1.0) for char in text]
    single = min(size, width / sum(unit)) if text else size
    if single >= max(min_size, size * _ONE_LINE) and single <= height:
        # A slightly smaller single line reads better than a break in the middle of a word.
        return FittedText(single, (text,), leading)
    current = size
    while True:
        lines = _wrap(text, unit, width / current)
        fitted = FittedText(current, tuple(lines), leading)
        if len(lines) <= max_lines and fitted.height <= height:
            return fitted
        smaller = current * _STEP
        if smaller < min_size:
            return _elided(font, text, width, height, min_size, max_lines, leading)
        current = smaller


def fit_line(
    font: LabelFont, text: str, width: float, *, size: float, min_size: float
) -> FittedText:
    """Return one line of `text` at the largest size ≤ `size` that fits `width`."""
    return fit_text(font, text, width, size, size=size, min_size=min_size)


def _wrap(text: str, unit: list[float], limit: float) -> list[str]:
    """Break `text` greedily before the word that would pass `limit` (widths per unit size).

    A word is one CJK character, or a run of Latin letters, digits and mask characters, so a
    mask (`***`) or a house number is never split across lines unless it alone is too wide.
    """
    lines: list[str] = []
    start, used = 0, 0.0
    for begin, end in _words(text):
        advance = sum(unit[begin:end])
        if used + advance > limit and begin > start:
            lines.append(text[start:begin])
            start, used = begin, 0.0
        if advance > limit:  # a word wider than the line: break it by character
            for i in range(begin, end):
                if used + unit[i] > limit and i > start:
                    lines.append(text[start:i])
                    start, used = i, 0.0
                used += unit[i]
            continue
        used += advance
    lines.append(text[start:])
    return [line.strip() for line in lines if line.strip()] or [""]


def _words(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each unbreakable word of `text`."""
    return [match.span() for match in _WORD.finditer(text)]


def _elided(
    font: LabelFont,
    text: str,
    width: float,
    height: float,
    size: float,
    max_lines: int,
    leading: float,
) -> FittedText:
    """Cut characters from the middle, as few as needed, until the text fits at the floor size."""
    lines_fit = max(1, min(max_lines, int((height - size) // (size * leading)) + 1))
    limit = width / size
    unit = [font.width(char, 1.0) for char in text]
    head, tail = text[:-_TAIL], text[-_TAIL:]
    ellipsis = font.width(ELLIPSIS, 1.0)

    def attempt(keep: int) -> list[str]:
        widths = [*unit[:keep], ellipsis, *unit[len(head) :]]
        return _wrap(head[:keep] + ELLIPSIS + tail, widths, limit)

    low, high = 0, len(head)  # the longest kept head that fits lies in [low, high)
    while low < high - 1:
        middle = (low + high) // 2
        if len(attempt(middle)) <= lines_fit:
            low = middle
        else:
            high = middle
    return FittedText(size, tuple(attempt(low)[:lines_fit]), leading)

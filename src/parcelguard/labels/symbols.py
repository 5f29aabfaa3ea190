"""Barcode geometry shared by the renderers: Code128 bar widths, QR modules, fitting to dots.

Module widths are whole printer dots: a bar that falls between dots prints wider or narrower
than its neighbours, and scanners read the ratios.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import segno
from reportlab.graphics.barcode.code128 import Code128

# Quiet zones, in modules: Code128 wants ten either side, QR four all round.
CODE128_QUIET = 10
QR_QUIET = 4
QR_ERROR = "m"  # 15 % recovery: survives a scuffed corner, keeps the symbol small.


def code128_runs(value: str) -> tuple[int, ...]:
    """Return the Code128 symbol as module widths: bar, space, bar, … (no quiet zones)."""
    symbol = Code128(value)
    symbol.validate()
    symbol.encode()
    symbol.decompose()
    # reportlab spells widths as letters: upper case bars, lower case spaces, A/a = one module.
    return tuple(ord(letter.lower()) - ord("a") + 1 for letter in symbol.decomposed)


def qr_matrix(value: str) -> tuple[bytes, ...]:
    """Return the QR symbol's rows, one byte per module (1 dark), without the quiet zone."""
    symbol = segno.make_qr(value, error=QR_ERROR, boost_error=False)
    return tuple(bytes(row) for row in symbol.matrix)


def module_dots(available_dots: float, modules: int) -> int:
    """Return the widest whole-dot module that fits `modules` into `available_dots` (≥ 1)."""
    return max(1, math.floor(available_dots / modules))


@dataclass(frozen=True, slots=True)
class Span:
    """A horizontal run of dark modules: start module and length, on row `row`."""

    row: int
    start: int
    length: int


def qr_spans(matrix: tuple[bytes, ...]) -> list[Span]:
    """Merge each row's dark modules into runs, so a renderer draws a few rectangles, not many."""
    spans: list[Span] = []
    for row, cells in enumerate(matrix):
        start = -1
        for col, dark in enumerate(cells):
            if dark and start < 0:
                start = col
            elif not dark and start >= 0:
                spans.append(Span(row, start, col - start))
                start = -1
        if start >= 0:
            spans.append(Span(row, start, len(cells) - start))
    return spans


def bar_offsets(runs: tuple[int, ...]) -> list[tuple[int, int]]:
    """Return (start module, width) of each bar of a Code128 run list."""
    bars: list[tuple[int, int]] = []
    position = 0
    for index, width in enumerate(runs):
        if index % 2 == 0:
            bars.append((position, width))
        position += width
    return bars

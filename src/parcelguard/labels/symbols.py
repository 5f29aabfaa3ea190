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


def qr_size(value: str) -> int:
    """Return the QR symbol's width in modules (no quiet zone), as `qr_matrix` would draw it."""
    # The mask never changes the version, so skip choosing the best one: five times faster.
    return int(segno.make_qr(value, error=QR_ERROR, boost_error=False, mask=0).symbol_size(1, 0)[0])


def module_dots(available_dots: float, modules: int) -> int:
    """Return the widest whole-dot module that fits `modules` into `available_dots` (≥ 1)."""
    return max(1, math.floor(available_dots / modules))


@dataclass(frozen=True, slots=True)
class Block:
    """A rectangle of dark modules: column, row, width and height in modules."""

    col: int
    row: int
    width: int
    height: int


def qr_blocks(matrix: tuple[bytes, ...]) -> list[Block]:
    """Cover the dark modules with few rectangles: row runs, stacked where rows repeat.

    A renderer then draws a few hundred rectangles instead of one per module.
    """
    blocks: list[Block] = []
    open_runs: dict[tuple[int, int], int] = {}  # (col, width) -> first row
    for row, cells in enumerate(matrix):
        runs = set(_row_runs(cells))
        for run, first in list(open_runs.items()):
            if run not in runs:
                blocks.append(Block(run[0], first, run[1], row - first))
                del open_runs[run]
        for run in runs:
            open_runs.setdefault(run, row)
    blocks.extend(
        Block(col, first, width, len(matrix) - first) for (col, width), first in open_runs.items()
    )
    return sorted(blocks, key=lambda block: (block.row, block.col))


def _row_runs(cells: bytes) -> list[tuple[int, int]]:
    """Return (start column, width) of each run of dark modules in one row."""
    runs: list[tuple[int, int]] = []
    start = -1
    for col, dark in enumerate(cells):
        if dark and start < 0:
            start = col
        elif not dark and start >= 0:
            runs.append((start, col - start))
            start = -1
    if start >= 0:
        runs.append((start, len(cells) - start))
    return runs


def bar_offsets(runs: tuple[int, ...]) -> list[tuple[int, int]]:
    """Return (start module, width) of each bar of a Code128 run list."""
    bars: list[tuple[int, int]] = []
    position = 0
    for index, width in enumerate(runs):
        if index % 2 == 0:
            bars.append((position, width))
        position += width
    return bars

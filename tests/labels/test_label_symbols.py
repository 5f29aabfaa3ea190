"""Barcode geometry: Code128 widths, QR rectangles that cover exactly the dark modules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.labels.symbols import (
    bar_offsets,
    code128_runs,
    module_dots,
    qr_blocks,
    qr_matrix,
    qr_size,
)


def test_code128_runs_are_a_valid_symbol() -> None:
    runs = code128_runs("PG7531024681357")
    assert len(runs) % 2 == 1  # starts and ends with a bar
    assert all(1 <= width <= 4 for width in runs)
    assert (sum(runs) - 13) % 11 == 0  # 11 modules a symbol, 13 for the stop pattern
    assert runs[:6] == (2, 1, 1, 2, 1, 4)  # start code B
    assert bar_offsets((2, 1, 3)) == [(0, 2), (3, 3)]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.booleans(), min_size=9, max_size=9).map(bytes), min_size=9, max_size=9
    ).map(tuple)
)
def test_qr_blocks_cover_exactly_the_dark_modules(matrix: tuple[bytes, ...]) -> None:
    covered = [[0] * 9 for _ in range(9)]
    for block in qr_blocks(matrix):
        for row in range(block.row, block.row + block.height):
            for col in range(block.col, block.col + block.width):
                assert covered[row][col] == 0
                covered[row][col] = 1
    assert [bytes(row) for row in covered] == list(matrix)


def test_qr_blocks_are_fewer_than_modules() -> None:
    matrix = qr_matrix("https://pg.example/s/kTn2thYjxXscKCTARhZQxG")
    assert len(qr_blocks(matrix)) < sum(sum(row) for row in matrix) / 2
    assert qr_size("https://pg.example/s/kTn2thYjxXscKCTARhZQxG") == len(matrix)


def test_module_dots() -> None:
    assert module_dots(640, 156) == 4
    assert module_dots(10, 156) == 1

"""A row of leaked material as read, shared by the readers (`leak_reader`, `leak_jsonl`)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_CELL = 4096  # a cell is cut to this many characters


@dataclass(frozen=True, slots=True)
class LeakRow:
    """One row as read: its number (as an editor or spreadsheet shows it) and its cells."""

    row: int
    cells: tuple[str, ...]

    def __repr__(self) -> str:
        return f"LeakRow(row={self.row}, cells={len(self.cells)})"

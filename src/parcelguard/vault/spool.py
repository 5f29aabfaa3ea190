"""A list that spills to a temporary file, so a million-row import report stays flat in memory.

Only waybill numbers and error records (row, field, code, message) go in: never values.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import Any


class Spool:
    """Append-only JSON records kept in memory up to `limit`, then on disk."""

    def __init__(self, limit: int = 10_000) -> None:
        self._items: list[Any] = []
        self._file: Any = None
        self._limit = limit
        self.count = 0

    def append(self, item: Any) -> None:
        """Add one record."""
        self.count += 1
        if self._file is None and len(self._items) < self._limit:
            self._items.append(item)
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
            for old in self._items:
                self._file.write(json.dumps(old, ensure_ascii=False) + "\n")
            self._items = []
        self._file.write(json.dumps(item, ensure_ascii=False) + "\n")

    def __iter__(self) -> Iterator[Any]:
        if self._file is None:
            yield from self._items
            return
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)
        self._file.seek(0, 2)

    def __len__(self) -> int:
        return self.count

    def close(self) -> None:
        """Delete the temporary file."""
        if self._file is not None:
            self._file.close()
            self._file = None

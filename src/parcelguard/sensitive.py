"""`Sensitive`: plaintext PII in a type that prints as `***`.

This value must never be written to a log, an exception message, a metric or a snapshot: its
`repr` and `str` hide it, and the only way to the text is the explicit `reveal()`.
"""

from __future__ import annotations

from typing import Any


class Sensitive:
    """A piece of plaintext personal information."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the plaintext; call only where it is meant to leave the process."""
        return self._value

    def __repr__(self) -> str:
        return "Sensitive('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Sensitive", self._value))

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("Sensitive values are not pickled")

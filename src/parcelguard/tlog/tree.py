"""The growing tree: the frontier of perfect subtrees, and how a range splits into them.

A perfect subtree is named `(level, index)`: it covers the leaves
`[index << level, (index + 1) << level)`. A tree of size n is the perfect subtrees of n's
binary digits, largest first (the *frontier*); its root folds them from the right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from parcelguard.tlog.hashing import EMPTY_ROOT, HASH_SIZE, node_hash

Subtree = tuple[int, int]


def perfect_subtrees(lo: int, hi: int) -> list[Subtree]:
    """Split the leaves `[lo, hi)` into maximal aligned perfect subtrees, left to right."""
    found: list[Subtree] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo:
            level = min(level, (lo & -lo).bit_length() - 1)
        found.append((level, lo >> level))
        lo += 1 << level
    return found


def fold(hashes: Iterable[bytes]) -> bytes:
    """Return the RFC 6962 hash of a range given its perfect subtrees' hashes, left to right."""
    ordered = list(hashes)
    if not ordered:
        return EMPTY_ROOT
    root = ordered[-1]
    for left in reversed(ordered[:-1]):
        root = node_hash(left, root)
    return root


@dataclass
class Frontier:
    """The hashes of the perfect subtrees making up a tree of `size` leaves, largest first."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.hashes) != self.size.bit_count():
            raise ValueError(
                f"a tree of {self.size} leaves has {self.size.bit_count()} frontier hashes, "
                f"not {len(self.hashes)}"
            )

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the perfect subtrees it completed as (level, index, hash)."""
        completed: list[tuple[int, int, bytes]] = []
        carry, n, level = leaf, self.size, 0
        while n & 1:
            carry = node_hash(self.hashes.pop(), carry)
            n >>= 1
            level += 1
            completed.append((level, self.size >> level, carry))
        self.hashes.append(carry)
        self.size += 1
        return completed

    def root(self) -> bytes:
        """Return the tree's root hash (SHA-256 of nothing when empty)."""
        return fold(self.hashes)

    def to_bytes(self) -> bytes:
        """Return the frontier as concatenated hashes (what the head row stores)."""
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        """Rebuild a frontier stored by `to_bytes`."""
        if len(data) % HASH_SIZE:
            raise ValueError("a stored frontier is a whole number of 32-byte hashes")
        hashes = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        return cls(size, hashes)

    def copy(self) -> Frontier:
        """Return an independent copy."""
        return Frontier(self.size, list(self.hashes))

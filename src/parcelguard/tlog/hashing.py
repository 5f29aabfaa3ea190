"""RFC 6962 hashing: a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 || l || r)."""

from __future__ import annotations

import hashlib

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """Return the Merkle hash of one leaf."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the Merkle hash of an interior node over its two children."""
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """Return k, the largest power of two smaller than n (n > 1), where RFC 6962 splits."""
    return 1 << ((n - 1).bit_length() - 1)

"""The audit log's event MAC: HMAC-SHA256 of each leaf hash under a key kept in the keyring.

Someone who can write the database but not read the keyring cannot make an event that
verifies, so the events appended since the last signed checkpoint cannot be forged either.
"""

from __future__ import annotations

import hmac


class EventMac:
    """Tags and checks audit leaves; the key is never printed nor stored by this object."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the audit MAC key is 32 bytes")
        self._key = key

    def tag(self, leaf_hash: bytes) -> bytes:
        """Return the 32-byte MAC (HMAC-SHA256) of a leaf hash."""
        # one call into OpenSSL: verification tags every event of the log
        return hmac.digest(self._key, leaf_hash, "sha256")

    def matches(self, leaf_hash: bytes, tag: bytes | None) -> bool:
        """Return whether `tag` is the MAC of `leaf_hash` (constant time)."""
        return tag is not None and hmac.compare_digest(self.tag(leaf_hash), tag)

    def __reduce__(self) -> tuple[type[EventMac], tuple[bytes]]:
        # Only for the verification workers this process starts (audit/verify_chunks.py):
        # the key travels over their pipe, never to disk.
        return EventMac, (self._key,)

    def __repr__(self) -> str:
        return "EventMac(***)"

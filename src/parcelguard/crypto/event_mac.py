"""The audit log's event MAC: HMAC-SHA256 of each leaf hash under a key kept in the keyring.

Someone who can write the database but not read the keyring cannot make an event that
verifies, so the events appended since the last signed checkpoint cannot be forged either.
"""

from __future__ import annotations

import hashlib
import hmac


class EventMac:
    """Tags and checks audit leaves; the key never leaves this object."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the audit MAC key is 32 bytes")
        # The HMAC state with the key absorbed: each tag copies it (verification tags every
        # event of the log, a million of them in seconds).
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def tag(self, leaf_hash: bytes) -> bytes:
        """Return the 32-byte MAC (HMAC-SHA256) of a leaf hash."""
        mac = self._keyed.copy()
        mac.update(leaf_hash)
        return mac.digest()

    def matches(self, leaf_hash: bytes, tag: bytes | None) -> bool:
        """Return whether `tag` is the MAC of `leaf_hash` (constant time)."""
        return tag is not None and hmac.compare_digest(self.tag(leaf_hash), tag)

    def __repr__(self) -> str:
        return "EventMac(***)"

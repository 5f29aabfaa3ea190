"""`HashOperator`: replaces each value with a keyed digest, `<PHONE:3f9a…>`.

Never an unkeyed hash: there are only about 10^9 mobile numbers, so a bare SHA-256 of one is
reversed by trying them all. The key is the tenant's (the CLI derives it from the keyring's
blind-index key), so equal values give equal digests within a tenant and nothing outside it.
"""

from __future__ import annotations

import hashlib
import hmac

from parcelguard.errors import InvalidInput
from parcelguard.pii.canonical import canonical
from parcelguard.pii.entity import Entity
from parcelguard.pii.operators.operator import Operator

MIN_KEY_BYTES = 16


class HashOperator(Operator):
    """Replaces values with HMAC-SHA256 digests of their canonical form, under a tenant key."""

    name = "hash"

    def __init__(self, key: bytes, *, hex_chars: int = 16) -> None:
        if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
            raise InvalidInput(
                "the hash operator needs a key of at least 16 bytes", code="hash_key_required"
            )
        self._key = key
        self.hex_chars = max(8, min(64, hex_chars))

    def digest(self, entity_type: str, value: str) -> str:
        """Return the hex digest of a value as `entity_type` (comparable across texts)."""
        message = f"pii\x1f{entity_type}\x1f{canonical(entity_type, value)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[: self.hex_chars]

    def apply(self, entity: Entity) -> str:
        """Return `<TYPE:digest>`."""
        return f"<{entity.type}:{self.digest(entity.type, entity.value.reveal())}>"

    def __repr__(self) -> str:
        return "HashOperator(key=***)"

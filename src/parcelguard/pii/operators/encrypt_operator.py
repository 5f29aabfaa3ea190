"""`EncryptOperator`: replaces each value with its AES-256-GCM ciphertext, reversible with the key.

The token is `<TYPE:enc:base64url>`; the associated data binds it to its type and an optional
context (a tenant or a document id), so a token cannot be moved to another type or context.
`decrypt` turns every token in a text back, and fails as a whole on any altered token.
"""

from __future__ import annotations

import base64
import binascii
import re

from parcelguard.crypto import FieldCipher
from parcelguard.errors import IntegrityError, InvalidInput
from parcelguard.pii.entity import ENTITY_TYPES, Entity
from parcelguard.pii.operators.operator import Operator
from parcelguard.sensitive import Sensitive

KEY_BYTES = 32
TOKEN = re.compile(r"<(?P<type>[A-Z_]+):enc:(?P<blob>[A-Za-z0-9_\-]+)>")


class EncryptOperator(Operator):
    """Encrypts values under a vault key (32 bytes, e.g. `crypto.new_data_key()`)."""

    name = "encrypt"
    reversible = True

    def __init__(self, key: bytes, *, context: str = "") -> None:
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise InvalidInput(
                "the encrypt operator needs a 32-byte vault key", code="vault_key_required"
            )
        self._cipher = FieldCipher(key)
        self.context = context

    def _aad(self, entity_type: str) -> bytes:
        return f"pg-pii1\x1f{self.context}\x1f{entity_type}".encode()

    def apply(self, entity: Entity) -> str:
        """Return `<TYPE:enc:…>` holding the sealed value."""
        blob = self._cipher.seal(entity.value.reveal(), self._aad(entity.type))
        return f"<{entity.type}:enc:{base64.urlsafe_b64encode(blob).decode().rstrip('=')}>"

    def decrypt(self, text: str) -> Sensitive:
        """Return `text` with every token opened; `IntegrityError` if any was altered."""
        return Sensitive(TOKEN.sub(lambda m: self._open(m).reveal(), text))

    def _open(self, match: re.Match[str]) -> Sensitive:
        kind = match.group("type")
        if kind not in ENTITY_TYPES:
            raise IntegrityError("an encrypted token names no known type", code="bad_token")
        blob = match.group("blob")
        try:
            raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        except (binascii.Error, ValueError):
            raise IntegrityError("an encrypted token is not valid", code="bad_token") from None
        return self._cipher.open(raw, self._aad(kind))

    def __repr__(self) -> str:
        return "EncryptOperator(key=***)"

"""Ed25519 signatures for audit checkpoints."""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class CheckpointSigner:
    """Signs and verifies checkpoint statements with the keyring's Ed25519 key."""

    def __init__(self, private_key: bytes) -> None:
        self._private = Ed25519PrivateKey.from_private_bytes(private_key)
        self._public_raw = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = hashlib.sha256(self._public_raw).hexdigest()[:16]

    @staticmethod
    def generate() -> bytes:
        """Return a new raw private key."""
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        return Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )

    def sign(self, statement: bytes) -> bytes:
        """Return the signature of `statement`."""
        return self._private.sign(statement)

    def verify(self, statement: bytes, signature: bytes) -> bool:
        """Return whether `signature` is ours over `statement`."""
        try:
            Ed25519PublicKey.from_public_bytes(self._public_raw).verify(signature, statement)
        except InvalidSignature:
            return False
        return True

    def public_key(self) -> bytes:
        """Return the raw public key, for verifiers elsewhere."""
        return self._public_raw

    def __repr__(self) -> str:
        return f"CheckpointSigner(key_id={self.key_id})"

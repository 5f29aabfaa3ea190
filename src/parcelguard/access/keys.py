"""API key format and hashing: `pg_<key id>_<secret>`; only the secret's hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "pg"


def new_key() -> tuple[str, str, bytes]:
    """Return (key id, full key to show once, hash to store)."""
    key_id = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return key_id, f"{PREFIX}_{key_id}_{secret}", hash_secret(secret)


def split_key(presented: str) -> tuple[str, str] | None:
    """Return (key id, secret) of a presented key, or None when it is not one of ours."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 8:
        return None
    return parts[1], parts[2]


def hash_secret(secret: str) -> bytes:
    """Return the stored form of a key's secret (256 random bits need no slow hash)."""
    return hashlib.sha256(secret.encode()).digest()


def matches(secret: str, stored: bytes) -> bool:
    """Compare in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored)

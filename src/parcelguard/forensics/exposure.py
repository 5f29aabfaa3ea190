"""Exposure check: was a phone number in a leak we traced, without the server learning which.

Two digests of every phone in a traced leak are stored, never the number:

* `digest`: HMAC-SHA256 under a key derived from the index key for "exposure" — a different
  key from the blind index, so the table cannot be joined to `parties`; operators check a
  number with it (`exposure check --phone`).
* `public_hash`: hex(SHA-256(UTF-8(salt ‖ E.164))) with a public per-tenant salt
  (`GET /api/v1/exposure/salt`). A browser computes it, sends its first five hex digits, and
  gets back every stored suffix under that prefix, padded with random decoys to a fixed bucket
  size and shuffled, then compares locally. Twenty bits of prefix cover about 4,000 possible
  mobile numbers each, so the server never learns which one was checked.

The public hash is enumerable (there are few mobile numbers); that is acceptable because it
only ever covers numbers that are already public in a leaked list, and the range endpoint is
rate-limited so the table cannot be walked quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.errors import InvalidInput
from parcelguard.forensics.models import ExposedPhone
from parcelguard.forensics.results import ExposureBucket, ExposureSalt
from parcelguard.pii.normalize import Phone
from parcelguard.runtime import Runtime

PREFIX_LENGTH = 5
BUCKET_SIZE = 64
HASH_LENGTH = 64
RECIPE = "hex(SHA-256(UTF-8(salt + e164)))[:5]"
_PREFIX = re.compile(r"[0-9a-f]{5}")
_RECORD = 16 + 32
INSERT_BATCH = 5000


class ExposureHasher:
    """Computes both digests of a phone for one tenant."""

    __slots__ = ("_key", "salt", "tenant_id")

    def __init__(self, key: bytes, tenant_id: str, salt: str) -> None:
        self._key, self.tenant_id, self.salt = key, tenant_id, salt

    def keyed(self, e164: str) -> bytes:
        """Return the keyed digest (internal joins only)."""
        message = f"{self.tenant_id}\x1f{e164}".encode()
        return hmac.digest(self._key, message, "sha256")[:16]

    def public(self, e164: str) -> str:
        """Return the public-salted SHA-256 the browser computes too."""
        return hashlib.sha256((self.salt + e164).encode()).hexdigest()

    def __repr__(self) -> str:
        return "ExposureHasher(key=***)"


def hasher_for(rt: Runtime) -> ExposureHasher:
    """Return the tenant's exposure hasher (keys derived from the index key: two HMACs)."""
    index = rt.keyring.index
    salt_key = index.derive("exposure-public-salt")
    salt = hmac.new(salt_key, rt.tenant.encode(), hashlib.sha256).hexdigest()[:32]
    return ExposureHasher(index.derive("exposure"), rt.tenant, salt)


def salt_document(rt: Runtime) -> ExposureSalt:
    """Return what a browser needs to compute the range query's prefix."""
    return {
        "salt": hasher_for(rt).salt,
        "algorithm": "sha256",
        "input": "salt + E.164 phone, UTF-8 (e.g. salt + '+8613812345678')",
        "prefix_length": PREFIX_LENGTH,
        "recipe": RECIPE,
        "range": "/api/v1/exposure/range/{prefix}",
    }


class ExposureSpool:
    """The phones of a leak being traced, as digests in a temporary file (flat memory)."""

    def __init__(self, hasher: ExposureHasher) -> None:
        self.hasher = hasher
        self.count = 0
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()

    def add(self, phone: Phone) -> None:
        """Spool the two digests of one phone seen in the leak."""
        e164 = phone.e164
        self._file.write(self.hasher.keyed(e164) + bytes.fromhex(self.hasher.public(e164)))
        self.count += 1

    def records(self) -> Iterator[tuple[bytes, str]]:
        """Yield (keyed digest, public hash) of every spooled phone."""
        self._file.seek(0)
        while chunk := self._file.read(_RECORD * 4096):
            for at in range(0, len(chunk), _RECORD):
                yield chunk[at : at + 16], chunk[at + 16 : at + _RECORD].hex()

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()


def store(
    session: Session, tenant_id: str, leak_id: str, leaked_on: date, spool: ExposureSpool
) -> int:
    """Insert the spooled phones for a leak (each phone once); return how many were spooled."""
    statement = _insert_ignoring(session)
    batch: list[dict[str, Any]] = []
    for digest, public in spool.records():
        batch.append(
            {
                "tenant_id": tenant_id,
                "digest": digest,
                "leak_id": leak_id,
                "public_hash": public,
                "leaked_on": leaked_on,
            }
        )
        if len(batch) >= INSERT_BATCH:
            session.execute(statement, batch)
            batch = []
    if batch:
        session.execute(statement, batch)
    return spool.count


def _insert_ignoring(session: Session) -> Any:
    """Return an INSERT of exposed phones that skips rows already there (both backends)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(ExposedPhone).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(ExposedPhone).on_conflict_do_nothing()


def leaks_of(session: Session, hasher: ExposureHasher, phone: Phone) -> list[dict[str, str]]:
    """Return the traced leaks a phone appeared in (leak id and day), oldest first."""
    query = (
        select(ExposedPhone.leak_id, ExposedPhone.leaked_on)
        .where(
            ExposedPhone.tenant_id == hasher.tenant_id,
            ExposedPhone.digest == hasher.keyed(phone.e164),
        )
        .order_by(ExposedPhone.leaked_on, ExposedPhone.leak_id)
    )
    return [{"leak_id": lid, "leaked_on": day.isoformat()} for lid, day in session.execute(query)]


def bucket(
    session: Session, tenant_id: str, prefix: str, size: int = BUCKET_SIZE
) -> ExposureBucket:
    """Return the stored suffixes under a prefix, padded with decoys to a multiple of `size`."""
    prefix = prefix.strip().lower()
    if not _PREFIX.fullmatch(prefix):
        raise InvalidInput(
            f"the prefix must be exactly {PREFIX_LENGTH} hex digits", code="invalid_prefix"
        )
    query = (
        select(ExposedPhone.public_hash)
        .distinct()
        .where(
            ExposedPhone.tenant_id == tenant_id,
            ExposedPhone.public_hash >= prefix,
            ExposedPhone.public_hash < prefix + "g",  # every hex digit sorts before "g"
        )
    )
    real = [value[PREFIX_LENGTH:] for value in session.scalars(query)]
    total = size * max(1, math.ceil(len(real) / size))
    width = HASH_LENGTH - PREFIX_LENGTH
    suffixes = real + [os.urandom(32).hex()[:width] for _ in range(total - len(real))]
    secrets.SystemRandom().shuffle(suffixes)
    return {"prefix": prefix, "suffixes": suffixes, "bucket_size": total}

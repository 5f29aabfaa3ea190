"""The format-1 writer as ParcelGuard had it before the header: to make "existing" stored data.

Format 1 is never written by ParcelGuard any more; these helpers reproduce it (the vector in
`test_sealed_format.py`, made by the older release, pins the same layout) so tests can stand for
a database sealed by an older release.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.crypto import FieldCipher, Keyring, SealedTable, WrappedKey, field_aad
from parcelguard.crypto.envelope import DATA_KEY_FIELD

NONCE = 12


def legacy_seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Seal as format 1: nonce, ciphertext and tag, bound to the context alone."""
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def legacy_wrap(keyring: Keyring, data_key: bytes, epoch: date, aad: bytes) -> WrappedKey:
    """Wrap as format 1: the KMS layer, then the epoch layer, the version in the row only."""
    version = keyring.kms.active_version()
    inner = keyring.kms.wrap(version, data_key, aad)
    epoch_cipher = keyring._epoch_cipher(epoch, create=True)  # the layer's key, as before
    return WrappedKey(version, epoch, legacy_seal_with(epoch_cipher, inner, aad), 1)


def legacy_seal_with(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    """Seal as format 1 under an AEAD already built."""
    nonce = os.urandom(NONCE)
    return nonce + aead.encrypt(nonce, plaintext, aad)


def downgrade_row(keyring: Keyring, tenant: str, table: SealedTable, row: Any) -> None:
    """Rewrite a format-2 row of `table` as an older release would have stored it."""
    owner = table.owner_of(row)
    key_aad = field_aad(tenant, owner, DATA_KEY_FIELD)
    current = WrappedKey(
        getattr(row, table.kek_column),
        table.epoch_of(row),
        getattr(row, table.key_column),
        getattr(row, table.format_column),
    )
    data_key = keyring.unwrap_data_key(current, key_aad)
    cipher = FieldCipher(data_key)
    for name, column in table.fields.items():
        blob = getattr(row, column)
        if blob is not None:
            aad = field_aad(tenant, owner, name)
            setattr(row, column, legacy_seal(data_key, cipher.open_bytes(blob, aad), aad))
    old = legacy_wrap(keyring, data_key, current.epoch, key_aad)
    setattr(row, table.key_column, old.blob)
    setattr(row, table.kek_column, old.kek_version)
    setattr(row, table.format_column, 1)

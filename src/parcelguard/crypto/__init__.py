"""Keys and encryption; the only package that imports `cryptography`."""

from parcelguard.crypto.blind_index import BlindIndex
from parcelguard.crypto.config import SealingConfig
from parcelguard.crypto.envelope import Envelope
from parcelguard.crypto.event_mac import EventMac
from parcelguard.crypto.keyring import Keyring, KeyringStatus, WrappedKey
from parcelguard.crypto.kms import InMemoryKms, KmsProvider
from parcelguard.crypto.note import NoteError, NoteSigner, NoteVerifier
from parcelguard.crypto.seal import FieldCipher, field_aad, new_data_key
from parcelguard.crypto.sealed_columns import (
    SealedTable,
    register_sealed,
    sealed_tables,
)
from parcelguard.crypto.sealed_format import SealPolicy
from parcelguard.crypto.signing import CheckpointSigner

__all__ = [
    "BlindIndex",
    "CheckpointSigner",
    "Envelope",
    "EventMac",
    "FieldCipher",
    "InMemoryKms",
    "Keyring",
    "KeyringStatus",
    "KmsProvider",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "SealPolicy",
    "SealedTable",
    "SealingConfig",
    "WrappedKey",
    "field_aad",
    "new_data_key",
    "register_sealed",
    "sealed_tables",
]

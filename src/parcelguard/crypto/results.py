"""What the crypto layer returns as JSON-shaped dicts (TypedDicts, so the files are unchanged).

The keyring file itself (`KeyStore.read`/`update`) stays a plain dict: its `secrets` and `epochs`
are keyed by name and by day. `Envelope.seal_new` answers column values keyed by column name.
"""

from __future__ import annotations

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict


class KeyringEntry(TypedDict):
    """A key in the keyring file, wrapped by the KMS: KEK version `v`, base64 blob `w`."""

    v: int
    w: str


class LocalKek(TypedDict):
    """A local KEK in the keyring file (development and single-host deployments)."""

    key: str
    created_at: str


class LocalKmsEntries(TypedDict):
    """The keyring entries of a fresh local provider (KEK version 1)."""

    keks: dict[str, LocalKek]
    active_kek: int


class KmsCustody(TypedDict):
    """Where the KEKs are and whether any of them could ever leave the token (doctor check)."""

    token: str
    library: str
    versions: list[int]
    extractable: bool
    never_extractable: bool
    generated_in_token: bool

"""The log's view of its witnesses: remote ones over HTTP, and the local one in its own folder.

Both speak c2sp.org/tlog-witness: `add_checkpoint(body)` returns the witness's answer, and
`latest(origin)` returns the newest checkpoint it cosigned (ParcelGuard's read endpoint,
`GET /checkpoint?origin=`), which `audit verify` compares with the database.
"""

from __future__ import annotations

import logging
from typing import Protocol
from urllib.parse import quote

import httpx

from parcelguard.audit.config import audit_config, local_witness_home, origin_for
from parcelguard.crypto import NoteError, NoteVerifier
from parcelguard.errors import ConfigError
from parcelguard.runtime import Runtime
from parcelguard.witness.service import Answer, Witness

log = logging.getLogger("parcelguard.audit")


class WitnessUnreachable(Exception):
    """The witness did not answer (network, timeout, missing home)."""


class WitnessClient(Protocol):
    """A witness the log talks to; `verifier` checks its cosignatures."""

    label: str
    verifier: NoteVerifier

    def add_checkpoint(self, body: bytes) -> Answer:
        """Submit an add-checkpoint request body; return the answer."""

    def latest(self, origin: str) -> str | None:
        """Return the newest checkpoint note it cosigned for `origin`, or None."""


class HttpWitness:
    """A remote witness at a URL prefix."""

    def __init__(self, label: str, url: str, verifier: NoteVerifier, timeout: float) -> None:
        self.label = label
        self.url = url.rstrip("/")
        self.verifier = verifier
        self.timeout = timeout

    def add_checkpoint(self, body: bytes) -> Answer:
        """POST `<url>/add-checkpoint`."""
        try:
            r = httpx.post(f"{self.url}/add-checkpoint", content=body, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise WitnessUnreachable(f"{self.label}: {type(exc).__name__}") from None
        return Answer(r.status_code, r.text, r.headers.get("content-type", ""))

    def latest(self, origin: str) -> str | None:
        """GET `<url>/checkpoint?origin=`."""
        try:
            r = httpx.get(
                f"{self.url}/checkpoint?origin={quote(origin, safe='')}", timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise WitnessUnreachable(f"{self.label}: {type(exc).__name__}") from None
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            raise WitnessUnreachable(f"{self.label}: HTTP {r.status_code}")
        return r.text


class LocalWitness:
    """The witness kept in a folder beside the home (own key, own SQLite file)."""

    def __init__(self, witness: Witness) -> None:
        self.witness = witness
        self.label = "local"
        self.verifier = witness.signer.verifier

    def add_checkpoint(self, body: bytes) -> Answer:
        """Hand the request to the witness in-process."""
        return self.witness.add_checkpoint(body)

    def latest(self, origin: str) -> str | None:
        """Read the witness's newest cosigned checkpoint."""
        found = self.witness.latest(origin)
        return None if found is None else found.note


def witnesses_for(rt: Runtime, *, create: bool) -> list[WitnessClient]:
    """Return the configured witnesses; `create` sets up the local one on first use."""
    config = audit_config(rt.settings)
    found: list[WitnessClient] = []
    for entry in config.witnesses:
        try:
            verifier = NoteVerifier.from_vkey(entry.public_key)
        except NoteError as exc:
            raise ConfigError(f"[audit] witness {entry.name}: public_key: {exc}") from None
        found.append(HttpWitness(entry.name, entry.url, verifier, config.witness_timeout_seconds))
    if config.local_witness:
        local = local_witness(rt, create=create)
        if local is not None:
            found.append(local)
    return found


def local_witness(rt: Runtime, *, create: bool) -> LocalWitness | None:
    """Open the local witness (creating it, and trusting this log's key, when `create`)."""
    home = local_witness_home(rt.settings)
    if not create and not (home / "witness.key").exists():
        return None
    witness = Witness.init(home, clock=rt.clock) if create else Witness(home, clock=rt.clock)
    if create:
        origin = origin_for(rt.settings, rt.tenant)
        witness.trust(rt.keyring.log_signer(origin).verifier.vkey())
    return LocalWitness(witness)

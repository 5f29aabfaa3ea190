"""The audit log's keys: the event MAC and the checkpoint signer.

A module of its own, so the log's readers (`verify`, `checkpoints`, `legacy`, `proofs`) name
the keys without importing the `Auditor` that appends (no import cycle).
"""

from __future__ import annotations

from collections.abc import Callable

from parcelguard.crypto import EventMac, Keyring, NoteSigner


class LogKeys:
    """The log's keys, from the keyring (never the database): event MAC and checkpoint signer.

    The signer is unwrapped on first use: appending needs only the MAC, so building an
    `Auditor` for each use costs nothing (checkpoints and proofs are rare).
    """

    __slots__ = ("_make_signer", "_signer", "mac")

    def __init__(
        self,
        mac: EventMac,
        signer: NoteSigner | None = None,
        *,
        make_signer: Callable[[], NoteSigner] | None = None,
    ) -> None:
        if signer is None and make_signer is None:
            raise ValueError("LogKeys needs a signer or a way to make one")
        self.mac = mac
        self._signer = signer
        self._make_signer = make_signer

    @property
    def signer(self) -> NoteSigner:
        """Return the checkpoint signer (unwrapped from the keyring on first use)."""
        if self._signer is None:
            assert self._make_signer is not None
            self._signer = self._make_signer()
        return self._signer

    @property
    def origin(self) -> str:
        """Return the log's origin line (its signing key's name)."""
        return self.signer.name

    @classmethod
    def from_keyring(cls, keyring: Keyring, origin: str) -> LogKeys:
        """Return the keys of the log named `origin`."""
        return cls(keyring.audit_mac, make_signer=lambda: keyring.log_signer(origin))

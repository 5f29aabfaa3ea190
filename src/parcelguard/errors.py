"""Typed errors, one hierarchy; mapped to HTTP statuses in `app.py` and exit codes in `cli.py`.

    ParcelGuardError
    ├── InvalidInput      bad request, parameter, row or field        400 / 422 · exit 1
    │   ├── PartlyDone    some rows rejected, the rest landed          422       · exit 3
    │   └── TooLarge      over a size, pixel or count limit             413       · exit 1
    ├── NotAuthenticated  no or bad credentials                        401       · exit 5
    ├── Denied            policy said no (carries a reason code)       403       · exit 5
    ├── NotFound          no such shipment, principal, token …         404       · exit 1
    ├── Conflict          state does not allow it, duplicates          409       · exit 1
    ├── RateLimited       too many attempts                            429       · exit 1
    ├── IntegrityError    ciphertext, audit chain or keyring tampered  500       · exit 4
    ├── ConfigError       unsafe or broken configuration               500       · exit 1
    └── Unavailable       a device or service did not answer (printer) 500       · exit 1

Messages never carry plaintext PII or key material: callers pass codes, field names and row
numbers, never values.
"""

from __future__ import annotations

from typing import Any


class ParcelGuardError(Exception):
    """Base of every error ParcelGuard raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidInput(ParcelGuardError):
    """The request, a parameter, a row or a field is not acceptable."""

    code = "invalid_input"


class PartlyDone(InvalidInput):
    """Some rows were rejected while the others were stored."""

    code = "partly_done"


class TooLarge(InvalidInput):
    """The request, or a file in it, is over a size, pixel or count limit (the message names it)."""

    code = "too_large"


class NotAuthenticated(ParcelGuardError):
    """No credentials, or credentials that are unknown, revoked or expired."""

    code = "not_authenticated"


class Denied(ParcelGuardError):
    """The policy refused; `code` is the reason code that was audited."""

    code = "denied"


class NotFound(ParcelGuardError):
    """The thing asked for does not exist in this tenant."""

    code = "not_found"


class Conflict(ParcelGuardError):
    """The current state does not allow the change."""

    code = "conflict"


class RateLimited(ParcelGuardError):
    """Too many attempts in the window."""

    code = "rate_limited"


class IntegrityError(ParcelGuardError):
    """Something that must not change did: a ciphertext, the audit chain, the keyring."""

    code = "integrity_error"


class ConfigError(ParcelGuardError):
    """The configuration is missing, unsafe or inconsistent."""

    code = "config_error"


class Unavailable(ParcelGuardError):
    """A device or service outside ParcelGuard (a label printer) refused, failed or timed out."""

    code = "unavailable"

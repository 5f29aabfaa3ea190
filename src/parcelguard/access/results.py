"""What the access services and API return: typed JSON shapes (TypedDicts, JSON unchanged)."""

from __future__ import annotations

from typing import Any

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict


class StaffView(TypedDict):
    """What lists of staff show of a principal."""

    id: str
    role: str
    name: str
    name_masked: str
    employee_no: str
    station_id: str | None
    trained_until: str | None
    status: str
    reveal_suspended: bool


class PasskeyView(TypedDict):
    """What a person sees of one of their passkeys."""

    id: str
    label: str
    created_at: str
    last_used_at: str | None


class ApiKeyView(TypedDict):
    """A principal's API key by its prefix id, with its dates and scopes (never the secret)."""

    key_id: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None
    scopes: list[str]


class GrantView(TypedDict):
    """A role grant as lists and answers show it (ids, roles, dates; no names)."""

    id: str
    principal_id: str
    role: str
    previous_role: str | None
    kind: str
    status: str
    requested_by: str
    requested_at: str
    decided_by: str | None
    decided_at: str | None


class GrantList(TypedDict):
    """`GET /api/v1/principals/grants`: the grants waiting for a security officer."""

    grants: list[GrantView]


class CeremonyStart(TypedDict):
    """A started passkey ceremony: its id and the WebAuthn options for the browser."""

    challenge_id: str
    publicKey: dict[str, Any]


class SignedIn(TypedDict):
    """A browser session just opened (its cookie is set on the response)."""

    principal_id: str
    role: str
    csrf_token: str
    expires_at: str
    step_up_at: str | None


class PasskeyAdded(TypedDict):
    """A signed-in person's new passkey."""

    principal_id: str
    passkey: PasskeyView


class SteppedUp(TypedDict):
    """When the session's step-up was recorded."""

    step_up_at: str


class SignedOut(TypedDict):
    """Whether a session was ended."""

    signed_out: bool


class Me(TypedDict):
    """`GET /api/v1/auth/me`: who is signed in, their passkeys, the session's CSRF token."""

    id: str
    role: str
    name_masked: str
    employee_no: str
    station_id: str | None
    via: str
    step_up_at: str | None
    csrf_token: str | None
    expires_at: str | None
    passkeys: list[PasskeyView]


class EnrolmentLinkView(TypedDict):
    """A one-time passkey enrolment link (shown once)."""

    url: str
    expires_at: str


class EnrolmentCheck(TypedDict):
    """A live enrolment link's expiry."""

    valid: bool
    expires_at: str

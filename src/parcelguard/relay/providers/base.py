"""The seam every telephony provider implements: authenticate, parse, answer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from parcelguard.relay.decision import Decision


class Quiet:
    """A record whose repr names only its `SHOWN` fields: the others may be personal data."""

    SHOWN: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        shown = "".join(f"{name}={getattr(self, name)!r}, " for name in self.SHOWN)
        return f"{type(self).__name__}({shown}***)"


@dataclass(frozen=True)
class WebhookRequest:
    """An incoming webhook as the provider sent it, independent of the web framework."""

    url: str  # scheme://host/path?query as received
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    form: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """Return a header's value by (case-insensitive) name."""
        return self.headers.get(name.lower())


@dataclass(frozen=True, repr=False)
class CallEvent(Quiet):
    """A call or SMS arriving at a pool number."""

    SHOWN = ("call_id", "channel")

    caller: str | None
    to: str | None
    call_id: str | None
    channel: str
    text: str | None = None
    # AXE: the digits the caller keyed when the IVR asked (None: not asked yet), and which ask.
    extension: str | None = None
    attempt: int = 1


@dataclass(frozen=True, repr=False)
class StatusEvent(Quiet):
    """A status callback about a call or SMS."""

    SHOWN = ("call_id", "status")

    call_id: str
    status: str
    channel: str
    duration: int | None = None
    at: datetime | None = None
    caller: str | None = None
    to: str | None = None


@dataclass(frozen=True)
class WebhookReply:
    """What goes back to the provider."""

    media_type: str
    body: str


class TelephonyProvider(ABC):
    """A carrier or CPaaS that asks ParcelGuard where a call to a pool number should go."""

    name: ClassVar[str]

    @abstractmethod
    def authenticate(self, request: WebhookRequest, now: float) -> None:
        """Raise `Denied` unless the request provably comes from the provider."""

    @abstractmethod
    def call_event(self, request: WebhookRequest, channel: str) -> CallEvent:
        """Read the call or SMS out of the request."""

    @abstractmethod
    def status_event(self, request: WebhookRequest) -> StatusEvent:
        """Read a status callback out of the request."""

    @abstractmethod
    def reply(self, decision: Decision, event: CallEvent, request: WebhookRequest) -> WebhookReply:
        """Answer the provider: whom to connect, or how to reject."""

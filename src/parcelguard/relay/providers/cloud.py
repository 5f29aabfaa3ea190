"""The seam of cloud privacy-number platforms (Alibaba 号码隐私保护, Huawei 隐私保护通话).

Unlike Twilio or the neutral webhook, where the platform asks ParcelGuard whom to connect,
these platforms route calls themselves from bindings pushed to them: ParcelGuard still picks
X (and the extension) from its own pool, then calls the platform's bind API with the real
numbers, keeps the platform's binding id (`provider_ref`), unbinds when the binding ends, and
reads the platform's signed or token-protected receipts (call progress, call records,
recordings) back into its idempotent call records.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from parcelguard.errors import Conflict
from parcelguard.relay.providers.base import Quiet, WebhookRequest
from parcelguard.sensitive import Sensitive

TIMEOUT = 10.0


class ProviderError(Conflict):
    """The platform refused or failed a request (its code is in `details`, never a number)."""

    code = "provider_error"


@dataclass(frozen=True, repr=False)
class BindRequest(Quiet):
    """A binding to push: real numbers travel as `Sensitive`, to the platform only."""

    SHOWN = ("kind", "out_id")

    kind: str  # axb, axn, axe or axg
    x: str  # the pool number chosen by ParcelGuard (canonical +86…)
    b: Sensitive  # the recipient
    expires_at: datetime
    out_id: str  # ParcelGuard's binding id, echoed back in receipts
    a: Sensitive | None = None  # the courier (AXB, AXE) or None
    extension: str | None = None  # AXE: the extension ParcelGuard allocated
    group: str | None = None  # AXG: the platform's group id of the station's staff
    record: bool = False


@dataclass(frozen=True)
class ProviderBinding:
    """What the platform answered: its binding id, and the extension it confirmed."""

    ref: str
    extension: str | None = None


@dataclass(frozen=True, repr=False)
class Receipt(Quiet):
    """One receipt of a call or SMS (several may arrive in one request, twice, out of order)."""

    SHOWN = ("call_id", "status")

    call_id: str
    status: str  # a `calls.RANKS` status
    channel: str = "voice"
    at: datetime | None = None
    duration: int | None = None
    caller: str | None = None
    to: str | None = None  # X
    binding_ref: str | None = None
    recording: str | None = None  # where the platform keeps the recording (a URL or object)
    recording_id: str | None = None
    # An SMS notice's text, when the platform sends it (it forwarded the text itself; the
    # relay scans it after the fact and never stores it).
    text: Sensitive | None = None


@dataclass(frozen=True)
class Check:
    """One line of `relay doctor`."""

    name: str
    ok: bool
    detail: str


class _MemoryNonces:
    """Nonces seen in this process, forgotten after their window."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, nonce: str, window: float) -> bool:
        now = time.monotonic()
        with self._lock:
            self._seen = {n: t for n, t in self._seen.items() if t > now - window}
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True


class CloudProvider(ABC):
    """A platform that keeps bindings itself and reports calls back."""

    name: str

    def __init__(self, http: httpx.Client | None = None) -> None:
        self._http = http or httpx.Client(timeout=TIMEOUT)
        # Says whether a receipt's nonce is seen for the first time within `window` seconds;
        # `cloud_provider` binds it to the runtime's limiter, so every process (and a provider
        # built per request) shares what was seen. Alone, a provider remembers in memory.
        self.first_use: Callable[[str, float], bool] = _MemoryNonces()

    @abstractmethod
    def bind(self, request: BindRequest) -> ProviderBinding:
        """Push a binding; return the platform's id of it."""

    @abstractmethod
    def unbind(self, ref: str, x: str, kind: str | None = None) -> None:
        """End a binding (of `kind`, when known) on the platform."""

    @abstractmethod
    def query(self, x: str) -> str | None:
        """Return the platform's binding id on X, or None."""

    @abstractmethod
    def authenticate(self, request: WebhookRequest, now: float) -> None:
        """Raise `Denied` unless the receipt provably comes from the platform."""

    @abstractmethod
    def receipts(self, request: WebhookRequest) -> list[Receipt]:
        """Read the receipts of one request (a batch, possibly empty)."""

    @abstractmethod
    def acknowledge(self) -> tuple[str, str]:
        """Return the media type and body the platform expects as a success answer."""

    @abstractmethod
    def credentials_check(self) -> Check:
        """Make one harmless authenticated request: do the credentials work?"""

    def fetch_recording(self, location: str) -> tuple[bytes, str]:
        """Download a recording the platform announced; return its bytes and media type."""
        response = self._http.get(location, follow_redirects=True)
        if response.status_code != 200:
            raise ProviderError(
                "the recording could not be downloaded",
                details={"status": response.status_code},
            )
        media = response.headers.get("content-type", "audio/mpeg").split(";")[0][:32]
        return response.content, media


def parse_json(body: bytes) -> Any:
    """Parse a receipt body, refusing what is not JSON."""
    from parcelguard.errors import InvalidInput

    try:
        return json.loads(body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("the receipt is not JSON", code="invalid_webhook") from None

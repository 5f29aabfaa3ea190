"""The SMS seam: a small provider interface, a console provider for demos, a recorder for tests.

A provider is given the phone as `Sensitive` and a finished message. Whatever a provider
writes about the recipient (a console line, a log) shows the masked phone only; the
message itself carries a code or a complaint reference, never personal data.
"""

from __future__ import annotations

import sys
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TextIO

from parcelguard.errors import ConfigError
from parcelguard.pii.masking import mask_phone
from parcelguard.runtime import Runtime, SmsSender
from parcelguard.sensitive import Sensitive


class SmsProvider(ABC):
    """Delivers one text message to one mainland mobile number."""

    name = "base"
    for_production = True

    @abstractmethod
    def send(self, to: Sensitive, text: str) -> None:
        """Send `text` to `to`; raise on failure (the caller decides what that means)."""


class ConsoleSmsProvider(SmsProvider):
    """Writes each message to the server console instead of a carrier (demos, development)."""

    name = "console"
    for_production = False

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, to: Sensitive, text: str) -> None:
        """Print the masked number and the message on stderr (or the given stream)."""
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(f"[SMS → {mask_phone(to.reveal())}] {text}\n")
            stream.flush()


@dataclass(frozen=True)
class SentSms:
    """One message a `RecordingSmsProvider` was asked to send."""

    to: Sensitive
    text: str


class RecordingSmsProvider(SmsProvider):
    """Keeps every message in memory, for tests and browser tests to read back."""

    name = "recording"
    for_production = False

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self._lock = threading.Lock()

    def send(self, to: Sensitive, text: str) -> None:
        """Record the message."""
        with self._lock:
            self.sent.append(SentSms(to, text))

    def messages_to(self, phone: str) -> list[str]:
        """Return the texts sent to a number, oldest first."""
        with self._lock:
            return [m.text for m in self.sent if m.to.reveal() == phone]

    def last_code(self, phone: str) -> str:
        """Return the six-digit code of the latest code message to a number."""
        import re

        for text in reversed(self.messages_to(phone)):
            found = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
            if found:
                return found.group(1)
        raise LookupError("no code was sent to this number")


PROVIDERS: dict[str, type[SmsProvider]] = {"console": ConsoleSmsProvider}


def configured_provider(rt: Runtime) -> SmsProvider:
    """Build the provider `[portal] sms_provider` names."""
    from parcelguard.portal.config import portal_config

    name = portal_config(rt).sms_provider
    kind = PROVIDERS.get(name)
    if kind is None:
        raise ConfigError(
            f"[portal] sms_provider {name!r} is unknown; use one of {sorted(PROVIDERS)}"
        )
    return kind()


def sms_provider_for(rt: Runtime) -> SmsSender:
    """Return the runtime's SMS provider: an installed one, else the configured one."""
    provider = rt.sms or configured_provider(rt)
    if rt.settings.environment == "production" and not provider.for_production:
        raise ConfigError(
            f"the {provider.name!r} SMS provider is for demos; configure a carrier for production"
        )
    return provider


def install(rt: Runtime, provider: SmsProvider) -> None:
    """Use `provider` for this runtime's messages (a carrier adapter, or a test recorder)."""
    rt.sms = provider

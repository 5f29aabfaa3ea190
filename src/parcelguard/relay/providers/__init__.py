"""Telephony providers, registered explicitly by name (`neutral`, `twilio`)."""

from __future__ import annotations

from collections.abc import Callable

from parcelguard.relay.config import RelayConfig, config_for
from parcelguard.relay.providers.base import (
    CallEvent,
    StatusEvent,
    TelephonyProvider,
    WebhookReply,
    WebhookRequest,
)
from parcelguard.relay.providers.neutral import NeutralProvider
from parcelguard.relay.providers.twilio import TwilioProvider
from parcelguard.runtime import Runtime

Factory = Callable[[RelayConfig, str], TelephonyProvider]
PROVIDERS: dict[str, Factory] = {}


def register(name: str, factory: Factory) -> None:
    """Make a provider available under `name`."""
    PROVIDERS[name] = factory


def provider_for(rt: Runtime, name: str) -> TelephonyProvider:
    """Return provider `name` for the runtime's tenant, built from `[relay]` (it holds no state)."""
    return PROVIDERS[name](config_for(rt), rt.tenant)


register(NeutralProvider.name, NeutralProvider.from_config)
register(TwilioProvider.name, TwilioProvider.from_config)

__all__ = [
    "PROVIDERS",
    "CallEvent",
    "StatusEvent",
    "TelephonyProvider",
    "WebhookReply",
    "WebhookRequest",
    "provider_for",
    "register",
]

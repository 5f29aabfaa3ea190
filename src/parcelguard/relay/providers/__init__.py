"""Telephony providers, registered explicitly by name (`neutral`, `twilio`)."""

from __future__ import annotations

from collections.abc import Callable

from parcelguard.relay.config import RelayConfig, config_for
from parcelguard.relay.providers.aliyun import AliyunProvider
from parcelguard.relay.providers.base import (
    CallEvent,
    StatusEvent,
    TelephonyProvider,
    WebhookReply,
    WebhookRequest,
)
from parcelguard.relay.providers.cloud import CloudProvider
from parcelguard.relay.providers.huawei import HuaweiProvider
from parcelguard.relay.providers.neutral import NeutralProvider
from parcelguard.relay.providers.twilio import TwilioProvider
from parcelguard.runtime import Runtime

Factory = Callable[[RelayConfig, str], TelephonyProvider]
PROVIDERS: dict[str, Factory] = {}


def register(name: str, factory: Factory) -> None:
    """Make a provider available under `name`."""
    PROVIDERS[name] = factory


def cloud_provider(rt: Runtime, name: str | None = None) -> CloudProvider | None:
    """Return the configured cloud platform (or the one named), None for neutral and Twilio."""
    config = config_for(rt)
    name = name or config.provider
    if name not in CLOUD:
        return None
    provider = CLOUD[name](config)
    provider.first_use = lambda nonce, window: (
        rt.limiter.record(f"relay-nonce:{name}:{nonce}", 1, window) == 1
    )
    return provider


def _aliyun(config: RelayConfig) -> CloudProvider:
    secret, token = config.aliyun_access_key_secret, config.aliyun_receipt_token
    return AliyunProvider(
        config.aliyun_access_key_id,
        secret.get_secret_value() if secret else None,
        config.aliyun_pool_key,
        token.get_secret_value() if token else None,
        endpoint=config.aliyun_endpoint,
        region=config.aliyun_region,
        groups=dict(config.aliyun_groups),
    )


def _huawei(config: RelayConfig) -> CloudProvider:
    secret = config.huawei_app_secret
    return HuaweiProvider(
        config.huawei_app_key,
        secret.get_secret_value() if secret else None,
        endpoint=config.huawei_endpoint,
        tolerance=config.signature_tolerance_seconds,
    )


CLOUD: dict[str, Callable[[RelayConfig], CloudProvider]] = {"aliyun": _aliyun, "huawei": _huawei}


def provider_for(rt: Runtime, name: str) -> TelephonyProvider:
    """Return provider `name` for the runtime's tenant, built from `[relay]` (it holds no state)."""
    return PROVIDERS[name](config_for(rt), rt.tenant)


register(NeutralProvider.name, NeutralProvider.from_config)
register(TwilioProvider.name, TwilioProvider.from_config)

__all__ = [
    "CLOUD",
    "PROVIDERS",
    "CallEvent",
    "CloudProvider",
    "StatusEvent",
    "TelephonyProvider",
    "WebhookReply",
    "WebhookRequest",
    "cloud_provider",
    "provider_for",
    "register",
]

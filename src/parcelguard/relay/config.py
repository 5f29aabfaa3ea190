"""The `[relay]` table of config.toml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from parcelguard.runtime import Runtime


class RelayConfig(BaseModel):
    """Relay settings; every duration has a safe default for a single station."""

    model_config = {"extra": "forbid"}

    # A number (or one party's seat on a shared number) stays quiet this long after its last
    # binding ended, so a recycled number does not reach the last person it served.
    cooling_hours: float = Field(default=48.0, ge=0, le=24 * 90)
    # An AXB binding ends this long after its parcel is delivered, returned or left at a station.
    binding_hours_after_delivery: float = Field(default=24.0, ge=0, le=24 * 30)
    default_ttl_seconds: int = Field(default=3 * 24 * 3600, ge=60, le=90 * 24 * 3600)
    max_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=60, le=365 * 24 * 3600)
    axn_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60, le=365 * 24 * 3600)
    auto_bind: bool = True  # bind when a parcel goes out for delivery
    # Whether this deployment uses the relay at all: None (the default) means "when the
    # tenant has a number pool"; a deployment without one never hears of the relay.
    enabled: bool | None = None
    # What a parcel going out is bound with: an AXB number of its own, or an extension on a
    # shared AXE number ("X 转 1234"); AXE numbers are imported with `--mode axe`.
    auto_kind: Literal["axb", "axe"] = "axb"
    extension_digits: int = Field(default=4, ge=3, le=6)
    # The IVR asks for the extension this many times (the first ask and one retry), then
    # plays a help message that names nobody.
    extension_attempts: int = Field(default=2, ge=1, le=5)
    # SMS relay: texts one sender may forward through one binding per hour.
    sms_per_hour: int = Field(default=20, ge=1, le=1000)
    # Caller verification still says "genuine" this long after a binding ended.
    verify_grace_hours: float = Field(default=24.0, ge=0, le=24 * 30)
    # Provider-neutral webhooks: HMAC-SHA256 over "<timestamp>.<body>" with this secret;
    # a tenant's own secret in `tenant_secrets` wins over the shared one.
    webhook_secret: SecretStr | None = None
    tenant_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    signature_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    # Twilio: the account Auth Token (HMAC-SHA1) and, for Webhook Settings that sign with a
    # SharedKey, that key's secret; `public_base_url` is the URL Twilio calls (behind proxies).
    twilio_auth_token: SecretStr | None = None
    twilio_shared_key: SecretStr | None = None
    public_base_url: str | None = None
    # Which platform carries calls: "neutral" or "twilio" ask ParcelGuard per call; "aliyun"
    # (号码隐私保护) and "huawei" (隐私保护通话) get each binding pushed and route themselves.
    provider: Literal["neutral", "twilio", "aliyun", "huawei"] = "neutral"
    aliyun_access_key_id: str | None = None
    aliyun_access_key_secret: SecretStr | None = None
    aliyun_pool_key: str | None = None
    aliyun_endpoint: str = "https://dyplsapi.aliyuncs.com"
    aliyun_region: str = "cn-hangzhou"
    aliyun_receipt_token: SecretStr | None = None  # in the receipt URLs set in the console
    aliyun_groups: dict[str, str] = Field(default_factory=dict)  # station id → AXG GroupId
    # How Alibaba's receipts arrive: "push" (HTTP batch push to /relay/aliyun/receipts/…) or
    # "mns" (pulled from the MNS queues by `relay receipts poll`, one queue per message type).
    aliyun_receipts: Literal["push", "mns"] = "push"
    aliyun_mns_endpoint: str = "https://1943695596114318.mns.cn-hangzhou.aliyuncs.com"
    aliyun_mns_queues: dict[str, str] = Field(default_factory=dict)  # message type → queue
    # QueryTokenForMnsQueue (Dybaseapi) hands out the queues' temporary tokens.
    aliyun_token_endpoint: str = "https://dybaseapi.aliyuncs.com"  # noqa: S105 - a URL
    aliyun_mns_batch: int = Field(default=16, ge=1, le=16)
    # A message whose processing failed is hidden this long, then received again.
    aliyun_mns_retry_seconds: int = Field(default=60, ge=1, le=43200)
    # After this many deliveries a message that is not a receipt at all is deleted (logged).
    aliyun_mns_max_deliveries: int = Field(default=5, ge=1, le=100)
    huawei_app_key: str | None = None
    huawei_app_secret: SecretStr | None = None
    huawei_endpoint: str = "https://rtcpns.cn-north-1.myhuaweicloud.com"
    # Call recordings: asked of the platform only when `record_calls`; kept sealed this long.
    record_calls: bool = False
    recording_retention_days: int = Field(default=30, ge=1, le=3650)
    # Lazy sweeping on the routing path: at most this often, at most this many bindings.
    sweep_every_seconds: float = Field(default=60.0, ge=0)
    sweep_batch: int = Field(default=500, ge=1, le=100_000)

    def secret_for(self, tenant_id: str) -> bytes | None:
        """Return the webhook secret of a tenant (its own, else the shared one), or None."""
        secret = self.tenant_secrets.get(tenant_id) or self.webhook_secret
        return secret.get_secret_value().encode() if secret else None


def config_for(rt: Runtime) -> RelayConfig:
    """Return the runtime's `[relay]` table."""
    return rt.settings.section("relay", RelayConfig)

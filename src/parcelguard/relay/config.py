"""The `[relay]` table of config.toml."""

from __future__ import annotations

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

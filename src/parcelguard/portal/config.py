"""The portal's `[portal]` table of `config.toml`: SMS provider, code and throttle rules."""

from __future__ import annotations

from pydantic import BaseModel, Field

from parcelguard.runtime import Runtime


class PortalConfig(BaseModel):
    """How one-time codes are sent, how long they live and how hard guessing is made."""

    model_config = {"extra": "forbid"}

    sms_provider: str = "console"
    code_minutes: int = Field(default=5, ge=1, le=15)
    send_window_minutes: int = Field(default=10, ge=1, le=1440)
    sends_per_phone: int = Field(default=3, ge=1, le=20)
    sends_per_ip: int = Field(default=10, ge=1, le=1000)
    failures_per_phone: int = Field(default=5, ge=1, le=20)
    failures_per_ip: int = Field(default=20, ge=1, le=1000)
    lockout_minutes: int = Field(default=15, ge=1, le=1440)
    session_minutes: int = Field(default=30, ge=5, le=720)


def portal_config(rt: Runtime) -> PortalConfig:
    """Return the runtime's `[portal]` table."""
    return rt.settings.section("portal", PortalConfig)

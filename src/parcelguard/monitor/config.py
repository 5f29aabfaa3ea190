"""The `[monitor]` table of config.toml, validated by a pydantic model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from parcelguard.errors import ConfigError
from parcelguard.monitor.detectors.base import Common, RuleParams
from parcelguard.monitor.detectors.registry import DETECTORS
from parcelguard.runtime import Runtime

# One field per registered rule, typed by that detector's own parameter model.
Rules: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "Rules",
    __config__=ConfigDict(extra="forbid"),
    **{cls.rule: (cls.Params, Field(default_factory=cls.Params)) for cls in DETECTORS},
)


class MonitorConfig(Common):
    """Everything under `[monitor]`; each rule's own table is `[monitor.rules.<rule>]`."""

    model_config = ConfigDict(extra="forbid")

    consumer: Literal["auto", "inprocess", "nats", "external", "off"] = "auto"
    durable: str = Field(default="parcelguard-monitor", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    # How long a fetched, unacknowledged event waits before JetStream hands it to another
    # process of the group (a crashed one's batch is judged by a survivor after this).
    ack_wait_seconds: float = Field(default=30, ge=1, le=3600)
    incident_window_minutes: float = Field(default=120, gt=0)
    evidence_per_incident: int = Field(default=200, ge=1, le=10_000)
    warmup_days: int = Field(default=7, ge=0, le=90)
    warmup_max_events: int = Field(default=200_000, ge=0)  # per day of history
    webhook_url: str | None = Field(default=None, pattern=r"^https?://")
    webhook_secret: str | None = Field(default=None, min_length=16)
    webhook_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    webhook_retries: int = Field(default=3, ge=0, le=10)
    rules: Rules = Field(default_factory=Rules)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _checked(self) -> MonitorConfig:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("webhook_url needs webhook_secret (16+ characters) to sign with")
        return self

    def rule(self, name: str) -> RuleParams:
        """Return the parameters of one rule."""
        params = getattr(self.rules, name, None)
        if not isinstance(params, RuleParams):
            raise ConfigError(f"no monitor rule {name!r}")
        return params

    def common(self) -> Common:
        """Return the settings every detector shares."""
        return Common(history_days=self.history_days, min_history_days=self.min_history_days)


def monitor_config(rt: Runtime) -> MonitorConfig:
    """Return the runtime's validated `[monitor]` settings."""
    return rt.settings.section("monitor", MonitorConfig)


def rule_table(config: MonitorConfig) -> dict[str, dict[str, Any]]:
    """Return every rule's effective settings (for docs and `monitor rules`)."""
    return {cls.rule: config.rule(cls.rule).model_dump() for cls in DETECTORS}

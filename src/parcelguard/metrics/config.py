"""The `[metrics]` table of config.toml: the bearer token `/metrics` asks for."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

from parcelguard.runtime import Runtime


class MetricsConfig(BaseModel):
    """`[metrics]`: off unless enabled with a token of at least 32 characters."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    token: str | None = None
    # the environment variable that holds the token (better than token)
    token_env: str = Field(default="PARCELGUARD_METRICS_TOKEN")

    def bearer(self) -> str | None:
        """Return the token a scraper must present, or None when metrics are off."""
        if not self.enabled:
            return None
        value = self.token or os.environ.get(self.token_env, "")
        return value if len(value) >= 32 else None


def metrics_config(rt: Runtime) -> MetricsConfig:
    """Return the runtime's validated `[metrics]` table."""
    return rt.settings.section("metrics", MetricsConfig)

"""The `[forensics]` table of config.toml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ForensicsConfig(BaseModel):
    """Leak tracing, canaries and the exposure check; unset values take the documented defaults."""

    model_config = ConfigDict(extra="ignore")

    # Channels scoring at least this are `accused` (default 3.0, docs/forensics.md).
    accusation_threshold: float | None = Field(default=None, gt=0)
    # The dedicated canary range: the digits a canary number starts with (default 17499).
    canary_prefix: int | str | None = None
    # The anonymous exposure check: a burst of requests, then this many a minute per client.
    exposure_burst: int = Field(default=10, ge=1)
    exposure_per_minute: float = Field(default=30, gt=0)

"""The `[ratelimit]` table of config.toml: every limit's numbers, overridable by name."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from parcelguard.settings import Settings


class HasSettings(Protocol):
    """What `config_for` reads of a runtime (the runtime imports the limiter: no cycle)."""

    @property
    def settings(self) -> Settings:
        """The runtime's settings."""
        ...


class Limit(BaseModel):
    """One limit: at most `limit` attempts per `window` seconds (rounded up to whole seconds)."""

    limit: int = Field(ge=1, le=1_000_000)
    window: float = Field(gt=0, le=86_400)


class RateLimitConfig(BaseModel):
    """The `[ratelimit]` table of config.toml.

    Where the windows live is not configured here: memory by default, Redis when
    `PARCELGUARD_REDIS_URL` is set. `store` is still read from older files and ignored.
    """

    enabled: bool = True
    store: str | None = Field(default=None, exclude=True)  # before Redis: "memory"/"database"
    limits: dict[str, Limit] = Field(default_factory=dict)

    def limit_for(self, name: str, default: Limit) -> Limit:
        """Return the configured limit of a rule, or its default."""
        return self.limits.get(name, default)


def config_for(rt: HasSettings) -> RateLimitConfig:
    """Return the validated `[ratelimit]` configuration of a runtime."""
    config: RateLimitConfig = rt.settings.section("ratelimit", RateLimitConfig)
    return config

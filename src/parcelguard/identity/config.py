"""The `[sso]` and `[scim]` tables of config.toml: the identity provider and the role mapping."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, field_validator

from parcelguard.errors import ConfigError
from parcelguard.runtime import Runtime

STAFF_ROLES = ("courier", "station_clerk", "customer_service", "security_officer", "admin")
# Asymmetric signatures only: a shared-secret HS256 token could be minted by anyone who
# holds the client secret, and "none" is no signature at all.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


class RoleRule(BaseModel):
    """One mapping: members of `group` get `role` (and `station`, or the station claim)."""

    model_config = ConfigDict(extra="forbid")

    group: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern="^(" + "|".join(STAFF_ROLES) + ")$")
    station: str | None = Field(default=None, max_length=64)


class SsoConfig(BaseModel):
    """`[sso]`: an OpenID Connect provider staff sign in with."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    # exactly as the provider's /.well-known/openid-configuration names it
    issuer: str = ""
    client_id: str = ""
    client_secret: str | None = None
    # the environment variable that holds the client secret (better than client_secret)
    client_secret_env: str = Field(default="PARCELGUARD_SSO_CLIENT_SECRET")
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email", "groups"])
    algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    groups_claim: str = "groups"
    station_claim: str | None = None
    name_claim: str = "name"
    leeway_seconds: int = Field(default=30, ge=0, le=300)
    create_accounts: bool = True
    # [[sso.roles]] group = "…", role = "courier" …, station = "…" (first match wins)
    roles: list[RoleRule] = Field(default_factory=list)
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @field_validator("algorithms")
    @classmethod
    def _pinned(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if a not in ALLOWED_ALGORITHMS]
        if bad or not value:
            raise ValueError(f"algorithms must be among {', '.join(ALLOWED_ALGORITHMS)}")
        return value

    def secret(self) -> str:
        """Return the client secret: from config.toml or, better, from the environment."""
        value = self.client_secret or os.environ.get(self.client_secret_env, "")
        if not value:
            raise ConfigError(f"[sso] needs client_secret or {self.client_secret_env}")
        return value


class ScimConfig(BaseModel):
    """`[scim]`: the bearer token a directory provisions with (better: from the environment)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    token: str | None = None
    # the environment variable that holds the token (better than token)
    token_env: str = Field(default="PARCELGUARD_SCIM_TOKEN")

    def bearer(self) -> str | None:
        """Return the configured token, or None when SCIM is off or has no token."""
        if not self.enabled:
            return None
        value = self.token or os.environ.get(self.token_env, "")
        return value if len(value) >= 32 else None


def sso_config(rt: Runtime) -> SsoConfig:
    """Return the runtime's validated `[sso]` table."""
    return rt.settings.section("sso", SsoConfig)


def scim_config(rt: Runtime) -> ScimConfig:
    """Return the runtime's validated `[scim]` table."""
    return rt.settings.section("scim", ScimConfig)

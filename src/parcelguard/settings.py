"""Settings: `PARCELGUARD_*` environment variables over `config.toml` in the home folder.

Built once by the entry point (`Settings.load()`) and passed down; nothing reads it at import
time. Domain-specific tables of `config.toml` (`[policy]`, `[relay]`, `[monitor]` …) stay raw
here and are validated by their domain through `Settings.section()`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from parcelguard.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def default_home() -> Path:
    """Return `PARCELGUARD_HOME` or `~/.parcelguard`."""
    return Path(os.environ.get("PARCELGUARD_HOME") or Path.home() / ".parcelguard")


class Settings(BaseSettings):
    """Everything configurable, with safe defaults for a single machine."""

    model_config = SettingsConfigDict(env_prefix="PARCELGUARD_", extra="ignore")

    home: Path = Field(default_factory=default_home)
    database_url: str | None = None
    tenant: str = "default"
    nats_url: str | None = None
    # Redis for the rate limits' windows, shared by every server process; unset: in memory.
    redis_url: str | None = None
    base_url: str = "http://localhost:8080"  # WebAuthn RP IDs cannot be IP addresses
    environment: Literal["development", "production"] = "development"
    timezone: str = "Asia/Shanghai"  # the tenant's zone: pages show local time in it
    demo_mode: bool = False
    kms_provider: str = "local"
    # Retention: an undelivered parcel's PII is shredded this long after it was created, a
    # delivered or returned one this long after delivery.
    retention_days: int = Field(default=90, ge=1, le=3650)
    undelivered_retention_days: int = Field(default=180, ge=1, le=3650)
    import_batch_size: int = Field(default=1000, ge=1, le=100_000)
    audit_checkpoint_every: int = Field(default=1000, ge=1)
    audit_checkpoint_minutes: int = Field(default=10, ge=1)
    secure_cookies: bool = False
    hsts: bool = False
    sections: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Build settings from overrides, then the environment, then `config.toml`."""
        home = Path(overrides.get("home") or default_home()).expanduser()
        from_file = read_config_file(home / "config.toml")
        scalars = {k: v for k, v in from_file.items() if not isinstance(v, dict)}
        tables = {k: v for k, v in from_file.items() if isinstance(v, dict)}
        env_keys = {
            name for name in cls.model_fields if f"PARCELGUARD_{name.upper()}" in os.environ
        }
        values = {k: v for k, v in scalars.items() if k not in env_keys}
        values.update(overrides)
        values["home"] = home
        values.setdefault("sections", {})
        values["sections"] = {**tables, **values["sections"]}
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigError(f"invalid setting: {_first_problem(exc)}") from None

    @property
    def database(self) -> str:
        """Return the SQLAlchemy URL: the configured one or the SQLite file in home."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'parcelguard.db'}"

    @property
    def cookies_secure(self) -> bool:
        """Return whether cookies are `Secure`: configured so, or the public URL is https."""
        return self.secure_cookies or self.base_url.lower().startswith("https://")

    @property
    def keyring_path(self) -> Path:
        """Return where the local keyring file lives."""
        return self.home / "keyring.json"

    def section(self, name: str, model: type[M]) -> M:
        """Validate one `config.toml` table (`[relay]`, `[policy]` …) against its model."""
        try:
            return model.model_validate(self.sections.get(name, {}))
        except ValidationError as exc:
            raise ConfigError(f"invalid [{name}] in config.toml: {_first_problem(exc)}") from None


def read_config_file(path: Path) -> dict[str, Any]:
    """Read `config.toml`; a missing file is an empty configuration."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "value"
    return f"{where}: {err.get('msg', 'invalid')}"

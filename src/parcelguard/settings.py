"""Settings: `PARCELGUARD_*` environment variables over `config.toml` in the home folder.

Built once by the entry point and passed down; nothing reads it at import time. The scalars
are fields here; each domain's table of `config.toml` (`[relay]`, `[monitor]` …) has a pydantic
model in its domain, and a domain reads its table with `settings.section("relay", RelayConfig)`.

The entry points load `assembly.Config`, this class with one typed field per table, so every
table is validated once, at start-up. Plain `Settings` (tools, tests) keeps the tables raw and
validates one on first use, again only when its raw table changed.
"""

from __future__ import annotations

import copy
import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

from pydantic import BaseModel, Field, PrivateAttr, ValidationError
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
    # The address people reach from outside (SMS links, label QR codes); `base_url` when unset.
    public_url: str | None = None
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
    _validated: dict[str, tuple[Any, BaseModel]] = PrivateAttr(default_factory=dict)

    @classmethod
    def load(cls, **overrides: Any) -> Self:
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
        declared = cls.declared_tables()
        for table, raw in values["sections"].items():
            field = declared.get(table)
            from_env = f"PARCELGUARD_{(field or '').upper()}" in os.environ  # the environment wins
            if field is not None and field not in overrides and not from_env:
                values[field] = raw
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigError(_problem_in(exc, declared)) from None

    @classmethod
    def declared_tables(cls) -> dict[str, str]:
        """Return the tables this class declares as typed fields: table name → field name."""
        return _declared_tables(cls)

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
    def public_root(self) -> str:
        """Return the absolute URL SMS texts and label QR codes carry, without a final `/`."""
        return (self.public_url or self.base_url).rstrip("/")

    @property
    def keyring_path(self) -> Path:
        """Return where the local keyring file lives."""
        return self.home / "keyring.json"

    def section(self, name: str, model: type[M]) -> M:
        """Return one `config.toml` table (`[relay]`, `[policy]` …) validated by its model."""
        field = type(self).declared_tables().get(name)
        if field is not None:
            declared = getattr(self, field)
            if isinstance(declared, model):
                return declared
        raw = self.sections.get(name, {})
        known = self._validated.get(name)
        if known is not None and isinstance(known[1], model) and known[0] == raw:
            return known[1]
        try:
            validated = model.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"invalid [{name}] in config.toml: {_first_problem(exc)}") from None
        self._validated[name] = (copy.deepcopy(raw), validated)
        return validated


@cache
def _declared_tables(cls: type[Settings]) -> dict[str, str]:
    found = {}
    for name, info in cls.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            found[str(extra.get("table", name))] = name  # `import` is a keyword: `imports`
    return found


def read_config_file(path: Path) -> dict[str, Any]:
    """Read `config.toml`; a missing file is an empty configuration."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def _problem_in(exc: ValidationError, declared: dict[str, str]) -> str:
    """Say which setting is wrong, naming the `config.toml` table when it is one."""
    tables = {field: table for table, field in declared.items()}
    err = exc.errors()[0]
    where = [str(p) for p in err.get("loc", ())]
    if where and where[0] in tables:
        inner = ".".join(where[1:]) or "value"
        return f"invalid [{tables[where[0]]}] in config.toml: {inner}: {err.get('msg', 'invalid')}"
    return f"invalid setting: {_first_problem(exc)}"


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "value"
    return f"{where}: {err.get('msg', 'invalid')}"

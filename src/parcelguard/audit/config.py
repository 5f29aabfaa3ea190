"""The `[audit]` table of config.toml: the log's origin, its witnesses, the local witness."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from parcelguard.settings import Settings

DEFAULT_ORIGIN = "parcelguard.local/audit"


class WitnessConfig(BaseModel):
    """One remote witness: a label, its URL prefix and its cosignature/v1 verifier key."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    url: str = Field(pattern=r"^https?://")
    public_key: str = Field(min_length=1)


class AuditConfig(BaseModel):
    """How the log names itself and who witnesses it.

    `origin` is the log's name prefix; each tenant's log is `<origin>/<tenant>` and must never
    change once witnesses know it. `local_witness` keeps a witness in a folder beside the home
    (`local_witness_home`, default `<home>-witness`): outside the database, on the same machine.
    """

    model_config = ConfigDict(extra="forbid")

    origin: str = Field(default=DEFAULT_ORIGIN, pattern=r"^[^\s+]+$")
    witnesses: list[WitnessConfig] = Field(default_factory=list)
    local_witness: bool = True
    local_witness_home: Path | None = None
    witness_timeout_seconds: float = Field(default=3.0, gt=0, le=60)


def audit_config(settings: Settings) -> AuditConfig:
    """Return the validated `[audit]` table."""
    return settings.section("audit", AuditConfig)


def origin_for(settings: Settings, tenant: str) -> str:
    """Return the origin line (and log key name) of a tenant's log."""
    return f"{audit_config(settings).origin.rstrip('/')}/{tenant}"


def local_witness_home(settings: Settings) -> Path:
    """Return the folder of the local witness (beside the home, not inside it)."""
    configured = audit_config(settings).local_witness_home
    if configured is not None:
        return Path(configured).expanduser()
    home = settings.home
    return home.parent / f"{home.name}-witness"

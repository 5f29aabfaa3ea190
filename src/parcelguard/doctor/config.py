"""The `[doctor]` table of config.toml: thresholds of the checks and the scheduled run."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DoctorConfig(BaseModel):
    """Thresholds; every default is what a single-machine deployment should meet."""

    interval_minutes: int = Field(default=60, ge=0)  # 0: the server runs no scheduled check
    first_run_seconds: float = Field(default=60.0, ge=0)
    verify_chain: bool = True
    checkpoint_stale_factor: float = Field(default=3.0, ge=1.0)
    kek_max_age_days: int = Field(default=365, ge=1)
    dormant_days: int = Field(default=90, ge=1)
    max_admins: int = Field(default=5, ge=1)
    retention_grace_days: int = Field(default=1, ge=0)
    outbox_max_lag: int = Field(default=10_000, ge=1)

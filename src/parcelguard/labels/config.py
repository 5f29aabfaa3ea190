"""The `[labels]` table of config.toml."""

from __future__ import annotations

from pydantic import BaseModel, Field

from parcelguard.runtime import Runtime


class LabelsConfig(BaseModel):
    """Label, scan and pickup settings; every one has a safe default."""

    model_config = {"extra": "forbid"}

    # A QR token stops opening the scan page this long after delivery (or return).
    token_days_after_delivery: int = Field(default=7, ge=0, le=365)
    # Printing a new label for a parcel leaves its older labels working unless this is set.
    revoke_on_reprint: bool = False
    # Where the QR points (`<public_base_url>/s/<token>`); by default `settings.public_root`
    # (the top-level `public_url`, else `base_url`), the same base SMS texts carry.
    public_base_url: str | None = None
    # Wrong pickup codes per clerk and station in a sliding window, before 429.
    pickup_failures: int = Field(default=5, ge=1, le=1000)
    pickup_window_minutes: float = Field(default=10.0, gt=0, le=24 * 60)
    # Hand-over needs the last four digits of the recipient's phone as well as the code.
    pickup_requires_last4: bool = False
    # A station's shelves and the layers of each shelf; codes are spread over them in turn.
    shelves: int = Field(default=6, ge=1, le=99)
    layers: int = Field(default=4, ge=1, le=9)
    # The names printed on shelf labels, by station id (the id itself otherwise).
    station_names: dict[str, str] = Field(default_factory=dict)


def config_for(rt: Runtime) -> LabelsConfig:
    """Return the runtime's `[labels]` table."""
    return rt.settings.section("labels", LabelsConfig)

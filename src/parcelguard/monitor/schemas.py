"""Request and response models of the alerts API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AssignIn(BaseModel):
    """Who takes the alert."""

    to: str = Field(min_length=1, max_length=64)


class ResolveIn(BaseModel):
    """How the alert closes; `restore` defaults to `false_positive`."""

    false_positive: bool = False
    restore: bool | None = None


class AlertsOut(BaseModel):
    """The `alerts` list (CONTRACTS.md: `{"alerts": [...]}`)."""

    alerts: list[dict[str, Any]]

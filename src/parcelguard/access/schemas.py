"""Request and response models of the access API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from parcelguard.access.models import ROLES


class NewPrincipal(BaseModel):
    """A member of staff or a service account to create."""

    name: str = Field(min_length=1, max_length=64)
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")
    phone: str | None = Field(default=None, max_length=32)
    station: str | None = Field(default=None, max_length=64)
    employee_no: str | None = Field(default=None, max_length=32)
    trained_until: date | None = None
    scopes: list[str] = Field(default_factory=list)
    key_days: int = Field(default=180, ge=1, le=3650)


class PrincipalOut(BaseModel):
    """A principal as listed (masked name, no phone)."""

    id: str
    role: str
    name: str
    employee_no: str
    station_id: str | None
    trained_until: date | None
    status: str
    reveal_suspended: bool


class CreatedPrincipal(BaseModel):
    """The answer to creating a principal: its id, role and the API key, shown once."""

    id: str
    role: str
    api_key: str

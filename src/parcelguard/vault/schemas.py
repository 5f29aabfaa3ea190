"""Request and response models of the shipments API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from parcelguard.vault import fields
from parcelguard.vault.results import Region


class ShipmentIn(BaseModel):
    """One shipment as the import file has it (English field names)."""

    model_config = {"extra": "forbid"}

    waybill_no: str | None = Field(default=None, max_length=40)
    carrier: str | None = Field(default=None, max_length=40)
    # Without any sender field, the configured default sender ([sender] in config.toml).
    sender_name: str | None = Field(default=None, max_length=64)
    sender_phone: str | None = Field(default=None, max_length=32)
    sender_phone_ext: str | None = Field(default=None, max_length=8)
    sender_address: str | None = Field(default=None, max_length=200)
    sender_id_no: str | None = Field(default=None, max_length=32)
    recipient_name: str = Field(max_length=64)
    recipient_phone: str = Field(max_length=32)
    recipient_phone_ext: str | None = Field(default=None, max_length=8)
    recipient_address: str = Field(max_length=200)
    station_id: str | None = Field(default=None, max_length=64)
    courier_id: str | None = Field(default=None, max_length=64)
    created_at: str | None = Field(default=None, max_length=40)

    def __repr__(self) -> str:
        return f"ShipmentIn(waybill_no={self.waybill_no!r}, ***)"


class ImportResult(BaseModel):
    """What an import did."""

    imported: int
    rejected: int
    skipped: int = 0
    waybills: list[str]
    errors: list[dict[str, Any]]


class EventIn(BaseModel):
    """A lifecycle step; courier and station ids are checked like the import checks them."""

    type: str = Field(
        pattern="^(assigned|out_for_delivery|at_station|delivered|returned|transferred)$"
    )
    courier_id: Annotated[
        str | None, Field(max_length=64), AfterValidator(fields.validator("courier_id"))
    ] = None
    station_id: Annotated[
        str | None, Field(max_length=64), AfterValidator(fields.validator("station_id"))
    ] = None
    # The client's clock: kept as `reported_at` (within the skew), never used by a rule.
    at: datetime | None = None
    # A delivery's proof: the recipient's pickup code, or else a stated reason (alerted).
    pickup_code: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, max_length=32)


class RevealIn(BaseModel):
    """What a caller asks to see, and why."""

    fields: list[str] = Field(min_length=1, max_length=7)
    purpose: str = Field(max_length=32)
    reference: str | None = Field(default=None, max_length=128)


class RevealOut(BaseModel):
    """The revealed fields."""

    fields: dict[str, str]


class PartyView(BaseModel):
    """A party, masked."""

    name: str
    phone: str
    address: str
    region: Region
    id_no: str | None = None


class ShipmentView(BaseModel):
    """The masked shipment view."""

    waybill_no: str
    status: str
    carrier: str | None
    created_at: str
    courier_id: str | None
    station_id: str | None
    recipient: PartyView | None = None
    sender: PartyView | None = None
    delivered_at: str | None = None

"""Request and response models of the shipments API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, NotRequired, get_args, get_origin, get_type_hints

from pydantic import AfterValidator, BaseModel, Field, create_model

from parcelguard.vault import fields
from parcelguard.vault.results import MaskedParty, MaskedShipment


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


def _view_of(name: str, shape: Any, doc: str, **nested: type[BaseModel]) -> type[BaseModel]:
    """Return the response model of a service's TypedDict, keys in the same order.

    A `NotRequired` key is optional (None); `nested` names the model standing for a nested
    TypedDict, so the API schema keeps its names.
    """
    keys: dict[str, Any] = {}
    for key, hint in get_type_hints(shape, include_extras=True).items():
        optional = get_origin(hint) is NotRequired
        hint = nested.get(key, get_args(hint)[0] if optional else hint)
        keys[key] = (hint | None, None) if optional else (hint, ...)
    return create_model(name, __doc__=doc, **keys)


# The masked views as `vault.results` declares them (one declaration of their keys).
PartyView = _view_of("PartyView", MaskedParty, "A party, masked.")
ShipmentView = _view_of(
    "ShipmentView",
    MaskedShipment,
    "The masked shipment view.",
    recipient=PartyView,
    sender=PartyView,
)

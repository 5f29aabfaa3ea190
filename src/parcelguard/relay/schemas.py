"""Request and response models of the relay API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

TEXT = r"^[^\x00-\x1f\x7f]+$"  # printable: no control characters reach a query
CITY = r"^\d{4}(\d{2})?$"


class PoolNumberIn(BaseModel):
    """One number offered to the pool."""

    number: str = Field(max_length=40)
    city: str | None = Field(default=None, max_length=12)


class PoolImportIn(BaseModel):
    """Numbers to add to the pool."""

    numbers: list[PoolNumberIn] = Field(max_length=20_000)
    mode: str = Field(default="axb", pattern="^(axb|axe|axg)$")
    group: str | None = Field(default=None, max_length=64, pattern=TEXT)


class PoolImportOut(BaseModel):
    """What an import did; bad rows come back by their index (1-based)."""

    imported: int
    duplicates: int
    rejected: int
    errors: list[dict[str, Any]]


class ReserveIn(BaseModel):
    """Numbers to set aside: `count` free ones, or the listed `numbers`."""

    count: int = Field(default=1, ge=1, le=1000)
    numbers: list[str] = Field(default_factory=list, max_length=1000)
    label: str = Field(default="canary", max_length=64, pattern=TEXT)
    city: str | None = Field(default=None, pattern=CITY)


class ReservedNumber(BaseModel):
    """A reserved (canary) number."""

    number_id: str
    number: str
    label: str


class ReserveOut(BaseModel):
    """The numbers set aside."""

    reserved: list[ReservedNumber]


class BindIn(BaseModel):
    """A binding to make for a shipment."""

    waybill: str = Field(max_length=40, pattern=TEXT)
    kind: str = Field(default="axb", pattern="^(axb|axn|axe|axg)$")
    ttl: int | None = Field(default=None, ge=60)


class BindingOut(BaseModel):
    """A binding as shown: its virtual number, never a party's."""

    binding_id: str
    kind: str
    virtual_number: str | None
    extension: str | None = None  # AXE: dial X, then this extension ("X 转 1234")
    group_id: str | None = None  # AXG: the station whose clerks share X
    expires_at: str
    status: str
    waybill: str | None
    courier_id: str | None
    created_at: str
    ended_at: str | None = None
    end_reason: str | None = None


class BindingsOut(BaseModel):
    """A list of bindings."""

    bindings: list[BindingOut]


class VerifyIn(BaseModel):
    """A recipient's question: is the number that called really my courier?"""

    recipient_phone: str = Field(max_length=40)
    caller: str = Field(max_length=40)

    def __repr__(self) -> str:
        return "VerifyIn(***)"


class Courier(BaseModel):
    """A courier as a recipient may see them."""

    name: str
    employee_no: str


class VerifyOut(BaseModel):
    """The verdict, with a message in Chinese and English."""

    verdict: str
    genuine: bool
    via: str | None
    courier: Courier | None
    waybill: str | None
    message: dict[str, str]


class RouteOut(BaseModel):
    """The provider-neutral routing answer."""

    action: str  # connect, reject, or gather (an AXE number asks for the extension)
    number: str | None
    reason: str | None
    extension: str | None = None
    attempt: int | None = None

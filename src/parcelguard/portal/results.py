"""What the portal services return: typed JSON shapes (TypedDicts, so the JSON is unchanged).

A parcel is the vault's masked view (`MaskedShipment`) with the person's roles in it.
"""

from __future__ import annotations

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict

from parcelguard.vault.results import AccessRecord, MaskedShipment


class MyParcel(MaskedShipment):
    """One of a person's parcels: the masked view, their roles in it, whether it has an ID."""

    my_roles: list[str]
    has_id_no: bool


class ParcelCopy(TypedDict):
    """One parcel in a data copy: its facts and, per role of the person, their own fields.

    `parties` maps a role to its fields by name, or to `{"refused": code}` when policy said no.
    """

    waybill_no: str
    carrier: str | None
    status: str
    created_at: str
    delivered_at: str | None
    parties: dict[str, dict[str, str | None]]


class AccessRow(AccessRecord):
    """An access record with its role, purpose, action, decision and fields in words."""

    role_words: str
    purpose_words: str
    action_words: str
    decision_words: str
    fields_words: list[str]


class DataCopyDocument(TypedDict):
    """The JSON document of a copy of a person's own data (PIPL art. 45)."""

    generated_at: str
    phone: str
    parcels: list[ParcelCopy]
    access_history: list[AccessRecord]

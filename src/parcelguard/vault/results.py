"""What the vault services return: typed JSON shapes (TypedDicts, so the JSON is unchanged).

`MaskedShipment` is the contract's shipment view (CONTRACTS.md); other domains extend it
(the portal's `MyParcel`, the courier console's card) rather than add keys to it in place.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NotRequired

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict


class Region(TypedDict):
    """Where a party lives, to district level."""

    province: str
    city: str
    district: str
    adcode: str


class MaskedParty(TypedDict):
    """A party's masked fields and region (`id_no` only when the party gave one)."""

    name: str
    phone: str
    address: str
    region: Region
    id_no: NotRequired[str]


class MaskedShipment(TypedDict):
    """The contract's shipment view; a purged shipment shows no party fields."""

    waybill_no: str
    status: str
    carrier: str | None
    created_at: str
    courier_id: str | None
    station_id: str | None
    recipient: NotRequired[MaskedParty | None]
    sender: NotRequired[MaskedParty | None]
    delivered_at: NotRequired[str]


class AccessRecord(TypedDict):
    """One access to a person's parcels ("who viewed my data"): role and station, no staff."""

    seq: int
    at: str
    waybill_no: str
    action: str
    role: str
    station_id: str | None
    purpose: str | None
    decision: str | None
    fields: list[str]


class Transfer(TypedDict):
    """A parcel transferred into or out of a station (both stations see it)."""

    waybill_no: str
    from_station: str | None
    to_station: str | None
    at: datetime
    direction: str


class ShipmentRow(TypedDict):
    """The column values of a new `Shipment` row (imports and canaries)."""

    tenant_id: str
    shipment_id: str
    waybill_no: str
    carrier: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    courier_id: str | None
    station_id: str | None
    purge_epoch: date
    fingerprint: bytes | None
    kind: str


class ImportDocument(TypedDict):
    """The contract's import report (plus `skipped`; a dry run says what it would import)."""

    imported: int
    rejected: int
    skipped: int
    waybills: list[str]
    errors: list[dict[str, Any]]
    dry_run: NotRequired[bool]
    would_import: NotRequired[int]


class ReaderPlan(TypedDict):
    """What a dry run and a report show of a file: layout, sheet, header row, mapping."""

    file: str
    format: str
    encoding: str | None
    sheet: str | None
    sheets: list[str]
    header_row: int
    source: str | None
    source_title: str | None
    mapping: dict[str, str]
    unmapped: list[str]
    errors_file: NotRequired[str]  # the CLI's `--errors` file, when given


class RevealResult(TypedDict):
    """`POST /api/v1/shipments/{waybill}/reveal`: the revealed fields by name."""

    fields: dict[str, str]


class ExportView(TypedDict):
    """An export request as officers list it (no personal data)."""

    id: str
    case_id: str
    status: str
    requested_by: str
    approved_by: str | None
    approvers: list[str]
    count: int
    fields: list[str]
    created_at: str


class ExportList(TypedDict):
    """`GET /api/v1/exports`."""

    exports: list[ExportView]


class ExportRef(TypedDict):
    """A new export request: its id and status."""

    id: str
    status: str


class ExportDecision(ExportRef):
    """An export approval: the request's status, `approvals` of `needed` so far."""

    approvals: int
    needed: int


class PurgeResult(TypedDict):
    """`shipments purge`: shipments shredded and retention keys destroyed."""

    purged: int
    epochs_destroyed: int


class ErasureResult(TypedDict):
    """A person's erasure: parcels erased, and those left because they are on their way."""

    erased: int
    in_transit: int


class KeysStatus(TypedDict):
    """`keys status`: the keyring state and the data keys still waiting for a rewrap."""

    active: int
    versions: list[int]
    pending_rewrap: int
    provider: str
    created_at: dict[str, str]
    epochs: int
    destroyed_epochs: int
    development: bool
    min_format: int

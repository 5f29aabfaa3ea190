"""The masked shipment view (CONTRACTS.md): what `show`, lists and the API return."""

from __future__ import annotations

from parcelguard.vault.models import Party, Shipment
from parcelguard.vault.results import MaskedParty, MaskedShipment


def party_view(party: Party | None) -> MaskedParty | None:
    """Return a party's masked fields and region."""
    if party is None:
        return None
    view: MaskedParty = {
        "name": party.name_masked,
        "phone": party.phone_masked,
        "address": party.address_masked,
        "region": {
            "province": party.province,
            "city": party.city,
            "district": party.district,
            "adcode": party.adcode,
        },
    }
    if party.id_no_masked:
        view["id_no"] = party.id_no_masked
    return view


def shipment_view(shipment: Shipment, parties: dict[str, Party]) -> MaskedShipment:
    """Return the contract's shipment view; a purged shipment shows no party fields."""
    view: MaskedShipment = {
        "waybill_no": shipment.waybill_no,
        "status": shipment.status,
        "carrier": shipment.carrier,
        "created_at": shipment.created_at.isoformat(),
        "courier_id": shipment.courier_id,
        "station_id": shipment.station_id,
    }
    if shipment.status == "purged":
        return view
    view["recipient"] = party_view(parties.get("recipient"))
    view["sender"] = party_view(parties.get("sender"))
    if shipment.delivered_at is not None:
        view["delivered_at"] = shipment.delivered_at.isoformat()
    return view

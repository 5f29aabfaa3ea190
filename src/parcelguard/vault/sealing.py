"""Sealing a party: the envelope recipe over its fields, plus its indexes and masked forms.

The fields go through `crypto.Envelope` (one data key per party, wrapped by the KEK and the
retention epoch, each field bound to its row); blind indexes and masked forms sit beside them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from parcelguard.crypto import Envelope, Keyring
from parcelguard.pii.divisions import Region
from parcelguard.pii.masking import (
    mask_address,
    mask_id_number,
    mask_name,
    mask_normalized_phone,
)
from parcelguard.sensitive import Sensitive
from parcelguard.vault.models import PARTY_SEALING, Party
from parcelguard.vault.rows import PartyInput

FIELDS = tuple(PARTY_SEALING.fields)


def owner_id(shipment_id: str, role: str) -> str:
    """Return the id a party's ciphertexts are bound to."""
    return f"{shipment_id}/{role}"


def name_region_key(name: str, region: Region | None = None, adcode: str = "") -> str:
    """Return the normalized name + city value the name-and-region blind index covers."""
    code = region.adcode if region else adcode
    return f"{name}|{code[:4]}"


class PartySealer:
    """Seals and opens the parties of one tenant."""

    def __init__(self, keyring: Keyring, tenant_id: str) -> None:
        self.keyring = keyring
        self.tenant_id = tenant_id
        self.envelope = Envelope(keyring, tenant_id, PARTY_SEALING)

    def seal(
        self, shipment_id: str, role: str, party: PartyInput, region: Region, epoch: date
    ) -> dict[str, Any]:
        """Return the column values of a new `Party` row."""
        name, phone = party.name.reveal(), party.phone
        index = self.keyring.index
        id_no = party.id_no.reveal() if party.id_no else None
        sealed = self.envelope.seal_new(
            {"shipment_id": shipment_id, "role": role},
            {
                "name": name,
                # With its extension (13800138000-1234): reveal and the relay need both.
                "phone": phone.full,
                "address": party.address.reveal(),
                "id_no": id_no,
            },
            epoch,
        )
        return {
            "tenant_id": self.tenant_id,
            "shipment_id": shipment_id,
            "role": role,
            **sealed,
            "phone_bidx": index.digest(self.tenant_id, "phone", phone.e164),
            "name_region_bidx": index.digest(
                self.tenant_id, "name_region", name_region_key(name, region)
            ),
            "last4_digest": self.last4_digest(shipment_id, role, phone.last4),
            "name_masked": mask_name(name),
            "phone_masked": mask_normalized_phone(phone),
            "address_masked": mask_address(region.prefix, region.detail),
            "id_no_masked": mask_id_number(id_no) if id_no else None,
            "province": region.province,
            "city": region.city,
            "district": region.district,
            "adcode": region.adcode,
        }

    def last4_digest(self, shipment_id: str, role: str, last4: str) -> bytes:
        """Return the keyed digest a clerk's "last four digits" answer is checked against."""
        return self.keyring.index.digest(self.tenant_id, "last4", f"{shipment_id}/{role}/{last4}")

    def open(self, party: Party, fields: Iterable[str]) -> dict[str, Sensitive]:
        """Open only the asked fields of a party (`name`, `phone`, `address`, `id_no`)."""
        return self.envelope.open(party, fields)

    def rewrap(self, party: Party, epoch: date | None = None) -> None:
        """Rewrap the party's data key under the active KEK (and a new epoch when given)."""
        self.envelope.rewrap(party, epoch)

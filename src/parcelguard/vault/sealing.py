"""Sealing a party: its own data key, fields under AES-GCM, indexes and masked forms.

Every field is sealed under a fresh data key and bound to its row; the key is wrapped by the
KEK and the retention epoch; blind indexes and masked forms are stored beside it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from typing import Any

from parcelguard.crypto import FieldCipher, Keyring, WrappedKey, field_aad
from parcelguard.crypto.seal import KEY_BYTES, NONCE
from parcelguard.errors import InvalidInput
from parcelguard.pii.divisions import Region
from parcelguard.pii.masking import (
    mask_address,
    mask_id_number,
    mask_name,
    mask_normalized_phone,
)
from parcelguard.sensitive import Sensitive
from parcelguard.vault.models import Party
from parcelguard.vault.rows import PartyInput

FIELDS = ("name", "phone", "address", "id_no")


class _AadPrefix:
    """Builds `field_aad(tenant, owner, field)` for one owner without repeating the prefix."""

    __slots__ = ("_prefix",)

    def __init__(self, tenant_id: str, owner: str) -> None:
        self._prefix = field_aad(tenant_id, owner, "")

    def __call__(self, field: str) -> bytes:
        return self._prefix + field.encode()


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

    def seal(
        self, shipment_id: str, role: str, party: PartyInput, region: Region, epoch: date
    ) -> dict[str, Any]:
        """Return the column values of a new `Party` row."""
        owner = owner_id(shipment_id, role)
        random = os.urandom(KEY_BYTES + 4 * NONCE)  # the data key and four nonces in one call
        key, nonces = (
            random[:KEY_BYTES],
            [random[KEY_BYTES + i * NONCE :][:NONCE] for i in range(4)],
        )
        wrapped = self.keyring.wrap_data_key(
            key, epoch, field_aad(self.tenant_id, owner, "data_key")
        )
        cipher = FieldCipher(key)
        name, phone = party.name.reveal(), party.phone
        index = self.keyring.index
        id_no = party.id_no.reveal() if party.id_no else None
        aad = _AadPrefix(self.tenant_id, owner)
        return {
            "tenant_id": self.tenant_id,
            "shipment_id": shipment_id,
            "role": role,
            "key_blob": wrapped.blob,
            "kek_version": wrapped.kek_version,
            "epoch": epoch,
            "name_ct": cipher.seal(name, aad("name"), nonces[0]),
            # With its extension (13800138000-1234): reveal and the relay need both.
            "phone_ct": cipher.seal(phone.full, aad("phone"), nonces[1]),
            "address_ct": cipher.seal(party.address.reveal(), aad("address"), nonces[2]),
            "id_no_ct": cipher.seal(id_no, aad("id_no"), nonces[3]) if id_no else None,
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
        owner = owner_id(party.shipment_id, party.role)
        key = self.keyring.unwrap_data_key(
            self._wrapped(party), field_aad(self.tenant_id, owner, "data_key")
        )
        cipher = FieldCipher(key)
        opened: dict[str, Sensitive] = {}
        for field in fields:
            if field not in FIELDS:
                raise InvalidInput("unknown party field", code="unknown_field")
            blob = getattr(party, f"{field}_ct")
            if blob is not None:
                opened[field] = cipher.open(blob, field_aad(self.tenant_id, owner, field))
        return opened

    def rewrap(self, party: Party, epoch: date | None = None) -> None:
        """Rewrap the party's data key under the active KEK (and a new epoch when given)."""
        owner = owner_id(party.shipment_id, party.role)
        new = self.keyring.rewrap_data_key(
            self._wrapped(party), field_aad(self.tenant_id, owner, "data_key"), epoch
        )
        party.key_blob, party.kek_version, party.epoch = new.blob, new.kek_version, new.epoch

    @staticmethod
    def _wrapped(party: Party) -> WrappedKey:
        return WrappedKey(party.kek_version, party.epoch, party.key_blob)

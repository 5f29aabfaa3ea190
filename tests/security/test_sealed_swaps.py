"""Attacker with write access to the database (not the keyring) moves sealed values around.

Every sealed value is bound by its associated data to (tenant, row, field) and by its header
to its key and format, so each move below is refused with the one opaque error, never a wrong
plaintext: a courier's calls cannot be redirected by swapping staff phones, a parcel cannot be
given another person's address, a complaint cannot be given another's words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access.models import PRINCIPAL_PHONE_SEALING, Principal
from parcelguard.complaints.models import COMPLAINT_SEALING, Complaint
from parcelguard.crypto import Envelope, SealedTable
from parcelguard.errors import IntegrityError
from parcelguard.runtime import Runtime
from parcelguard.vault.models import PARTY_SEALING, Party
from tests.crypto.sealed_world import Cli, seed_every_table

Attack = Callable[[Session], tuple[SealedTable, Any]]


def two(session: Session, model: Any, *where: Any) -> tuple[Any, Any]:
    """Return two sealed rows of a table, in a stable order."""
    rows = list(session.scalars(select(model).where(*where)))
    rows.sort(key=lambda r: tuple(getattr(r, c.key) for c in r.__table__.primary_key.columns))
    return rows[0], rows[1]


def recipients(session: Session) -> tuple[Party, Party]:
    """Return the recipients of two parcels."""
    return two(session, Party, Party.role == "recipient")


def couriers(session: Session) -> tuple[Principal, Principal]:
    """Return two couriers with their own phones sealed."""
    return two(session, Principal, Principal.phone_ct.is_not(None))


def swap_phone_between_parcels(session: Session) -> tuple[SealedTable, Any]:
    a, b = recipients(session)
    b.phone_ct = a.phone_ct
    return PARTY_SEALING, b


def swap_whole_envelope_between_parcels(session: Session) -> tuple[SealedTable, Any]:
    a, b = recipients(session)
    for column in PARTY_SEALING.columns():
        setattr(b, column, getattr(a, column))
    return PARTY_SEALING, b


def swap_recipient_and_sender_address(session: Session) -> tuple[SealedTable, Any]:
    recipient, _ = recipients(session)
    sender = session.get(Party, (recipient.tenant_id, recipient.shipment_id, "sender"))
    assert sender is not None
    recipient.address_ct = sender.address_ct
    return PARTY_SEALING, recipient


def move_name_into_the_address_field(session: Session) -> tuple[SealedTable, Any]:
    a, _ = recipients(session)
    a.address_ct = a.name_ct
    return PARTY_SEALING, a


def swap_staff_phone_envelopes(session: Session) -> tuple[SealedTable, Any]:
    """Redirect courier A's relayed calls to courier B's phone."""
    a, b = couriers(session)
    a.phone_ct, a.phone_key, a.phone_kek_version = b.phone_ct, b.phone_key, b.phone_kek_version
    return PRINCIPAL_PHONE_SEALING, a


def copy_a_parcel_envelope_onto_a_courier(session: Session) -> tuple[SealedTable, Any]:
    party, _ = recipients(session)
    courier, _ = couriers(session)
    courier.phone_ct, courier.phone_key = party.phone_ct, party.key_blob
    courier.phone_kek_version = party.kek_version
    return PRINCIPAL_PHONE_SEALING, courier


def copy_complaint_words(session: Session) -> tuple[SealedTable, Any]:
    a, b = two(session, Complaint)
    b.text_ct = a.text_ct
    return COMPLAINT_SEALING, b


def pass_a_current_row_off_as_format_1(session: Session) -> tuple[SealedTable, Any]:
    """A downgrade: the row claims the older format, hoping for weaker checks."""
    a, _ = recipients(session)
    a.seal_format = 1
    return PARTY_SEALING, a


def strip_the_headers_and_claim_format_1(session: Session) -> tuple[SealedTable, Any]:
    a, _ = recipients(session)
    a.phone_ct, a.seal_format = a.phone_ct[5:], 1
    return PARTY_SEALING, a


def name_another_kek_version(session: Session) -> tuple[SealedTable, Any]:
    a, _ = recipients(session)
    a.kek_version = a.kek_version + 1
    return PARTY_SEALING, a


ATTACKS: list[Attack] = [
    swap_phone_between_parcels,
    swap_whole_envelope_between_parcels,
    swap_recipient_and_sender_address,
    move_name_into_the_address_field,
    swap_staff_phone_envelopes,
    copy_a_parcel_envelope_onto_a_courier,
    copy_complaint_words,
    pass_a_current_row_off_as_format_1,
    strip_the_headers_and_claim_format_1,
    name_another_kek_version,
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.__name__)
def test_a_sealed_value_moved_or_relabelled_is_refused(
    rt: Runtime, cli: Cli, tmp_path: Path, attack: Attack
) -> None:
    seed_every_table(rt, cli, tmp_path)
    rt.keyring.rotate()  # KEK version 2 exists: a relabelled version names a real key
    with rt.db.session() as session:
        table, row = attack(session)
        target = tuple(getattr(row, c.key) for c in row.__table__.primary_key.columns)
    with rt.db.session() as session:
        victim = session.get(table.model, target)
        with pytest.raises(IntegrityError) as caught:
            Envelope(rt.keyring, rt.tenant, table).open(victim, table.fields)
    assert caught.value.code == "ciphertext_mismatch"
    assert "138" not in str(caught.value) and "139" not in str(caught.value)


def test_a_row_copied_into_another_tenant_does_not_open_there(
    rt: Runtime, cli: Cli, tmp_path: Path
) -> None:
    seed_every_table(rt, cli, tmp_path)
    with rt.db.session() as session:
        party, _ = recipients(session)
        assert Envelope(rt.keyring, rt.tenant, PARTY_SEALING).open(party, ["phone"])
        with pytest.raises(IntegrityError) as caught:
            Envelope(rt.keyring, "other-tenant", PARTY_SEALING).open(party, ["phone"])
    assert caught.value.code == "ciphertext_mismatch"

"""A platform privacy number with an extension: stored with it, masked, dialled with its digits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from parcelguard.audit.service import SYSTEM
from parcelguard.vault import service as vault_service
from parcelguard.vault.ingest import ImportOptions, import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Faker
from tests.relay.conftest import World, dispatch, neutral_post
from tests.relay.test_routing import bound_number
from tests.relay.test_webhooks import twilio_post

PRIVACY = "19512345678"  # the platform's shared virtual number
EXTENSION = "4321"


def _parcel_with_extension(world: World, written: str) -> int:
    row = Faker(99).shipment_row("EXT20261102001")
    row["recipient_phone"] = written
    report = import_shipments(world.rt, SYSTEM, [RawRow(2, row)], options=ImportOptions())
    assert report.imported == 1, list(report.errors)
    world.parcels.append(row)
    return len(world.parcels) - 1


def test_extension_is_stored_with_the_number_and_shown_masked(world: World) -> None:
    index = _parcel_with_extension(world, f"{PRIVACY}转{EXTENSION}")
    with world.rt.db.session() as session:
        shipment = vault_service.get_or_raise(session, world.rt.tenant, world.waybill(index))
        opened = vault_service.open_fields(world.rt, session, shipment, [("recipient", "phone")])
        shown = vault_service.view(session, shipment)["recipient"]["phone"]
        found = vault_service.find_by_phone(world.rt, session, SYSTEM, PRIVACY)
    assert opened[("recipient", "phone")].reveal() == f"{PRIVACY}-{EXTENSION}"
    assert shown == "195******78 转 ****"
    assert EXTENSION not in shown
    assert found == [world.waybill(index)]  # the blind index holds the base number


def test_neutral_answer_carries_the_extension(world: World, client: TestClient) -> None:
    index = _parcel_with_extension(world, f"{PRIVACY}-{EXTENSION}")
    dispatch(world.rt, world.waybill(index), world.couriers[0])
    out = bound_number(world, index)
    answer = neutral_post(client)(
        "/relay/voice", {"from": world.couriers[0].phone, "to": out, "call_id": "x-1"}
    )
    assert answer.json() == {
        "action": "connect",
        "number": "+86" + PRIVACY,
        "reason": None,
        "extension": EXTENSION,
    }


def test_twilio_dials_the_base_number_and_sends_the_extension(
    world: World, client: TestClient
) -> None:
    index = _parcel_with_extension(world, f"{PRIVACY}[{EXTENSION}]")
    dispatch(world.rt, world.waybill(index), world.couriers[0])
    out = bound_number(world, index)
    params = {"CallSid": "CA900", "From": "+86" + world.couriers[0].phone, "To": out}
    answer = twilio_post(client, "/relay/twilio/voice", params)
    assert answer.status_code == 200, answer.text
    assert f">+86{PRIVACY}</Number>" in answer.text
    assert f'sendDigits="wwww{EXTENSION}#"' in answer.text


def test_a_number_without_extension_sends_no_digits(world: World, client: TestClient) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    params = {
        "CallSid": "CA901",
        "From": "+86" + world.couriers[0].phone,
        "To": bound_number(world),
    }
    assert "sendDigits" not in twilio_post(client, "/relay/twilio/voice", params).text

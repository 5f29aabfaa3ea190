"""AXE (X 转 extension) and AXG (one X for a station's group): allocation, cooling, the IVR."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from parcelguard.audit.service import SYSTEM
from parcelguard.relay import extensions, service
from parcelguard.relay.models import Binding, Extension
from parcelguard.relay.numbers import canonical
from parcelguard.relay.pool import PoolExhausted
from parcelguard.runtime import Runtime
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Faker
from tests.relay.conftest import (
    World,
    add_courier,
    audit_events,
    configure,
    details,
    dispatch,
    event,
    neutral_post,
    pool_numbers,
)
from tests.relay.test_routing import STRANGER
from tests.relay.test_webhooks import twilio_post

AXE_X = pool_numbers(2, start=4000)


def add_axe(rt: Runtime, numbers: list[str], mode: str = "axe", group: str | None = None) -> None:
    from parcelguard.relay.inventory import PoolRow

    with rt.db.session() as session:
        rows = [PoolRow(i + 2, n) for i, n in enumerate(numbers)]
        service.import_numbers(rt, session, SYSTEM, rows, mode=mode, group=group)


@pytest.fixture
def axe(world: World) -> World:
    """The world, its parcels bound on AXE numbers when they go out."""
    configure(world.rt, auto_kind="axe")
    add_axe(world.rt, AXE_X)
    return world


def axe_binding(world: World, i: int) -> Binding:
    with world.rt.db.session() as session:
        from parcelguard.vault.service import get_or_raise

        shipment = get_or_raise(session, world.rt.tenant, world.waybill(i))
        found = session.scalars(
            select(Binding).where(
                Binding.shipment_id == shipment.shipment_id, Binding.status == "active"
            )
        ).one()
        session.expunge(found)
        return found


def x_of(world: World, binding: Binding) -> str:
    from parcelguard.relay.models import RelayNumber

    with world.rt.db.session() as session:
        return session.get(RelayNumber, (world.rt.tenant, binding.number_id)).number


def test_going_out_binds_an_extension_on_a_shared_axe_number(axe: World, cli) -> None:
    for i in range(4):
        dispatch(axe.rt, axe.waybill(i), axe.couriers[0])  # one courier, one X is enough
    found = [axe_binding(axe, i) for i in range(4)]
    assert {b.kind for b in found} == {"axe"}
    assert all(b.extension and len(b.extension) == 4 and b.extension.isdigit() for b in found)
    keys = {(b.number_id, b.extension) for b in found}
    assert len(keys) == 4
    shown = cli("relay", "bindings", "--json").json["bindings"]
    assert {b["extension"] for b in shown} == {b.extension for b in found}
    status = cli("relay", "pool", "status", "--json").json
    assert status["axe"] == 2  # dedicated: never handed to an AXB or AXN binding


def test_axe_numbers_never_carry_axb_bindings(world: World) -> None:
    add_axe(world.rt, AXE_X)
    from parcelguard.relay.models import RelayNumber

    for i in range(6):
        dispatch(world.rt, world.waybill(i), world.couriers[i % 2])
    with world.rt.db.session() as session:
        axe_ids = set(
            session.scalars(select(RelayNumber.number_id).where(RelayNumber.state == "axe"))
        )
        used = set(session.scalars(select(Binding.number_id)))
    assert not axe_ids & used


def test_ivr_asks_for_the_extension_and_connects_the_parties(axe: World, client) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    x = x_of(axe, binding)
    post = neutral_post(client)
    asked = post("/relay/voice", {"from": axe.couriers[0].phone, "to": x, "call_id": "c1"})
    assert asked.json() == {
        "action": "gather",
        "number": None,
        "reason": "extension_needed",
        "attempt": 1,
    }
    ok = post(
        "/relay/voice",
        {"from": axe.couriers[0].phone, "to": x, "call_id": "c1", "extension": binding.extension},
    ).json()
    assert ok["action"] == "connect"
    assert canonical(ok["number"]) == canonical(axe.recipient(0))
    back = post(
        "/relay/voice",
        {"from": axe.recipient(0), "to": x, "call_id": "c2", "extension": binding.extension},
    ).json()
    assert back["action"] == "connect" and canonical(back["number"]) == canonical(
        axe.couriers[0].phone
    )
    assert audit_events(axe.rt, "relay.extension_miss") == []


def _wrong(binding: Binding) -> str:
    return f"{(int(binding.extension or '0') + 1) % 10000:04d}"


def test_a_wrong_extension_is_asked_again_once_then_gets_help_and_is_audited(
    axe: World, client
) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    x = x_of(axe, binding)
    post = neutral_post(client)
    call = {"from": STRANGER, "to": x, "call_id": "c9"}
    first = post("/relay/voice", {**call, "extension": _wrong(binding)}).json()
    assert first["action"] == "gather" and first["attempt"] == 2
    assert first["reason"] == "wrong_extension"
    second = post("/relay/voice", {**call, "extension": "", "attempt": 2}).json()
    assert second == {"action": "reject", "number": None, "reason": "wrong_extension"}
    misses = audit_events(axe.rt, "relay.extension_miss")
    assert [(m.reason, details(m)["attempt"], details(m)["final"]) for m in misses] == [
        ("unknown", 1, False),
        ("no_input", 2, True),
    ]
    assert details(misses[0])["target"] == details(misses[1])["target"]
    assert STRANGER[-4:] not in str([m.details for m in misses])


def test_a_stranger_with_the_right_extension_is_not_connected(axe: World, client) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    answer = neutral_post(client)(
        "/relay/voice",
        {"from": STRANGER, "to": x_of(axe, binding), "extension": binding.extension},
    ).json()
    assert answer["action"] == "reject" and answer["reason"] == "stranger"


def test_an_ended_extension_is_expired_and_cools_before_it_is_given_again(
    axe: World, client, clock
) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    with axe.rt.db.session() as session:
        service.release_binding(axe.rt, session, SYSTEM, binding.binding_id)
    answer = neutral_post(client)(
        "/relay/voice",
        {
            "from": axe.couriers[0].phone,
            "to": x_of(axe, binding),
            "extension": binding.extension,
            "attempt": 2,
        },
    ).json()
    assert answer["reason"] == "wrong_extension"
    [miss] = audit_events(axe.rt, "relay.extension_miss")
    assert miss.reason == "expired"
    now = axe.rt.clock.now()
    with axe.rt.db.session() as session:
        args = (axe.rt.tenant, binding.number_id, binding.extension or "")
        assert not extensions.claim(session, *args[:3], "b2", now)  # still cooling
        later = now + timedelta(hours=48, seconds=1)
        assert extensions.claim(session, *args[:3], "b2", later)  # quiet period over
        assert session.get(Extension, args).binding_id == "b2"


def test_twilio_gathers_the_extension_retries_once_then_plays_masked_help(
    axe: World, client
) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    x = x_of(axe, binding)
    base = {"From": axe.couriers[0].phone, "To": x, "CallSid": "CA-axe-1"}
    first = twilio_post(client, "/relay/twilio/voice", base)
    assert first.status_code == 200
    assert "<Gather" in first.text and "attempt=1" in first.text and 'numDigits="4"' in first.text
    assert "<Redirect" in first.text
    wrong = twilio_post(
        client, "/relay/twilio/voice?attempt=1", {**base, "Digits": _wrong(binding)}
    )
    assert "<Gather" in wrong.text and "attempt=2" in wrong.text
    help_ = twilio_post(
        client, "/relay/twilio/voice?attempt=2", {**base, "Digits": _wrong(binding)}
    )
    assert "<Say" in help_.text and "<Dial" not in help_.text and "分机号无效" in help_.text
    assert not any(ch.isdigit() for ch in help_.text.split("<Say")[1].split("</Say>")[0])
    good = twilio_post(
        client, "/relay/twilio/voice?attempt=1", {**base, "Digits": binding.extension or ""}
    )
    assert "<Dial" in good.text
    assert len(audit_events(axe.rt, "relay.extension_miss")) == 2


def test_an_attempt_forged_in_the_url_fails_the_twilio_signature(axe: World, client) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    params = {"From": STRANGER, "To": x_of(axe, binding), "CallSid": "CA-f", "Digits": "1"}
    from tests.relay.test_webhooks import BASE

    signed_for_first = twilio_post(
        client, "/relay/twilio/voice?attempt=9", params, url=BASE + "/relay/twilio/voice?attempt=1"
    )
    assert signed_for_first.status_code == 403


def test_axg_connects_the_recipient_to_the_station_group_and_back(world: World, client) -> None:
    configure(world.rt)
    add_axe(world.rt, pool_numbers(1, start=5000), mode="axg", group="st-9")
    clerk = _clerk(world.rt, "站点店员", "13700007777", "st-9")
    event(world.rt, world.waybill(0), "at_station", station="st-9")
    result = service.bind_waybill(world.rt, SYSTEM, world.waybill(0), kind="axg")
    assert result["kind"] == "axg" and result["group_id"] == "st-9"
    x = result["virtual_number"]
    post = neutral_post(client)
    from_b = post("/relay/voice", {"from": world.recipient(0), "to": x}).json()
    assert from_b["action"] == "connect" and canonical(from_b["number"]) == canonical(clerk)
    from_g = post("/relay/voice", {"from": clerk, "to": x}).json()
    assert from_g["action"] == "connect"
    assert canonical(from_g["number"]) == canonical(world.recipient(0))
    other = post("/relay/voice", {"from": world.couriers[0].phone, "to": x}).json()
    assert other["reason"] == "stranger"
    with pytest.raises(PoolExhausted):  # one B per group number at a time
        event(world.rt, world.waybill(1), "at_station", station="st-9")
        service.bind_waybill(world.rt, SYSTEM, world.waybill(1), kind="axg")


def _clerk(rt: Runtime, name: str, phone: str, station: str) -> str:
    from parcelguard.access import service as access_service
    from parcelguard.access.schemas import NewPrincipal

    new = NewPrincipal(name=name, role="station_clerk", phone=phone, station=station)
    with rt.db.session() as session:
        access_service.create(rt, session, SYSTEM, new)
    return phone


PARCELS = 1000
THREADS = 16


@pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_thousand_parallel_axe_binds_never_give_one_extension_twice(rt: Runtime) -> None:
    configure(rt, extension_digits=3)  # 1,000 extensions per X: collisions are certain
    faker = Faker(42)
    rows = list(faker.rows(PARCELS, prefix="AX"))
    report = import_shipments(rt, SYSTEM, (RawRow(i + 2, r) for i, r in enumerate(rows)))
    assert report.imported == PARCELS
    couriers = [add_courier(rt, f"快递员{i}", f"1380000{i:04d}") for i in range(10)]
    with rt.db.session() as session:
        session.execute(
            text(
                "UPDATE shipments SET courier_id = :courier, status = 'assigned' "
                "WHERE tenant_id = :tenant AND waybill_no = :waybill"
            ),
            [
                {"courier": couriers[i % 10].id, "tenant": rt.tenant, "waybill": r["waybill_no"]}
                for i, r in enumerate(rows)
            ],
        )
    add_axe(rt, pool_numbers(2, start=6000))  # 2 × 1,000 extensions for 1,000 parcels
    waybills = [r["waybill_no"] for r in rows]
    requests = waybills + random.Random(3).sample(waybills, 50)  # some parcels twice at once
    random.Random(4).shuffle(requests)

    def bind(waybill: str) -> dict[str, Any] | None:
        try:
            return service.bind_waybill(rt, SYSTEM, waybill, kind="axe")
        except PoolExhausted:
            return None

    with ThreadPoolExecutor(THREADS) as pool:
        made = [b for b in pool.map(bind, requests) if b is not None]
    with rt.db.session() as session:
        active = list(session.scalars(select(Binding).where(Binding.status == "active")))
        live = list(session.scalars(select(Extension).where(Extension.until.is_(None))))
    assert len({b["binding_id"] for b in made}) == PARCELS
    assert len(active) == PARCELS == len({b.shipment_id for b in active})
    keys = Counter((b.number_id, b.extension) for b in active)
    assert max(keys.values()) == 1  # no extension given twice while live
    assert {(e.number_id, e.extension, e.binding_id) for e in live} == {
        (b.number_id, b.extension, b.binding_id) for b in active
    }


def test_a_caller_walking_the_extensions_raises_one_enumeration_alert(axe: World, client) -> None:
    from tests.relay.test_quiet import _alerts

    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    post = neutral_post(client)
    for guess in range(8):
        keyed = f"{(int(binding.extension or '0') + 1 + guess) % 10000:04d}"
        post(
            "/relay/voice",
            {"from": STRANGER, "to": x_of(axe, binding), "extension": keyed, "attempt": 2},
        )
    assert len(_alerts(axe.rt, "relay_extension_enumeration")) == 1
    assert len(audit_events(axe.rt, "relay.extension_miss")) == 8

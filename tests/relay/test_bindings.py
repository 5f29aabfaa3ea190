"""Bindings: automatic on out_for_delivery, on request, ended after delivery, pool exhaustion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from parcelguard.audit.service import SYSTEM
from parcelguard.errors import Conflict
from parcelguard.relay import service
from parcelguard.relay.models import Binding, RelayNumber, Seat
from parcelguard.relay.pool import PoolExhausted
from tests.relay.conftest import (
    World,
    add_courier,
    add_numbers,
    audit_events,
    configure,
    details,
    dispatch,
    event,
    pool_numbers,
)


def bindings_of(world: World, status: str | None = "active") -> list[Binding]:
    with world.rt.db.session() as session:
        query = select(Binding).where(Binding.tenant_id == world.rt.tenant)
        if status:
            query = query.where(Binding.status == status)
        return list(session.scalars(query))


def test_out_for_delivery_binds_automatically(world: World) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    [binding] = bindings_of(world)
    assert binding.kind == "axb" and binding.courier_id == world.couriers[0].id
    assert binding.expires_at == world.rt.clock.now() + timedelta(days=3)
    [audited] = audit_events(world.rt, "relay.bind")
    assert details(audited)["automatic"] is True and audited.decision == "allow"
    with world.rt.db.session() as session:
        number = session.get(RelayNumber, (world.rt.tenant, binding.number_id))
        assert number is not None and number.state == "bound"


def test_bind_on_request_is_idempotent_and_takes_a_ttl(world: World, cli) -> None:
    event(world.rt, world.waybill(1), "assigned", world.couriers[0].id)
    first = cli("relay", "bind", world.waybill(1), "--ttl", "600", "--json")
    assert first.code == 0, first.stdout
    assert set(first.json) >= {"virtual_number", "expires_at"}
    assert first.json["virtual_number"].startswith("+86170")
    again = cli("relay", "bind", world.waybill(1), "--json").json
    assert again["virtual_number"] == first.json["virtual_number"]
    assert again["binding_id"] == first.json["binding_id"]
    too_long = cli("relay", "bind", world.waybill(1), "--ttl", "99999999", "--json")
    assert too_long.code == 1 and too_long.json["error"]["code"] == "invalid_ttl"


def test_a_parcel_without_courier_cannot_be_bound(world: World, cli) -> None:
    result = cli("relay", "bind", world.waybill(2), "--json")
    assert result.code == 1 and result.json["error"]["code"] == "not_bindable"
    event(world.rt, world.waybill(2), "assigned", world.couriers[0].id)
    with world.rt.db.session() as session:
        from parcelguard.vault.service import get_or_raise

        get_or_raise(session, world.rt.tenant, world.waybill(2)).courier_id = None
    result = cli("relay", "bind", world.waybill(2), "--json")
    assert result.json["error"]["code"] == "no_courier"


def test_delivery_ends_the_binding_n_hours_later(world: World, cli) -> None:
    configure(world.rt, binding_hours_after_delivery=2)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    world.rt.clock.advance(hours=1)
    event(world.rt, world.waybill(0), "delivered")
    [binding] = bindings_of(world)
    assert binding.expires_at == world.rt.clock.now() + timedelta(hours=2)
    world.rt.clock.advance(hours=1, minutes=59)
    assert cli("relay", "sweep", "--json").json["released"] == 0
    world.rt.clock.advance(minutes=2)
    swept = cli("relay", "sweep", "--json").json
    assert swept["released"] == 1
    [ended] = bindings_of(world, "ended")
    assert ended.end_reason == "expired"
    assert ended.ended_at == binding.expires_at
    assert [e.action for e in audit_events(world.rt, "relay.sweep")] == ["relay.sweep"]


def test_reassignment_releases_the_old_courier(world: World) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    event(world.rt, world.waybill(0), "at_station", station="st1")
    # A parcel at a station goes to a courier of that station.
    local = add_courier(world.rt, "站内快递员", "13600001234", station="st1")
    event(world.rt, world.waybill(0), "assigned", local.id)
    assert bindings_of(world) == []
    [released] = bindings_of(world, "ended")
    assert released.end_reason == "reassigned"
    event(world.rt, world.waybill(0), "out_for_delivery")
    [fresh] = bindings_of(world)
    assert fresh.courier_id == local.id


def test_pool_exhaustion_is_a_clear_error_and_an_audit_event(world: World, cli) -> None:
    # One courier: each of their bindings needs a number of its own.
    for i in range(6):
        event(world.rt, world.waybill(i), "assigned", world.couriers[0].id)
    with world.rt.db.session() as session:
        session.execute(
            RelayNumber.__table__.delete().where(
                RelayNumber.number.in_([f"+86{n}" for n in world.numbers[3:]])
            )
        )
    for i in range(3):
        assert cli("relay", "bind", world.waybill(i), "--json").code == 0
    refused = cli("relay", "bind", world.waybill(3), "--json")
    assert refused.code == 1
    assert refused.json["error"]["code"] == "pool_exhausted"
    [alert] = audit_events(world.rt, "relay.pool_exhausted")
    assert alert.decision == "deny" and alert.reason == "pool_exhausted"
    assert details(alert)["waybill"] == world.waybill(3)
    # Never a silent reuse: the three numbers each carry exactly one binding of the courier.
    assert len({b.number_id for b in bindings_of(world)}) == 3


def test_exhaustion_when_going_out_does_not_stop_the_parcel(world: World) -> None:
    configure(world.rt, enabled=True)  # the relay is in use; its pool is empty
    with world.rt.db.session() as session:
        session.execute(RelayNumber.__table__.delete())
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    assert bindings_of(world) == []
    [alert] = audit_events(world.rt, "relay.pool_exhausted")
    assert details(alert)["automatic"] is True
    with world.rt.db.session() as session:
        from parcelguard.vault.service import get_or_raise

        assert get_or_raise(session, world.rt.tenant, world.waybill(0)).status == (
            "out_for_delivery"
        )


def test_one_party_never_sits_twice_on_one_number(world: World) -> None:
    for i in range(4):
        dispatch(world.rt, world.waybill(i), world.couriers[i % 2])
    with world.rt.db.session() as session:
        seats = list(session.scalars(select(Seat).where(Seat.until.is_(None))))
    keys = [(s.number_id, s.party_ref) for s in seats]
    assert len(keys) == len(set(keys)) == 8
    per_courier: dict[str | None, set[str]] = {}
    for b in bindings_of(world):
        per_courier.setdefault(b.courier_id, set()).add(b.number_id)
    assert all(len(numbers) == 2 for numbers in per_courier.values())


def test_bind_service_raises_typed_errors(world: World) -> None:
    with pytest.raises(Conflict) as refused:
        service.bind_waybill(world.rt, SYSTEM, world.waybill(0))
    assert refused.value.code == "not_bindable"
    add_numbers(world.rt, pool_numbers(2, start=500))
    event(world.rt, world.waybill(0), "assigned", world.couriers[0].id)
    assert service.bind_waybill(world.rt, SYSTEM, world.waybill(0))["status"] == "active"
    assert issubclass(PoolExhausted, Conflict) and PoolExhausted.code == "pool_exhausted"


def test_forgetting_a_phone_ends_its_bindings_and_drops_its_references(world: World) -> None:
    from parcelguard.relay.models import CallRecord
    from tests.relay.test_routing import bound_number, route

    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    with world.rt.db.session() as session:
        service.route(world.rt, session, SYSTEM, world.recipient(0), x, call_id="c-1")
    with world.rt.db.session() as session:
        counts = service.forget_phone(world.rt, session, SYSTEM, world.recipient(0))
    assert counts == {"ended": 1, "seats": 1, "calls": 1, "recordings": 0}
    assert route(world, world.recipient(0), x).reason in ("unbound", "stranger")
    with world.rt.db.session() as session:
        record = session.get(CallRecord, (world.rt.tenant, "c-1"))
        assert record is not None and record.caller_ref is None and record.caller_masked is None
        [ended] = session.scalars(select(Binding)).all()
        assert ended.end_reason == "erased" and ended.b_ref == bytes(16)
    assert [e.action for e in audit_events(world.rt, "relay.forget")] == ["relay.forget"]

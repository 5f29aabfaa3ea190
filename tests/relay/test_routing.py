"""Routing: AXB both ways, strangers, expiry, cooling, AXN, canaries, the route and simulate
commands."""

from __future__ import annotations

from sqlalchemy import select

from parcelguard.audit.service import SYSTEM
from parcelguard.relay import service
from parcelguard.relay.models import Binding, CallRecord, RelayNumber
from parcelguard.relay.routing import CANARY, CanaryCalled, Decision
from tests.relay.conftest import (
    World,
    audit_events,
    configure,
    details,
    dispatch,
    event,
)

STRANGER = "13811112222"


def route(world: World, caller: str, to: str) -> Decision:
    with world.rt.db.session() as session:
        return service.route(world.rt, session, SYSTEM, caller, to)


def bound_number(world: World, waybill_index: int = 0) -> str:
    with world.rt.db.session() as session:
        from parcelguard.vault.service import get_or_raise

        shipment = get_or_raise(session, world.rt.tenant, world.waybill(waybill_index))
        binding = session.scalars(
            select(Binding).where(
                Binding.shipment_id == shipment.shipment_id, Binding.status == "active"
            )
        ).one()
        number = session.get(RelayNumber, (world.rt.tenant, binding.number_id))
        assert number is not None
        return number.number


def keep_only(world: World, count: int) -> None:
    """Shrink the pool to its first `count` numbers."""
    with world.rt.db.session() as session:
        session.execute(
            RelayNumber.__table__.delete().where(
                RelayNumber.number.in_([f"+86{n}" for n in world.numbers[count:]])
            )
        )


def test_axb_routes_both_ways(world: World) -> None:
    courier = world.couriers[0]
    dispatch(world.rt, world.waybill(0), courier)
    x = bound_number(world)
    to_recipient = route(world, courier.phone, x)
    assert to_recipient.answer() == {
        "action": "connect",
        "number": "+86" + world.recipient(0),
        "reason": None,
    }
    assert to_recipient.direction == "a_to_b"
    to_courier = route(world, world.recipient(0), x)
    assert to_courier.answer()["number"] == "+86" + courier.phone
    assert to_courier.direction == "b_to_a"
    connects = audit_events(world.rt, "relay.connect")
    assert [e.decision for e in connects] == ["allow", "allow"]
    assert [details(e)["opened"] for e in connects] == ["recipient.phone", "courier.phone"]


def test_strangers_and_other_parcels_are_rejected(world: World) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    assert route(world, STRANGER, x).answer() == {
        "action": "reject",
        "number": None,
        "reason": "stranger",
    }
    assert route(world, world.recipient(1), x).reason == "stranger"
    assert route(world, world.couriers[1].phone, x).reason == "stranger"
    assert route(world, world.couriers[0].phone, "17099999999").reason == "unknown_number"
    free = next(f"+86{n}" for n in world.numbers if f"+86{n}" != x)
    assert route(world, world.couriers[0].phone, free).reason == "unbound"
    assert route(world, "anonymous", x).reason == "invalid_caller"
    [first, *_] = audit_events(world.rt, "relay.route")
    assert first.decision == "deny" and first.reason == "stranger"


def test_expired_binding_is_rejected_and_released(world: World) -> None:
    configure(world.rt, default_ttl_seconds=3600)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    world.rt.clock.advance(minutes=61)
    decision = route(world, world.recipient(0), x)
    assert (decision.action, decision.reason) == ("reject", "expired")
    with world.rt.db.session() as session:
        [binding] = session.scalars(select(Binding)).all()
        assert (binding.status, binding.end_reason) == ("ended", "expired")
    assert route(world, world.couriers[0].phone, x).reason == "expired"


def test_route_as_of_a_time_with_now(world: World, cli) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    later = cli(
        "relay",
        "route",
        "--from",
        world.recipient(0),
        "--to",
        x,
        "--now",
        "2027-01-01T00:00:00+08:00",
        "--json",
    )
    assert later.json == {"action": "reject", "number": None, "reason": "expired"}
    assert (
        cli("relay", "route", "--from", world.recipient(0), "--to", x, "--json").json["action"]
        == "connect"
    )


def test_cooling_keeps_a_recycled_number_from_its_last_parties(world: World, cli) -> None:
    configure(world.rt, cooling_hours=48, binding_hours_after_delivery=1)
    keep_only(world, 1)
    first, second = world.couriers
    dispatch(world.rt, world.waybill(0), first)
    x = bound_number(world)
    event(world.rt, world.waybill(0), "delivered")
    world.rt.clock.advance(hours=2)
    swept = cli("relay", "sweep", "--json").json
    assert swept["released"] == 1 and swept["cooling"] == 1
    assert cli("relay", "pool", "status", "--json").json["cooling"] == 1
    # Quiet period: the number serves nobody new, and the old parties hear "expired".
    event(world.rt, world.waybill(1), "assigned", second.id)
    assert cli("relay", "bind", world.waybill(1), "--json").json["error"]["code"] == (
        "pool_exhausted"
    )
    assert route(world, world.recipient(0), x).reason == "expired"
    # The quiet period counts from the binding's end (delivered + 1 h), not from the sweep.
    world.rt.clock.advance(hours=46, minutes=59)
    assert cli("relay", "bind", world.waybill(1), "--json").code == 1
    world.rt.clock.advance(minutes=1)
    assert cli("relay", "bind", world.waybill(1), "--json").json["virtual_number"] == x
    # Recycled: the last recipient and courier it served reach nobody through it.
    assert route(world, world.recipient(0), x).reason == "stranger"
    assert route(world, first.phone, x).reason == "stranger"
    assert route(world, second.phone, x).answer()["number"] == "+86" + world.recipient(1)


def test_a_party_cools_on_a_number_that_stays_busy(world: World, cli) -> None:
    configure(world.rt, cooling_hours=24)
    keep_only(world, 1)
    first, second = world.couriers
    dispatch(world.rt, world.waybill(0), first)
    dispatch(world.rt, world.waybill(1), second)
    x = bound_number(world, 0)
    assert bound_number(world, 1) == x  # distinct parties share one X
    [binding] = [
        b
        for b in cli("relay", "bindings", "--json").json["bindings"]
        if b["waybill"] == world.waybill(0)
    ]
    assert cli("relay", "release", binding["binding_id"], "--json").json["status"] == "ended"
    event(world.rt, world.waybill(2), "assigned", first.id)
    assert cli("relay", "bind", world.waybill(2), "--json").json["error"]["code"] == (
        "pool_exhausted"
    )
    world.rt.clock.advance(hours=24, seconds=1)
    assert cli("relay", "bind", world.waybill(2), "--json").json["virtual_number"] == x
    assert route(world, world.recipient(0), x).reason == "stranger"
    assert route(world, first.phone, x).answer()["number"] == "+86" + world.recipient(2)


def test_axn_lets_any_courier_on_duty_reach_the_recipient(world: World, cli) -> None:
    event(world.rt, world.waybill(0), "assigned", world.couriers[0].id)
    bound = cli("relay", "bind", world.waybill(0), "--axn", "--json").json
    assert bound["kind"] == "axn"
    x = bound["virtual_number"]
    for courier in world.couriers:
        decision = route(world, courier.phone, x)
        assert decision.answer()["number"] == "+86" + world.recipient(0)
        assert decision.principal_id == courier.id
    assert route(world, STRANGER, x).reason == "stranger"
    assert route(world, world.recipient(0), x).reason == "one_way"
    # The AXN number is the recipient's alone: AXB bindings go elsewhere.
    dispatch(world.rt, world.waybill(1), world.couriers[0])
    assert bound_number(world, 1) != x
    assert cli("relay", "bind", world.waybill(0), "--axn", "--json").json["virtual_number"] == x


def test_a_call_to_a_canary_number_is_a_hit_answered_like_unbound(world: World, cli) -> None:
    reserved = cli("relay", "pool", "reserve", "--label", "canary:c-42", "--json").json
    [canary] = reserved["reserved"]
    decision = route(world, STRANGER, canary["number"])
    assert decision.answer() == {"action": "reject", "number": None, "reason": "unbound"}
    [hit] = audit_events(world.rt, "relay.canary_hit")
    assert (hit.decision, hit.reason, hit.target_type) == ("deny", "canary", "relay_number")
    assert hit.target_id == canary["number_id"]
    assert details(hit)["number_id"] == canary["number_id"]
    assert details(hit)["label"] == "canary:c-42"
    # Canaries are never bound.
    for i in range(4):
        dispatch(world.rt, world.waybill(i), world.couriers[0])
        assert bound_number(world, i) != canary["number"]


def test_route_command_masks_its_human_output(world: World, cli) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    human = cli("relay", "route", "--from", world.couriers[0].phone, "--to", x)
    assert world.recipient(0) not in human.stdout and "******" in human.stdout
    masked = cli(
        "relay", "route", "--from", world.couriers[0].phone, "--to", x, "--masked", "--json"
    )
    assert masked.json["number"] == world.recipient(0)[:3] + "******" + world.recipient(0)[-2:]
    real = cli("relay", "route", "--from", world.couriers[0].phone, "--to", x, "--json").json
    assert real["number"] == "+86" + world.recipient(0)
    operator = [e for e in audit_events(world.rt, "relay.connect") if e.actor_role == "operator"]
    assert len(operator) == 3


def test_simulate_connects_through_the_demo_carrier_masked(world: World, cli) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    result = cli("relay", "simulate", "--from", world.couriers[0].phone, "--to", x, "--json")
    assert result.code == 0
    shown = result.json
    assert shown["action"] == "connect" and shown["connected_to"] == "recipient"
    assert world.recipient(0) not in result.stdout and world.couriers[0].phone not in result.stdout
    assert shown["waybill"] != world.waybill(0) and shown["waybill"].endswith(world.waybill(0)[-4:])
    with world.rt.db.session() as session:
        record = session.get(CallRecord, (world.rt.tenant, shown["call_id"]))
        assert record is not None and record.status == "completed" and record.decision == "connect"
    rejected = cli("relay", "simulate", "--from", STRANGER, "--to", x)
    assert "rejected (stranger)" in rejected.stdout


def test_forensics_can_name_the_canary_and_its_holder(world: World, cli) -> None:
    [canary] = cli("relay", "pool", "reserve", "--label", "canary:K7", "--json").json["reserved"]

    def resolver(called: CanaryCalled) -> dict[str, str] | None:
        if called.label != "canary:K7":
            return None
        return {"canary_id": "K7", "holder_id": "p-courier", "phone": "13800000000"}

    world.rt.hooks.subscribe(CANARY, resolver)
    world.rt.hooks.subscribe(CANARY, lambda _: 1 / 0)  # a broken resolver changes nothing
    assert route(world, STRANGER, canary["number"]).reason == "unbound"
    [hit] = audit_events(world.rt, "relay.canary_hit")
    assert details(hit)["canary_id"] == "K7" and details(hit)["holder_id"] == "p-courier"
    assert "phone" not in details(hit)

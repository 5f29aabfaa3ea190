"""Quiet when off: no pool means no relay noise; an exhausted pool alerts once per episode."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import event_payload
from parcelguard.monitor.consumer import LiveConsumer
from parcelguard.monitor.detectors.base import Finding
from parcelguard.relay import service
from parcelguard.relay.models import Binding, Condition, RelayNumber
from parcelguard.runtime import Runtime
from tests.relay.conftest import (
    World,
    add_courier,
    add_numbers,
    audit_events,
    configure,
    dispatch,
    event,
    pool_numbers,
)


def _alerts(rt: Runtime, rule: str) -> list[Finding]:
    """Run the tenant's audit events through the monitor's detectors; return new alerts."""
    with rt.db.session() as session:
        query = select(AuditEvent).where(AuditEvent.tenant_id == rt.tenant)
        payloads = [event_payload(e) for e in session.scalars(query.order_by(AuditEvent.seq))]
    found = LiveConsumer(rt).detect(payloads)
    return [f for f in found if f.rule == rule and not f.repeat]


def _no_pool(world: World) -> None:
    with world.rt.db.session() as session:
        session.execute(RelayNumber.__table__.delete())


def test_without_a_pool_going_out_neither_logs_nor_alerts(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    _no_pool(world)
    with caplog.at_level(logging.DEBUG, logger="parcelguard.relay"):
        for i in range(4):
            dispatch(world.rt, world.waybill(i), world.couriers[i % 2])
    assert "pool_exhausted" not in caplog.text
    assert audit_events(world.rt, "relay.pool_exhausted") == []
    assert audit_events(world.rt, "relay.bind") == []
    assert _alerts(world.rt, "relay_pool_exhausted") == []


def test_enabled_false_keeps_the_relay_quiet_even_with_a_pool(world: World) -> None:
    configure(world.rt, enabled=False)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    with world.rt.db.session() as session:
        assert session.scalars(select(Binding)).all() == []
    assert audit_events(world.rt, "relay.bind") == []


def test_an_exhausted_pool_alerts_once_not_once_per_parcel(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    configure(world.rt, enabled=True)  # a deployment that uses the relay, its pool empty
    _no_pool(world)
    with caplog.at_level(logging.WARNING, logger="parcelguard.relay"):
        for i in range(5):
            dispatch(world.rt, world.waybill(i), world.couriers[i % 2])
    assert caplog.text.count("pool_exhausted") == 1
    assert len(audit_events(world.rt, "relay.pool_exhausted")) == 1
    refused = [e for e in audit_events(world.rt, "relay.bind") if e.reason == "pool_exhausted"]
    assert len(refused) == 4  # every refusal is still audited, as a refused binding
    assert len(_alerts(world.rt, "relay_pool_exhausted")) == 1
    with world.rt.db.session() as session:
        [condition] = session.scalars(select(Condition)).all()
        assert condition.count == 5


def test_a_new_episode_after_numbers_come_back_alerts_again(world: World) -> None:
    configure(world.rt, enabled=True)
    _no_pool(world)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    dispatch(world.rt, world.waybill(1), world.couriers[1])
    assert len(audit_events(world.rt, "relay.pool_exhausted")) == 1
    add_numbers(world.rt, pool_numbers(1, start=900))
    dispatch(world.rt, world.waybill(2), world.couriers[0])  # binds: the episode is over
    with world.rt.db.session() as session:
        assert session.scalars(select(Condition)).all() == []
    third = add_courier(world.rt, "第三位", "13900003333")
    dispatch(world.rt, world.waybill(3), third)  # two new parties share the one number
    dispatch(world.rt, world.waybill(4), world.couriers[0])  # courier 0 already sits on it
    assert len(audit_events(world.rt, "relay.pool_exhausted")) == 2


def test_automatic_default_follows_the_pool(world: World) -> None:
    assert configure(world.rt).enabled is None
    with world.rt.db.session() as session:
        assert service.in_use(world.rt, session)
    _no_pool(world)
    with world.rt.db.session() as session:
        assert not service.in_use(world.rt, session)
    event(world.rt, world.waybill(0), "assigned", world.couriers[0].id)

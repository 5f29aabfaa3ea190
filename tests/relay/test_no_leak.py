"""Nothing reveals a real number: not the audit log, not the relay's tables, not error
messages, logs or human output. Only the provider's routing answer carries one."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.audit.models import AuditEvent
from parcelguard.relay.models import Binding, CallRecord, RelayNumber, Seat
from tests.relay.conftest import World, dispatch, event, neutral_post
from tests.relay.test_routing import STRANGER, bound_number
from tests.relay.test_webhooks import twilio_post


def forms(phone: str) -> list[str]:
    """The ways a mainland number may be written down."""
    return [phone, "+86" + phone, "86" + phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}"]


def real_numbers(world: World) -> list[str]:
    phones = [p["recipient_phone"] for p in world.parcels]
    phones += [p["sender_phone"] for p in world.parcels]
    phones += [c.phone for c in world.couriers] + [STRANGER]
    return [form for phone in phones for form in forms(phone)]


def rows_as_text(world: World, model: Any) -> str:
    with world.rt.db.session() as session:
        rows = session.scalars(select(model)).all()
        return "\n".join(
            repr({c.key: getattr(row, c.key) for c in model.__table__.columns}) for row in rows
        )


def run_everything(world: World, client: TestClient, cli) -> list[str]:
    """Exercise every relay path; return what callers and operators were shown."""
    shown: list[str] = []
    post = neutral_post(client)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    dispatch(world.rt, world.waybill(1), world.couriers[1])
    x = bound_number(world, 0)
    courier, recipient = world.couriers[0].phone, world.recipient(0)
    # Parcel 1's recipient may legitimately share number X (another binding's party), so the
    # second stranger is the recipient of a parcel that never went out.
    for i, caller in enumerate((STRANGER, world.recipient(4))):
        shown.append(post("/relay/voice", {"from": caller, "to": x, "call_id": f"v-s{i}"}).text)
    post("/relay/voice", {"from": courier, "to": x, "call_id": "v-1"})
    post("/relay/sms", {"from": recipient, "to": x, "call_id": "s-1", "text": "hi"})
    post("/relay/status", {"call_id": "v-1", "status": "completed", "duration": 12})
    shown.append(post("/relay/voice", {"from": courier}).text)  # invalid body
    shown.append(
        twilio_post(
            client, "/relay/twilio/voice", {"CallSid": "CA9", "From": STRANGER, "To": x}
        ).text
    )
    twilio_post(client, "/relay/twilio/status", {"CallSid": "CA9", "CallStatus": "completed"})
    shown.append(client.post("/relay/voice", json={"from": courier, "to": x}).text)  # unsigned
    for args in (
        ("relay", "verify", "--recipient", recipient, "--caller", x),
        ("relay", "verify", "--recipient", recipient, "--caller", STRANGER, "--json"),
        ("relay", "verify", "--recipient", recipient + "9", "--caller", x, "--json"),
        ("relay", "simulate", "--from", courier, "--to", x),
        ("relay", "simulate", "--from", recipient, "--to", x, "--json"),
        ("relay", "route", "--from", courier, "--to", x),
        ("relay", "route", "--from", STRANGER + "0", "--to", x, "--json"),
        ("relay", "pool", "reserve", "--json"),
        ("relay", "bindings", "--all", "--json"),
        ("relay", "pool", "status", "--json"),
    ):
        shown.append(cli(*args).stdout)
    canary = json.loads(shown[-3])["reserved"][0]["number"]
    shown.append(post("/relay/voice", {"from": STRANGER, "to": canary, "call_id": "v-c"}).text)
    event(world.rt, world.waybill(2), "assigned", world.couriers[0].id)
    with world.rt.db.session() as session:
        session.execute(RelayNumber.__table__.update().values(state="reserved"))
    shown.append(cli("relay", "bind", world.waybill(2), "--json").stdout)  # pool exhausted
    event(world.rt, world.waybill(0), "delivered")
    world.rt.clock.advance(days=4)
    shown.append(post("/relay/voice", {"from": courier, "to": x, "call_id": "v-late"}).text)
    shown.append(cli("relay", "sweep", "--json").stdout)
    return shown


def test_no_real_number_anywhere_but_the_providers_answer(
    world: World, client: TestClient, cli, caplog: pytest.LogCaptureFixture, capsys
) -> None:
    caplog.set_level(logging.DEBUG)
    shown = run_everything(world, client, cli)
    numbers = real_numbers(world)
    audit = rows_as_text(world, AuditEvent)
    assert "relay.canary_hit" in audit and "relay.pool_exhausted" in audit
    assert "relay.connect" in audit and "relay.verify" in audit
    places = {
        "audit log": audit,
        "relay tables": "\n".join(
            rows_as_text(world, m) for m in (RelayNumber, Binding, Seat, CallRecord)
        ),
        "what people were shown": "\n".join(shown),
        "stderr": capsys.readouterr().err,
        "logs": "\n".join(r.getMessage() for r in caplog.records),
    }
    for place, content in places.items():
        leaked = [n for n in numbers if n in content]
        assert leaked == [], f"real numbers in the {place}"

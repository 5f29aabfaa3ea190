"""Attacks on call recordings: staff other than an officer with a case asking the API for
one, an officer without a case, and a forged announcement of a recording."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.access import cases
from parcelguard.app import create_app
from parcelguard.audit.service import Actor
from parcelguard.relay.models import Recording
from parcelguard.runtime import Runtime
from tests.relay.conftest import World, audit_events, configure, make_world
from tests.relay.fakes import RECORDING
from tests.relay.test_recordings import keep_one


@pytest.fixture
def world(rt: Runtime) -> World:
    """The relay's tenant: parcels, couriers with phones, a pool."""
    return make_world(rt)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    """The app on that tenant."""
    with TestClient(create_app(world.rt)) as client:
        yield client


def test_only_an_officer_with_an_open_case_gets_a_recording_over_http(
    world: World, client: TestClient, cli
) -> None:
    recording_id = keep_one(world)

    def key(role: str) -> tuple[dict[str, str], str]:
        args = ["users", "add", "--name", f"测试{role}", "--role", role, "--json"]
        created = cli(*args, "--trained-until", "2099-01-01").json
        return {"Authorization": f"Bearer {created['api_key']}"}, created["id"]

    url = f"/api/v1/relay/recordings/{recording_id}"
    admin, _ = key("admin")
    officer, officer_id = key("security_officer")
    courier = {"Authorization": f"Bearer {world.couriers[0].key}"}
    assert client.get(url).status_code == 401
    assert client.get(url, headers=courier).status_code == 403
    assert client.get(url, headers=admin).status_code == 403
    assert client.get(url, headers=officer).status_code == 403  # no case named
    assert client.get(f"{url}?case_id=CFFFFFFFFFF", headers=officer).status_code == 403
    with world.rt.db.session() as session:
        case_id = cases.open_case(
            world.rt, session, Actor(officer_id, "security_officer"), "调查"
        ).case_id
    heard = client.get(f"{url}?case_id={case_id}", headers=officer)
    assert heard.status_code == 200 and heard.content == RECORDING
    assert heard.headers["cache-control"] == "no-store"
    decisions = [e.decision for e in audit_events(world.rt, "relay.recording_reveal")]
    assert decisions.count("deny") >= 2 and decisions[-1] == "allow"


def test_a_forged_recording_announcement_downloads_nothing(
    world: World, client: TestClient
) -> None:
    configure(world.rt, provider="aliyun", aliyun_receipt_token="t0k", record_calls=True)
    forged = [{"call_id": "c1", "call_time": "2026-11-02 09:00:00", "status": True}]
    answer = client.post(
        "/relay/aliyun/receipts/SecretRecording?token=guessed",
        content=json.dumps(forged).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 403
    with world.rt.db.session() as session:
        assert session.scalars(select(Recording)).all() == []

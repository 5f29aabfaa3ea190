"""Alibaba receipts pulled from MNS queues: the MNS signature, a poller that applies each
receipt once (duplicates, out of order) and deletes a message only after it was applied,
against a fake MNS server that checks the signature and the queue token as documented."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.errors import Conflict
from parcelguard.relay import service
from parcelguard.relay.models import CallRecord, Recording
from parcelguard.relay.providers.mns import signature, string_to_sign
from tests.relay.conftest import World, configure, dispatch
from tests.relay.fakes import RECORDING, FakeAliyun, FakeMns, serving
from tests.relay.test_providers import TOKEN, _aliyun_report, aliyun_config, binding_of
from tests.relay.test_routing import bound_number

QUEUES = {
    "SecretReport": "Alicom-Queue-1234-SecretReport",
    "SecretStartReport": "Alicom-Queue-1234-SecretStartReport",
    "SecretRecording": "Alicom-Queue-1234-SecretRecording",
}


def test_the_mns_signature_matches_the_published_example() -> None:
    # MNS's worked example: GET /MyQueue, TestAccessID / TestAccessSecret, the published
    # signature starts "uwx3yeWoILzgmvesW0BQSgfM" (the rest is masked in the documentation).
    to_sign = string_to_sign(
        "GET", "", "", "Thu, 09 Jul 2015 03:01:34 GMT", {"x-mns-version": "2015-06-06"}, "/MyQueue"
    )
    assert to_sign == "GET\n\n\nThu, 09 Jul 2015 03:01:34 GMT\nx-mns-version:2015-06-06\n/MyQueue"
    assert signature("TestAccessSecret", to_sign).startswith("uwx3yeWoILzgmvesW0BQSgfM")


@pytest.fixture
def platform(world: World) -> Iterator[tuple[FakeAliyun, FakeMns]]:
    with serving(FakeAliyun("LTAI-test", "aliyun-secret")) as aliyun:
        mns = FakeMns(*aliyun.mns_token)
        with serving(mns):
            table = aliyun_config(
                aliyun.url,
                aliyun_receipts="mns",
                aliyun_mns_endpoint=mns.url,
                aliyun_token_endpoint=aliyun.url,
                aliyun_mns_queues=QUEUES,
            )
            configure(world.rt, **table)
            yield aliyun, mns


def _records(world: World) -> list[CallRecord]:
    with world.rt.db.session() as session:
        return list(session.scalars(select(CallRecord)))


def test_queued_receipts_apply_once_in_any_order_and_are_deleted_after(
    world: World, platform: tuple[FakeAliyun, FakeMns]
) -> None:
    aliyun, mns = platform
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    binding = binding_of(world)
    report = _aliyun_report(world, bound_number(world), binding.provider_ref or "", "c-mns-1")
    start = {k: report[k] for k in ("phone_no", "secret_no", "peer_no", "call_type", "call_id")}
    start |= {"call_time": report["call_time"], "sub_id": report["sub_id"], "pool_key": "FC100000"}
    recording = {"call_id": "c-mns-1", "call_time": report["call_time"], "status": True}
    recording["sub_id"] = report["sub_id"]
    mns.enqueue(QUEUES["SecretReport"], json.dumps(report, ensure_ascii=False))  # the end first
    mns.enqueue(QUEUES["SecretReport"], json.dumps(report, ensure_ascii=False))  # and again
    wrapped = base64.b64encode(json.dumps(start).encode()).decode()  # Base64-wrapped, late
    mns.enqueue(QUEUES["SecretStartReport"], wrapped)
    mns.enqueue(QUEUES["SecretRecording"], json.dumps([recording, recording]))
    poller = service.receipt_poller(world.rt)
    done = poller.round()
    assert done.as_dict() == {
        "received": 4,
        "applied": 5,
        "deleted": 4,
        "retried": 0,
        "dropped": 0,
        "queues": {"SecretRecording": 1, "SecretReport": 2, "SecretStartReport": 1},
    }
    [record] = _records(world)
    assert record.status == "completed" and record.duration_s == 63
    assert record.binding_id == binding.binding_id
    with world.rt.db.session() as session:
        assert len(session.scalars(select(Recording)).all()) == 1
    assert aliyun.seen.downloads == 1 and all(not q for q in mns.queues.values())
    tokens = [c for c in aliyun.seen.calls if c["Action"] == "QueryTokenForMnsQueue"]
    assert sorted(t["QueueName"] for t in tokens) == sorted(QUEUES.values())
    assert all("PoolKey" not in t for t in tokens)  # Dypls' pool key is not Dybaseapi's
    assert poller.round().received == 0  # an empty queue: MessageNotExist, nothing to do
    assert mns.seen.refused == [] and aliyun.seen.refused == []
    assert len([c for c in aliyun.seen.calls if c["Action"] == "QueryTokenForMnsQueue"]) == 3


def test_a_message_whose_receipt_cannot_be_applied_is_kept_and_retried(
    world: World, platform: tuple[FakeAliyun, FakeMns], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, mns = platform
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    binding = binding_of(world)
    recording = {"call_id": "c-mns-2", "call_time": "2026-11-02 09:11:29", "status": True}
    recording["sub_id"] = int(binding.provider_ref or 0)
    message_id = mns.enqueue(QUEUES["SecretRecording"], json.dumps(recording))
    real = FakeAliyun.get

    def broken(self, h):  # the platform's storage is down for the first try
        if h.path.startswith("/oss/") and not getattr(self, "_failed", False):
            self._failed = True
            h._send(503, b"{}")
            return
        real(self, h)

    monkeypatch.setattr(FakeAliyun, "get", broken)
    poller = service.receipt_poller(world.rt)
    first = poller.round()
    assert (first.received, first.deleted, first.retried) == (1, 0, 1)
    assert mns.hidden == [(message_id, 60)] and mns.deleted == []
    with world.rt.db.session() as session:
        assert session.scalars(select(Recording)).all() == []  # nothing half-kept
    assert poller.round().received == 0  # still hidden
    mns.time_passes()
    second = poller.round()
    assert (second.received, second.deleted, second.retried) == (1, 1, 0)
    assert mns.deleted == [message_id]
    with world.rt.db.session() as session:
        [kept] = session.scalars(select(Recording)).all()
    assert kept.size == len(RECORDING)


def test_a_message_that_is_no_receipt_is_dropped_after_its_last_delivery(
    world: World, platform: tuple[FakeAliyun, FakeMns]
) -> None:
    configure(
        world.rt,
        **{**world.rt.settings.sections["relay"], "aliyun_mns_max_deliveries": 2},
    )
    _, mns = platform
    mns.enqueue(QUEUES["SecretReport"], "not a receipt")
    poller = service.receipt_poller(world.rt)
    assert poller.round().retried == 1
    mns.time_passes()
    assert poller.round().dropped == 1
    assert all(not q for q in mns.queues.values()) and _records(world) == []


def test_a_forged_queue_token_is_refused_by_mns_and_nothing_is_deleted(
    world: World, platform: tuple[FakeAliyun, FakeMns]
) -> None:
    aliyun, mns = platform
    aliyun.mns_token = ("STS.mns-tmp-id", "a-wrong-secret", "mns-security-token")
    mns.enqueue(QUEUES["SecretReport"], "{}")
    with pytest.raises(Conflict) as refused:
        service.receipt_poller(world.rt).round()
    assert refused.value.code == "provider_error"
    assert refused.value.details["code"] == "SignatureDoesNotMatch"
    assert mns.seen.refused == ["SignatureDoesNotMatch"] and mns.deleted == []
    aliyun.mns_token = ("STS.mns-tmp-id", "mns-tmp-secret", "another-token")
    with pytest.raises(Conflict):
        service.receipt_poller(world.rt).round()
    assert mns.seen.refused[-1] == "security-token"


def test_in_mns_mode_the_push_endpoint_is_closed_and_the_cli_polls(
    world: World, platform: tuple[FakeAliyun, FakeMns], client: TestClient, cli
) -> None:
    _, mns = platform
    pushed = client.post(f"/relay/aliyun/receipts/SecretReport?token={TOKEN}", json=[], headers={})
    assert pushed.status_code == 404 and pushed.json()["error"]["code"] == "receipts_by_queue"
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    binding = binding_of(world)
    report = _aliyun_report(world, bound_number(world), binding.provider_ref or "", "c-cli")
    mns.enqueue(QUEUES["SecretReport"], json.dumps(report, ensure_ascii=False))
    result = cli("relay", "receipts", "poll", "--rounds", "1", "--wait", "0", "--json")
    assert result.code == 0, result.stdout
    assert result.json["rounds"] == 1 and result.json["deleted"] == 1
    assert world.couriers[0].phone not in result.stdout


def test_polling_without_queues_configured_is_refused(world: World, cli) -> None:
    configure(world.rt, provider="aliyun")
    with pytest.raises(Conflict) as refused:
        service.receipt_poller(world.rt)
    assert refused.value.code == "receipts_not_queued"
    assert cli("relay", "receipts", "poll", "--rounds", "1", "--json").code != 0


def test_relay_doctor_checks_each_queue_instead_of_the_callback(
    world: World, platform: tuple[FakeAliyun, FakeMns], cli
) -> None:
    good = cli("relay", "doctor", "--json")
    assert good.code == 0, good.stdout
    names = [c["name"] for c in good.json["checks"]]
    assert names == [
        "aliyun credentials",
        "mns SecretRecording",
        "mns SecretReport",
        "mns SecretStartReport",
    ]
    configure(world.rt, **{**world.rt.settings.sections["relay"], "aliyun_mns_queues": {}})
    empty = cli("relay", "doctor", "--json")
    assert empty.code != 0
    assert empty.json["error"]["details"]["checks"][-1]["name"] == "mns queues"
    assert "aliyun-secret" not in empty.stdout and "mns-tmp-secret" not in empty.stdout

"""The audit log: an untouched log verifies with its checkpoints and witness, on SQLite and
PostgreSQL; concurrent writers keep one valid tree; events are published after commit only.
(Tampering is played in tests/security/test_audit_tampering.py.)"""

from __future__ import annotations

import threading

import pytest

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.runtime import Runtime


def write_events(rt: Runtime, n: int) -> None:
    auditor = auditor_for(rt)
    actor = Actor("p1", "courier", "st1")
    for i in range(n):
        with rt.db.session() as session:
            auditor.record(
                session,
                actor,
                Entry(
                    "reveal",
                    "shipment",
                    f"s{i}",
                    decision="allow",
                    reason="allowed",
                    details={"i": i},
                ),
            )


@pytest.fixture
def logged(rt: Runtime) -> Runtime:
    rt.settings.audit_checkpoint_every = 4
    write_events(rt, 10)
    return rt


def verify(cli) -> tuple[int, dict]:
    result = cli("audit", "verify", "--json")
    return result.code, result.json


def test_untouched_log_verifies(cli, logged) -> None:
    code, report = verify(cli)
    assert code == 0
    assert report == {
        "ok": True,
        "events": 10,
        "checkpoints": 3,  # at 1, 5 and 9 (every 4 events; the first append signs at once)
        "first_bad_seq": None,
        "reason": None,
        "signed_size": 9,
        "witnessed_size": 9,
        "witnesses": [{"name": "local", "size": 9, "status": "ok"}],
    }


def test_concurrent_writers_keep_one_valid_tree(cli, rt: Runtime) -> None:
    auditor = auditor_for(rt)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(25):
                with rt.db.session() as session:
                    auditor.record(
                        session, Actor(f"w{n}", "courier"), Entry("reveal", "shipment", f"{n}-{i}")
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    code, report = verify(cli)
    assert code == 0 and report["events"] == 150


def test_events_are_published_after_commit_only(rt: Runtime, bus) -> None:
    seen: list[dict] = []
    bus.subscribe(seen.append)
    auditor = auditor_for(rt)
    with rt.db.session() as session:
        auditor.record(session, Actor("p", "courier"), Entry("reveal", "shipment", "kept"))
    with pytest.raises(RuntimeError), rt.db.session() as session:
        auditor.record(session, Actor("p", "courier"), Entry("reveal", "shipment", "rolled-back"))
        raise RuntimeError("abort")
    assert bus.drain()
    assert [e["target_id"] for e in seen] == ["kept"]

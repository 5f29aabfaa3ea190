"""The audit chain: untouched logs verify; edits, deletions, insertions, reorderings and a cut
tail are found, on SQLite and PostgreSQL, and named by sequence; concurrent writers keep one
valid chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select, text, update

from parcelguard.audit.models import AuditEvent
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
    rt.extras.pop("audit.auditor", None)
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
        "checkpoints": 3,
        "first_bad_seq": None,
        "reason": None,
    }


def test_edited_event_is_named(cli, logged) -> None:
    with logged.db.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 6).values(actor_id="someone-else"))
    code, report = verify(cli)
    assert (code, report["ok"], report["first_bad_seq"]) == (4, False, 6)
    assert "changed" in report["reason"]


def test_deleted_event_is_named(cli, logged) -> None:
    with logged.db.session() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    code, report = verify(cli)
    assert (code, report["first_bad_seq"]) == (4, 3)
    assert "missing" in report["reason"]


def test_inserted_event_is_named(cli, logged) -> None:
    with logged.db.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq >= 5).values(seq=AuditEvent.seq + 100))
        s.execute(update(AuditEvent).where(AuditEvent.seq >= 105).values(seq=AuditEvent.seq - 99))
        forged = s.scalars(select(AuditEvent).where(AuditEvent.seq == 4)).one()
        s.execute(
            text(
                "INSERT INTO audit_events (tenant_id, seq, at, actor_id, actor_role, action, "
                "target_type, details, prev_hash, hash) "
                "VALUES (:t, 5, :at, 'x', 'admin', 'reveal', 'shipment', '{}', :p, :h)"
            ),
            {"t": logged.tenant, "at": forged.at, "p": forged.hash, "h": b"\x01" * 32},
        )
    code, report = verify(cli)
    assert (code, report["first_bad_seq"]) == (4, 5)


def test_reordered_events_are_named(cli, logged) -> None:
    with logged.db.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 7).values(seq=1007))
        s.execute(update(AuditEvent).where(AuditEvent.seq == 8).values(seq=7))
        s.execute(update(AuditEvent).where(AuditEvent.seq == 1007).values(seq=8))
    code, report = verify(cli)
    assert (code, report["first_bad_seq"]) == (4, 7)


def test_cut_tail_after_the_last_checkpoint_is_found(cli, logged) -> None:
    with logged.db.session() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq >= 9))
    code, report = verify(cli)
    assert (code, report["first_bad_seq"]) == (4, 9)
    assert "cut" in report["reason"]


def test_rewritten_chain_is_caught_by_the_signed_checkpoint(cli, logged) -> None:
    """An attacker recomputes every hash after an edit; the signatures still disagree."""
    from parcelguard.audit.chain import HASHED_FIELDS, event_hash

    with logged.db.session() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        prev = events[0].prev_hash
        for event in events:
            if event.seq == 2:
                event.actor_id = "framed"
            event.prev_hash = prev
            event.hash = event_hash(prev, {f: getattr(event, f) for f in HASHED_FIELDS})
            prev = event.hash
        s.execute(text("UPDATE audit_heads SET hash = :h"), {"h": prev})
    code, report = verify(cli)
    # checkpoints sit at 1, 5 and 9: the rewrite is pinned between the first two
    assert code == 4 and report["first_bad_seq"] == 2 and "rewritten" in report["reason"]


def test_concurrent_writers_keep_one_valid_chain(cli, rt: Runtime) -> None:
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

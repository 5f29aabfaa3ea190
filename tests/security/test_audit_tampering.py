"""A hostile insider with full write access to the database (not to the keyring, not to the
witness) rewrites the audit log the way a capable one would: recomputing every hash that
needs no key, fixing the head row, deleting the checkpoints in the way. Each attack must be
named by `audit verify` (exit 4) with its first bad event, on SQLite and PostgreSQL.

The attacker code reads the schema it finds, so these tests also run against the former
hash chain, where every one of them passed unnoticed.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest
from sqlalchemy import delete, insert, inspect, select, text, update

from parcelguard.audit.models import AuditEvent, AuditHead
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.runtime import Runtime


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _tables(rt: Runtime) -> set[str]:
    return set(inspect(rt.db.engine).get_table_names())


def _tree_schema(rt: Runtime) -> bool:
    return "mac" in {c["name"] for c in inspect(rt.db.engine).get_columns("audit_events")}


def write(rt: Runtime, n: int, start: int = 0) -> None:
    auditor = auditor_for(rt)
    for i in range(start, start + n):
        with rt.db.session() as session:
            auditor.record(
                session,
                Actor(f"courier-{i % 3}", "courier", "st1"),
                Entry("reveal", "shipment", f"s{i}", decision="allow", details={"i": i}),
            )


def events(rt: Runtime) -> list[dict[str, Any]]:
    table = AuditEvent.__table__
    with rt.db.read_session() as s:
        rows = s.execute(select(table).where(table.c.tenant_id == rt.tenant).order_by("seq"))
        return [dict(r._mapping) for r in rows]


def rewrite(rt: Runtime, rows: list[dict[str, Any]], mac_key: Any = None) -> None:
    """Write `rows` back as the whole log, numbered 1..n, every keyless hash recomputed."""
    table, tree = AuditEvent.__table__, _tree_schema(rt)
    prev, frontier, nodes, out = b"\x00" * 32, [], [], []
    for seq, row in enumerate(rows, start=1):
        row = {**row, "seq": seq}
        if tree:  # the attacker uses the product's own leaf encoding
            from parcelguard.audit.leaf import leaf_bytes

            row["salt"] = row.get("salt") or os.urandom(16)
            digest = _sha(b"\x00" + leaf_bytes(row, row["salt"]))
            row["leaf_hash"] = digest
            row["mac"] = mac_key.tag(digest) if mac_key else (row.get("mac") or os.urandom(32))
            carry, n, level = digest, seq - 1, 0
            while n & 1:
                carry, n, level = _sha(b"\x01" + frontier.pop() + carry), n >> 1, level + 1
                if level % 4 == 0:
                    nodes.append(
                        {
                            "tenant_id": rt.tenant,
                            "level": level,
                            "idx": (seq - 1) >> level,
                            "hash": carry,
                        }
                    )
            frontier.append(carry)
        else:
            from parcelguard.audit.chain import HASHED_FIELDS, event_hash

            row["prev_hash"] = prev
            row["hash"] = prev = event_hash(prev, {f: row[f] for f in HASHED_FIELDS})
        out.append(row)
    root = frontier[-1] if frontier else _sha(b"")
    for left in reversed(frontier[:-1]):
        root = _sha(b"\x01" + left + root)
    with rt.db.session() as s:
        s.execute(delete(table).where(table.c.tenant_id == rt.tenant))
        if out:
            s.execute(insert(table), out)
        head: dict[str, Any] = {"seq": len(out), "hash": root if tree else prev}
        if tree:
            s.execute(text("DELETE FROM audit_tree_nodes WHERE tenant_id = :t"), {"t": rt.tenant})
            if nodes:
                s.execute(
                    text("INSERT INTO audit_tree_nodes VALUES (:tenant_id, :level, :idx, :hash)"),
                    nodes,
                )
            head["frontier"] = b"".join(frontier)
        sets = ", ".join(f"{k} = :{k}" for k in head)
        s.execute(
            text(f"UPDATE audit_heads SET {sets} WHERE tenant_id = :t"), {**head, "t": rt.tenant}
        )
        s.execute(text("UPDATE audit_heads SET checkpoint_seq = seq WHERE checkpoint_seq > seq"))


def delete_checkpoints(rt: Runtime, *, from_size: int = 1) -> None:
    """Delete every checkpoint (and cosignature) covering `from_size` events or more."""
    found = _tables(rt)
    with rt.db.session() as s:
        for table, column in (
            ("audit_checkpoints", "seq"),
            ("audit_log_checkpoints", "size"),
            ("audit_cosignatures", "size"),
        ):
            if table in found:
                s.execute(
                    text(f"DELETE FROM {table} WHERE tenant_id = :t AND {column} >= :n"),
                    {"t": rt.tenant, "n": from_size},
                )


def verify(cli) -> dict[str, Any]:
    result = cli("audit", "verify", "--json")
    report = result.json
    assert (result.code == 0) == report["ok"]
    assert result.code in (0, 4)
    return report


@pytest.fixture
def logged(rt: Runtime) -> Runtime:
    """Twelve events; checkpoints signed at 1, 5 and 9 (every 4), the witness saw 9."""
    rt.settings.audit_checkpoint_every = 4
    write(rt, 12)
    return rt


def test_untouched_log_passes(cli, logged) -> None:
    assert verify(cli)["ok"] is True


def test_tail_truncated_with_a_consistent_head_is_named(cli, logged) -> None:
    """Events 7..12 deleted, head rebuilt over 1..6, the checkpoints above 6 deleted."""
    rewrite(logged, events(logged)[:6])
    delete_checkpoints(logged, from_size=7)
    report = verify(cli)
    assert (report["ok"], report["first_bad_seq"]) == (False, 7)
    assert "cut" in report["reason"] and "witness" in report["reason"]


def test_checkpoints_deleted_and_log_recomputed_over_an_edited_event(cli, logged) -> None:
    rows = events(logged)
    rows[1]["actor_id"] = "framed-colleague"
    rewrite(logged, rows)
    delete_checkpoints(logged)
    report = verify(cli)
    assert (report["ok"], report["first_bad_seq"]) == (False, 2)
    assert "changed" in report["reason"]


def test_rewrite_with_a_stolen_mac_key_is_caught_by_the_witness(cli, logged) -> None:
    """Even with the MAC key, a rewrite cannot match the root the witness cosigned."""
    rows = events(logged)
    rows[2]["action"] = "shipment.view"
    rewrite(logged, rows, mac_key=logged.keyring.audit_mac)
    delete_checkpoints(logged)
    report = verify(cli)
    assert (report["ok"], report["first_bad_seq"]) == (False, 1)
    assert "rewritten" in report["reason"] and "witness" in report["reason"]


def fake_fresh_checkpoint(rt: Runtime, clock) -> None:
    """Make the head row claim that a checkpoint was signed just now, at its size."""
    with rt.db.session() as s:
        s.execute(
            text("UPDATE audit_heads SET checkpoint_seq = seq, checkpoint_at = :now"),
            {"now": clock.now()},
        )


def test_a_head_no_signature_covers_is_named(cli, logged, clock) -> None:
    """Before each append the head row claims a fresh checkpoint, so none is ever signed."""
    for i in range(4):
        fake_fresh_checkpoint(logged, clock)
        write(logged, 1, start=12 + i)
        clock.advance(minutes=logged.settings.audit_checkpoint_minutes)
    report = verify(cli)
    assert (report["ok"], report["first_bad_seq"]) == (False, 10)
    assert "no signed checkpoint" in report["reason"]


def test_deleted_witnessed_checkpoint_is_named(cli, logged) -> None:
    delete_checkpoints(logged, from_size=9)
    report = verify(cli)
    assert (report["ok"], report["first_bad_seq"]) == (False, 9)
    assert "deleted" in report["reason"]


@pytest.mark.parametrize(
    ("tamper", "first_bad"),
    [
        ("edit", 10),
        ("delete", 11),
        ("insert", 11),
        ("reorder", 10),
        ("append", 13),
    ],
)
def test_unsigned_tail_rewritten_with_recomputed_hashes_is_named(
    cli, logged, tamper: str, first_bad: int
) -> None:
    """Events after the newest checkpoint, changed with every keyless hash recomputed."""
    rows = events(logged)
    forged = {**rows[9], "actor_id": "nobody", "target_id": "s-forged", "salt": None, "mac": None}
    if tamper == "edit":
        rows[9]["decision"] = "deny"
    elif tamper == "delete":
        del rows[10]
    elif tamper == "insert":
        rows.insert(10, forged)
    elif tamper == "reorder":
        rows[9], rows[10] = rows[10], rows[9]
    else:
        rows.append(forged)
    rewrite(logged, rows)
    report = verify(cli)
    assert (report["ok"], report["first_bad_seq"]) == (False, first_bad), report["reason"]


def test_doctor_fails_on_an_uncovered_head(cli, logged, clock) -> None:
    for i in range(4):
        fake_fresh_checkpoint(logged, clock)
        write(logged, 1, start=12 + i)
        clock.advance(minutes=logged.settings.audit_checkpoint_minutes)
    report = cli("doctor", "--json").json
    checks = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is False
    assert checks["audit.chain"]["status"] == "fail"
    assert "event 10" in checks["audit.chain"]["detail"]
    # the checkpoints are read, not the head row's claim
    assert checks["audit.checkpoint"]["status"] == "fail"
    assert "after the newest checkpoint" in checks["audit.checkpoint"]["detail"]


def test_a_head_row_claiming_a_future_checkpoint_does_not_stop_signing(cli, logged, clock) -> None:
    with logged.db.session() as s:
        s.execute(
            update(AuditHead).values(
                checkpoint_seq=1000000, checkpoint_at=clock.now().replace(year=2099)
            )
        )
    write(logged, 1, start=12)
    report = verify(cli)
    assert report["ok"] and report["signed_size"] == 13

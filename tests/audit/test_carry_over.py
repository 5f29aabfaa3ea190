"""A log written as the former hash chain is verified with its old rules, then carried over
into the tree once; a chain that does not verify is refused, not laundered into the tree."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import insert, text

from parcelguard.audit.legacy import GENESIS, HASHED_FIELDS, checkpoint_statement, event_hash
from parcelguard.audit.models import AuditEvent, AuditHead, ChainCheckpoint
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import IntegrityError
from parcelguard.runtime import Runtime


def legacy_log(rt: Runtime, n: int = 10, every: int = 4) -> bytes:
    """Write `n` events as the former code did: chained hashes, signed checkpoints."""
    prev, rows, points = GENESIS, [], []
    start = rt.clock.now() - timedelta(days=30)
    for seq in range(1, n + 1):
        fields = {
            "tenant_id": rt.tenant,
            "seq": seq,
            "at": start + timedelta(minutes=seq),
            "actor_id": f"p{seq % 3}",
            "actor_role": "courier",
            "station_id": "st1",
            "action": "reveal",
            "target_type": "shipment",
            "target_id": f"s{seq}",
            "decision": "allow",
            "reason": "allowed",
            "purpose": "delivery",
            "reference": None,
            "details": json.dumps({"fields": ["recipient.address"]}),
        }
        digest = event_hash(prev, {f: fields[f] for f in HASHED_FIELDS})
        rows.append({**fields, "prev_hash": prev, "hash": digest})
        if seq == 1 or seq % every == 1:
            statement = checkpoint_statement(rt.tenant, seq, digest, fields["at"])
            points.append(
                {
                    "tenant_id": rt.tenant,
                    "seq": seq,
                    "at": fields["at"],
                    "head_hash": digest,
                    "key_id": rt.keyring.signer.key_id,
                    "signature": rt.keyring.signer.sign(statement),
                }
            )
        prev = digest
    with rt.db.session() as s:
        s.execute(insert(AuditEvent.__table__), rows)
        s.execute(insert(ChainCheckpoint.__table__), points)
        s.execute(
            insert(AuditHead.__table__).values(
                tenant_id=rt.tenant,
                seq=n,
                hash=prev,
                format=1,
                checkpoint_seq=points[-1]["seq"],
                checkpoint_at=points[-1]["at"],
                published_seq=n,
            )
        )
    return prev


def test_a_verified_chain_is_carried_over_and_extended(cli, rt: Runtime) -> None:
    old_head = legacy_log(rt)
    before = cli("audit", "verify", "--json").json
    assert before["ok"] and before["events"] == 10 and before["checkpoints"] == 3
    with rt.db.session() as session:
        auditor_for(rt).record(session, Actor("c9", "courier"), Entry("reveal", "shipment", "s99"))
    report = cli("audit", "verify", "--json").json
    assert report["ok"], report
    assert report["events"] == 12 and report["witnessed_size"] == 11  # signed at the carry-over
    [carried] = cli("audit", "log", "--action", "audit.carried_over", "--json").json["events"]
    assert carried["seq"] == 11
    assert carried["details"]["legacy"] == {"head": old_head.hex(), "events": 10, "checkpoints": 3}
    # the carried-over events are leaves like any other: provable and tamper-evident
    assert cli("audit", "prove", "3", "--json").code == 0
    with rt.db.session() as s:
        s.execute(text("UPDATE audit_events SET station_id = 'st9' WHERE seq = 3"))
    tampered = cli("audit", "verify", "--json").json
    assert (tampered["ok"], tampered["first_bad_seq"]) == (False, 3)


def test_the_carry_over_command_does_it_explicitly(cli, rt: Runtime) -> None:
    legacy_log(rt, n=5)
    assert cli("audit", "carry-over", "--json").json == {"carried_over": True}
    assert cli("audit", "carry-over", "--json").json == {"carried_over": False}
    report = cli("audit", "verify", "--json").json
    assert report["ok"] and report["events"] == 6 and report["signed_size"] == 6


def test_a_broken_chain_is_not_carried_over(cli, rt: Runtime) -> None:
    legacy_log(rt)
    with rt.db.session() as s:
        s.execute(text("UPDATE audit_events SET actor_id = 'someone' WHERE seq = 6"))
    report = cli("audit", "verify", "--json").json
    assert (report["ok"], report["first_bad_seq"]) == (False, 6)
    assert cli("audit", "carry-over", "--json").code == 4
    with pytest.raises(IntegrityError, match="event 6"), rt.db.session() as session:
        auditor_for(rt).record(session, Actor("c9", "courier"), Entry("reveal", "shipment", "x"))
    with rt.db.read_session() as s:  # nothing was rewritten or added
        rows = s.execute(text("SELECT count(*), count(mac) FROM audit_events")).one()
    assert tuple(rows) == (10, 0)

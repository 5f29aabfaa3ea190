"""Audit log benchmark: append and verify N events (default 1,000,000) through the real
transparency log, beside the former hash chain re-implemented here and run in the same
process on the same machine; then inclusion and consistency proofs against the tree.

    python bench/audit_log.py [--events 1000000] [--batch 100] [--proofs 300]

Both logs append in transactions of `--batch` events (`record_many`), sign a checkpoint
every 1000 events (the default), on the embedded SQLite default. The tree's checkpoints are
also cosigned by the local witness after each commit, as a default deployment does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench.common import peak_rss_mib, write_fragment
from parcelguard.crypto import CheckpointSigner
from parcelguard.db import Database, UTCDateTime

SEQ = BigInteger().with_variant(Integer, "sqlite")
EVERY = 1000
ROUNDS = 10


# -- the former hash chain, as it was: ORM rows, SHA-256(prev || canonical JSON) -------------


class ChainBase(DeclarativeBase):
    pass


class ChainEvent(ChainBase):
    __tablename__ = "audit_events"
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    station_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))

    __table_args__ = (  # the same secondary indexes as the real table
        Index("ix_chain_target", "tenant_id", "target_id"),
        Index("ix_chain_actor", "tenant_id", "actor_id", "at"),
    )


class ChainHead(ChainBase):
    __tablename__ = "audit_heads"
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(SEQ)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    checkpoint_seq: Mapped[int] = mapped_column(SEQ)


class ChainCheckpoint(ChainBase):
    __tablename__ = "audit_checkpoints"
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    head_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


HASHED = (
    "tenant_id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "station_id",
    "action",
    "target_type",
    "target_id",
    "decision",
    "reason",
    "purpose",
    "reference",
    "details",
)


def chain_hash(prev: bytes, fields: dict[str, Any]) -> bytes:
    canonical = {
        k: (v.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if isinstance(v, datetime) else v)
        for k, v in ((name, fields.get(name)) for name in HASHED)
    }
    body = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(prev + body.encode()).digest()


def statement(seq: int, head: bytes, at: datetime) -> bytes:
    return "\x1f".join(
        [
            "parcelguard-audit-checkpoint",
            "t1",
            str(seq),
            head.hex(),
            at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        ]
    ).encode()


def chain_append(db: Database, signer: CheckpointSigner, batches: list[list[dict]]) -> None:
    for batch in batches:
        with db.session() as session:
            head = session.get(ChainHead, "t1", with_for_update=True)
            if head is None:
                head = ChainHead(tenant_id="t1", seq=0, hash=b"\x00" * 32, checkpoint_seq=0)
                session.add(head)
            at = datetime.now(UTC)
            for entry in batch:
                fields = {**entry, "tenant_id": "t1", "seq": head.seq + 1, "at": at}
                event = ChainEvent(
                    **fields, prev_hash=head.hash, hash=chain_hash(head.hash, fields)
                )
                session.add(event)
                head.seq, head.hash = event.seq, event.hash
            if head.seq - head.checkpoint_seq >= EVERY or head.checkpoint_seq == 0:
                signature = signer.sign(statement(head.seq, head.hash, at))
                session.add(
                    ChainCheckpoint(
                        tenant_id="t1",
                        seq=head.seq,
                        at=at,
                        head_hash=head.hash,
                        signature=signature,
                    )
                )
                head.checkpoint_seq = head.seq
            session.flush()


def chain_verify(db: Database, signer: CheckpointSigner) -> int:
    with db.read_session() as session:
        points = {p.seq: p for p in session.scalars(select(ChainCheckpoint))}
        prev, count = b"\x00" * 32, 0
        query = select(ChainEvent).order_by(ChainEvent.seq).execution_options(yield_per=5000)
        for event in session.scalars(query):
            fields = {name: getattr(event, name) for name in HASHED}
            if event.seq != count + 1 or event.prev_hash != prev:
                raise SystemExit("baseline chain broken")
            if chain_hash(prev, fields) != event.hash:
                raise SystemExit("baseline chain broken")
            if event.seq in points:
                point = points[event.seq]
                if point.head_hash != event.hash or not signer.verify(
                    statement(event.seq, event.hash, point.at), point.signature
                ):
                    raise SystemExit("baseline checkpoint broken")
            prev, count = event.hash, count + 1
            session.expunge(event)
    return count


# -- the workload -----------------------------------------------------------------------------


def workload(n: int, batch: int) -> list[list[dict[str, Any]]]:
    """Reveal-like events, one courier per transaction: a shipment, fields, a waybill."""
    rng = random.Random(7)
    couriers = [rng.randrange(400) for _ in range(0, n, batch)]
    entries = [
        {
            "actor_id": f"courier-{couriers[i // batch]}",
            "actor_role": "courier",
            "station_id": f"st-{couriers[i // batch] % 40}",
            "action": "reveal",
            "target_type": "shipment",
            "target_id": f"s{i:012d}",
            "decision": "allow",
            "reason": "allowed",
            "purpose": "delivery",
            "reference": None,
            "details": json.dumps(
                {
                    "fields": ["recipient.address"],
                    "waybill": f"SF{i:010d}",
                    "assigned": True,
                    "via": "key",
                },
                sort_keys=True,
            ),
        }
        for i in range(n)
    ]
    return [entries[i : i + batch] for i in range(0, n, batch)]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


# -- the transparency log, through the product's own code ------------------------------------


def tree_runtime(home: Path) -> Any:
    from parcelguard.migrations import upgrade
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings

    home.mkdir(mode=0o700)
    rt = Runtime.from_settings(Settings.load(home=home, database_url=None, tenant="t1"))
    upgrade(rt.db.engine)
    rt.keyring  # noqa: B018
    return rt


def tree_append(rt: Any, batches: list[list[dict[str, Any]]]) -> None:
    from parcelguard.audit.service import Actor, Entry, auditor_for

    auditor = auditor_for(rt)
    for batch in batches:
        first = batch[0]
        actor = Actor(first["actor_id"], first["actor_role"], first["station_id"])
        entries = [
            Entry(
                e["action"],
                e["target_type"],
                e["target_id"],
                e["decision"],
                e["reason"],
                e["purpose"],
                e["reference"],
                json.loads(e["details"]),
            )
            for e in batch
        ]
        with rt.db.session() as session:
            auditor.record_many(session, actor, entries)


def tree_proofs(rt: Any, n: int, count: int) -> dict[str, float]:
    from parcelguard.audit import service as audit
    from parcelguard.audit.checkpoints import read_checkpoint
    from parcelguard.audit.models import Checkpoint
    from parcelguard.audit.proof_check import check_proof
    from parcelguard.audit.tree import StoredTree
    from parcelguard.tlog.proof import prove_consistency, verify_consistency

    with rt.db.session() as session:
        audit.auditor_for(rt).checkpoint(session)
    audit.cosign(rt)
    keys = audit.public_keys(rt)
    witness_keys = [w["public_key"] for w in keys["witnesses"]]
    rng = random.Random(11)
    seqs = [rng.randrange(1, n + 1) for _ in range(count)]
    build = check = 0.0
    size = 0
    for seq in seqs:
        with rt.db.read_session() as session:
            took, document = timed(lambda s=session, q=seq: audit.prove(rt, s, q))
        build += took
        took, verdict = timed(lambda d=document: check_proof(d, keys["public_key"], witness_keys))
        if not verdict.ok:
            raise SystemExit(f"proof of {seq} failed: {verdict.reason}")
        check += took
        size += len(json.dumps(document))
    verifier = audit.log_keys(rt).signer.verifier
    with rt.db.read_session() as session:
        heads = [
            read_checkpoint(p.note, verifier)
            for p in session.scalars(select(Checkpoint).where(Checkpoint.tenant_id == "t1"))
        ]
        pairs = [sorted(rng.sample(heads, 2), key=lambda h: h.size) for _ in range(count)]
        start = time.perf_counter()
        for old, new in pairs:
            proof = prove_consistency(old.size, new.size, StoredTree(session, "t1"))
            verify_consistency(old.size, new.size, old.root, new.root, proof)
        consistency = time.perf_counter() - start
    return {
        "build_ms": build / count * 1000,
        "check_ms": check / count * 1000,
        "bytes": size / count,
        "consistency_ms": consistency / count * 1000,
    }


def chain_proofs(db: Database, signer: CheckpointSigner, n: int, count: int) -> dict[str, float]:
    """What the chain offers instead: every event from `seq` to the next signed checkpoint."""
    rng = random.Random(11)
    total, size = 0.0, 0
    for seq in (rng.randrange(1, n + 1) for _ in range(count)):
        start = time.perf_counter()
        with db.read_session() as session:
            point = session.scalars(
                select(ChainCheckpoint)
                .where(ChainCheckpoint.seq >= seq)
                .order_by(ChainCheckpoint.seq)
                .limit(1)
            ).first()
            if point is None:
                continue
            events = list(
                session.scalars(
                    select(ChainEvent)
                    .where(ChainEvent.seq >= seq, ChainEvent.seq <= point.seq)
                    .order_by(ChainEvent.seq)
                )
            )
            prev = events[0].prev_hash
            for event in events:
                prev = chain_hash(prev, {name: getattr(event, name) for name in HASHED})
            if prev != point.head_hash or not signer.verify(
                statement(point.seq, prev, point.at), point.signature
            ):
                raise SystemExit("baseline chain proof broken")
            size += sum(len(e.details) + 200 for e in events)
        total += time.perf_counter() - start
    return {"check_ms": total / count * 1000, "bytes": size / count}


def file_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--proofs", type=int, default=300)
    args = parser.parse_args()
    batches = workload(args.events, args.batch)
    with tempfile.TemporaryDirectory(prefix="pg-audit-bench-") as tmp:
        chain_db = Database(f"sqlite:///{tmp}/chain.db")
        ChainBase.metadata.create_all(chain_db.engine)
        signer = CheckpointSigner(CheckpointSigner.generate())
        rt = tree_runtime(Path(tmp) / "home")
        chain: dict[str, Any] = {"append": 0.0}
        tree: dict[str, Any] = {"append": 0.0}
        # Alternating rounds: the machine is shared, so both logs see the same load.
        step = max(1, len(batches) // ROUNDS)
        for start in range(0, len(batches), step):
            part = batches[start : start + step]
            chain["append"] += timed(lambda p=part: chain_append(chain_db, signer, p))[0]
            tree["append"] += timed(lambda p=part: tree_append(rt, p))[0]
            print(f"appended {(start + len(part)) * args.batch:,}", flush=True)
        from parcelguard.audit import service as audit

        chain["verify"], verified = timed(lambda: chain_verify(chain_db, signer))
        assert verified == args.events
        tree["verify"], result = timed(lambda: audit.verify(rt))
        assert result.ok and result.events == args.events, result
        print(f"verified: chain {chain['verify']:.1f} s, tree {tree['verify']:.1f} s", flush=True)
        chain_proof = chain_proofs(chain_db, signer, args.events, args.proofs)
        tree_proof = tree_proofs(rt, args.events, args.proofs)
        chain["mib"] = file_mib(Path(tmp) / "chain.db")
        tree["mib"] = file_mib(Path(tmp) / "home" / "parcelguard.db")
        with rt.db.read_session() as session:
            from parcelguard.audit.models import Checkpoint, Cosignature

            tree["checkpoints"] = session.scalar(select(func.count()).select_from(Checkpoint))
            tree["cosigned"] = session.scalar(select(func.count()).select_from(Cosignature))
        chain_db.dispose()
        rt.close()
        print(f"chain: {chain} {chain_proof}\ntree: {tree} {tree_proof}", flush=True)
    load = os.getloadavg()[0]
    figures = {
        "chain": chain,
        "tree": tree,
        "chain_proof": chain_proof,
        "tree_proof": tree_proof,
        "load": load,
        "peak_mib": peak_rss_mib(),
    }
    print(json.dumps(figures), flush=True)
    write_fragment("audit", fragment(args, figures))


def fragment(args: Any, figures: dict[str, Any]) -> str:
    chain, tree = figures["chain"], figures["tree"]
    chain_proof, tree_proof = figures["chain_proof"], figures["tree_proof"]
    n = args.events
    rows = [
        ("append (events/s)", n / chain["append"], n / tree["append"], "{:,.0f}"),
        ("verify all events (s)", chain["verify"], tree["verify"], "{:,.1f}"),
        ("verify (events/s)", n / chain["verify"], n / tree["verify"], "{:,.0f}"),
        ("database size (MiB)", chain["mib"], tree["mib"], "{:,.0f}"),
        ("prove one event: check (ms)", chain_proof["check_ms"], tree_proof["check_ms"], "{:.2f}"),
        ("prove one event: size (bytes)", chain_proof["bytes"], tree_proof["bytes"], "{:,.0f}"),
    ]
    lines = [
        "## Audit log (`bench/audit_log.py`)",
        "",
        f"{n:,} events appended in transactions of {args.batch} (`record_many`), a checkpoint "
        f"every {EVERY} events, embedded SQLite, one process; the former hash chain is "
        "re-implemented in the bench (ORM rows, SHA-256 chain, Ed25519 checkpoints) and "
        f"appended in {ROUNDS} rounds alternating with the log's, in the same process "
        f"(load average {figures['load']:.1f} at the end: the machine's 2 CPUs are shared by "
        "several jobs, so absolute figures are slower than an idle machine's; the "
        "ratios are what to read). The transparency log's figures include its MACs, stored "
        f"subtree hashes, C2SP checkpoints and the local witness cosigning each of them "
        f"({tree['checkpoints']:,} checkpoints, {tree['cosigned']:,} cosigned).",
        "",
        "| | former hash chain | transparency log | ratio log / chain |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, old, new, fmt in rows:
        lines.append(f"| {name} | {fmt.format(old)} | {fmt.format(new)} | {new / old:.3g} |")
    lines += [
        "",
        f"Proofs, {args.proofs} random events at {n:,}: building an inclusion proof document "
        f"(`audit prove`: event, MAC check, stored subtree hashes, witnessed checkpoint) takes "
        f"{tree_proof['build_ms']:.1f} ms, checking it offline (`audit verify-proof`) "
        f"{tree_proof['check_ms']:.2f} ms; a consistency proof between two random checkpoints "
        f"is made and checked in {tree_proof['consistency_ms']:.1f} ms. The chain has no "
        "succinct proof: showing one event means handing over every event up to the next "
        "checkpoint (other people's included) and rehashing them, the row above. "
        f"Peak memory of the bench process {figures['peak_mib']:.0f} MiB (it holds the whole "
        "workload in memory).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

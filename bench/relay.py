"""Relay benchmark: routing decisions/s and p50/p99 through the signed webhook (real HTTP over
loopback to one uvicorn process) beside a bare indexed lookup of the same binding on the same
server and database, with a pool of 10k numbers carrying 1M active bindings; plus binding
creation/s through the real bind use case (allocation, seats, audit) on that loaded pool.

The 1M bindings are bulk-loaded with executemany (random parties, each seated on its number);
the bindings the load drives are made through the real `bind_waybill` path on top of them.

    python bench/relay.py [--numbers 10000] [--bindings 1000000] [--parcels 2000]
                          [--seconds 10] [--threads 8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, percentile, wait_up, write_fragment

SECRET = "bench-relay-secret"  # noqa: S105 - a throwaway home
COURIERS = 20
CHUNK = 50_000


def runtime(home: Path):
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings

    return Runtime.from_settings(Settings.load(home=home, database_url=None))


def seed(home: Path, numbers: int, bindings: int, parcels: int) -> dict[str, Any]:
    """Pool, filler bindings (bulk), real parcels and couriers; then time real binds."""
    from sqlalchemy import text

    from parcelguard.access import service as access
    from parcelguard.access.schemas import NewPrincipal
    from parcelguard.audit.service import SYSTEM
    from parcelguard.migrations import upgrade
    from parcelguard.relay import service
    from parcelguard.relay.inventory import PoolRow
    from parcelguard.vault.ingest import import_shipments
    from parcelguard.vault.readers import RawRow
    from parcelguard.vault.synthetic import Faker

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[relay]\nwebhook_secret = "{SECRET}"\n')
    rt = runtime(home)
    upgrade(rt.db.engine)
    rt.keyring  # noqa: B018
    started = time.perf_counter()
    with rt.db.session() as session:
        rows = (PoolRow(i + 2, f"171{i:08d}") for i in range(numbers))
        service.import_numbers(rt, session, rows, SYSTEM)
    filler = max(0, bindings - parcels)
    bulk_s = bulk_load(rt, filler)
    print(f"bulk-loaded {filler:,} bindings in {bulk_s:.0f} s", file=sys.stderr, flush=True)
    faker = Faker(3)
    rows = list(faker.rows(parcels, prefix="RB"))
    import_shipments(rt, (RawRow(i + 2, r) for i, r in enumerate(rows)), SYSTEM)
    couriers = []
    with rt.db.session() as session:
        for i in range(COURIERS):
            phone = f"1390000{i:04d}"
            principal, _ = access.create(
                rt, session, NewPrincipal(name=f"快递员{i}", role="courier", phone=phone), SYSTEM
            )
            couriers.append((principal.principal_id, phone))
        session.execute(
            text(
                "UPDATE shipments SET courier_id = :c, status = 'out_for_delivery' "
                "WHERE tenant_id = :t AND waybill_no = :w"
            ),
            [
                {"c": couriers[i % COURIERS][0], "t": rt.tenant, "w": r["waybill_no"]}
                for i, r in enumerate(rows)
            ],
        )
    probes = []
    began = time.perf_counter()
    for i, row in enumerate(rows):
        made = service.bind_waybill(rt, row["waybill_no"], SYSTEM)
        x = made["virtual_number"]
        probes.append((couriers[i % COURIERS][1], x))
        probes.append((row["recipient_phone"], x))
    bind_s = time.perf_counter() - began
    with rt.db.session() as session:
        active = session.scalar(text("SELECT count(*) FROM relay_bindings WHERE status = 'active'"))
    rt.close()
    return {
        "probes": probes,
        "binds_per_s": parcels / bind_s,
        "bind_ms": bind_s / parcels * 1000,
        "active_bindings": int(active or 0),
        "bulk_s": bulk_s,
        "seed_s": time.perf_counter() - started,
    }


def bulk_load(rt, count: int) -> float:
    """Insert `count` active AXB bindings and their seats with executemany."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from parcelguard.db import bulk_insert, new_id
    from parcelguard.relay.models import Binding, RelayNumber, Seat

    began = time.perf_counter()
    now = rt.clock.now()
    expires = now + timedelta(days=30)
    rnd = random.Random(1)
    with rt.db.session() as session:
        number_ids = list(session.scalars(select(RelayNumber.number_id)))
        session.execute(update(RelayNumber).values(state="bound"))
    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        bindings, seats = [], []
        for i in range(done, done + n):
            binding_id, number_id = new_id(), number_ids[i % len(number_ids)]
            a_ref, b_ref = rnd.randbytes(16), rnd.randbytes(16)
            bindings.append(
                {
                    "tenant_id": rt.tenant,
                    "binding_id": binding_id,
                    "kind": "axb",
                    "number_id": number_id,
                    "shipment_id": new_id(),
                    "courier_id": f"c{i % 5000}",
                    "a_ref": a_ref,
                    "b_ref": b_ref,
                    "status": "active",
                    "created_at": now,
                    "expires_at": expires,
                    "ended_at": None,
                    "end_reason": None,
                    "created_by": "bench",
                }
            )
            for ref in (a_ref, b_ref):
                seats.append(
                    {
                        "tenant_id": rt.tenant,
                        "number_id": number_id,
                        "party_ref": ref,
                        "binding_id": binding_id,
                        "until": None,
                    }
                )
        with rt.db.session() as session:
            bulk_insert(session, Binding.__table__, bindings)
            bulk_insert(session, Seat.__table__, seats)
        done += n
    return time.perf_counter() - began


def serve(home: str, port: int) -> None:
    """(server process) the real app plus one bare endpoint on the same runtime."""
    import uvicorn
    from fastapi import Body
    from sqlalchemy import select

    from parcelguard.app import create_app
    from parcelguard.relay.models import Binding, RelayNumber, Seat
    from parcelguard.relay.numbers import canonical, party_ref

    rt = runtime(Path(home))
    app = create_app(rt)

    @app.post("/bench/bare")
    def bare(body: dict[str, str] = Body(...)) -> dict[str, Any]:
        """Find the binding of (from, to) with the same indexes routing uses; nothing else."""
        caller, x = canonical(body["from"]), canonical(body["to"])
        ref = party_ref(rt, caller or "")
        query = (
            select(Binding.binding_id, Binding.expires_at)
            .join(
                Seat,
                (Seat.tenant_id == Binding.tenant_id) & (Seat.binding_id == Binding.binding_id),
            )
            .join(
                RelayNumber,
                (RelayNumber.tenant_id == Seat.tenant_id)
                & (RelayNumber.number_id == Seat.number_id),
            )
            .where(
                RelayNumber.tenant_id == rt.tenant, RelayNumber.number == x, Seat.party_ref == ref
            )
        )
        with rt.db.read_session() as session:
            row = session.execute(query).first()
        return {"binding_id": row.binding_id if row else None}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def sign(body: bytes) -> dict[str, str]:
    from parcelguard.relay.signatures import signed_headers

    return signed_headers(SECRET.encode(), int(time.time()), body)


def load(
    base: str, path: str, probes: list, seconds: float, threads: int, signed: bool
) -> dict[str, float]:
    """Drive an endpoint from several threads for a fixed time; return rate and latencies."""
    import httpx

    latencies: list[float] = []
    problems = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        rnd = random.Random(n)
        mine: list[float] = []
        with httpx.Client(base_url=base, timeout=30) as client:
            i = 0
            while time.monotonic() < stop:
                caller, x = rnd.choice(probes)
                i += 1
                body = json.dumps(
                    {"from": caller, "to": x, "call_id": f"b{n}-{i}-{rnd.random()}"}
                ).encode()
                headers = sign(body) if signed else {"Content-Type": "application/json"}
                began = time.perf_counter()
                response = client.post(path, content=body, headers=headers)
                mine.append(time.perf_counter() - began)
                answer = response.json() if response.status_code == 200 else {}
                if (
                    answer.get("action", "connect") != "connect"
                    or answer.get("binding_id", 1) is None
                ):
                    with lock:
                        problems[0] += 1
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    began = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - began
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": problems[0],
        "requests": len(latencies),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        seeded = seed(home, args.numbers, args.bindings, args.parcels)
        db_mib = (home / "parcelguard.db").stat().st_size / 2**20
        port = free_port()
        env = {**os.environ, "PARCELGUARD_HOME": str(home)}
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(home), str(port)], env=env
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(base)
            probes = seeded["probes"]
            load(base, "/bench/bare", probes, 1, args.threads, False)  # warm up both paths
            load(base, "/relay/voice", probes, 1, args.threads, True)
            bare = load(base, "/bench/bare", probes, args.seconds, args.threads, False)
            real = load(base, "/relay/voice", probes, args.seconds, args.threads, True)
        finally:
            server.terminate()
            server.wait(10)
    return {
        **{k: v for k, v in seeded.items() if k != "probes"},
        "real": real,
        "bare": bare,
        "db_mib": db_mib,
    }


def fragment(args: argparse.Namespace, runs: list[dict[str, Any]]) -> str:
    lines = [
        "## Relay (`bench/relay.py`)",
        "",
        f"One uvicorn process, SQLite (WAL), loopback HTTP, {args.threads} client threads, "
        f"{args.seconds:.0f} s per endpoint; pool of {args.numbers:,} numbers. Webhook = signed "
        "`POST /relay/voice` (HMAC check, lookup, decrypt the other party's number, audit "
        "event, call record, commit). Bare = the same binding found by the same indexes on the "
        "same server, read-only. Binding creation = `bind_waybill` one at a time (parcel lock, "
        "allocation under SKIP LOCKED semantics, seats, audit), on the loaded pool.",
        "",
        "| active bindings | path | requests/s | p50 ms | p99 ms | errors |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        n = f"{run['active_bindings']:,}"
        real, bare = run["real"], run["bare"]
        lines += [
            f"| {n} | webhook routing decision | {real['rps']:,.0f} | {real['p50_ms']:.1f} | {real['p99_ms']:.1f} | {real['errors']} |",
            f"| {n} | bare indexed lookup | {bare['rps']:,.0f} | {bare['p50_ms']:.1f} | {bare['p99_ms']:.1f} | {bare['errors']} |",
            f"| {n} | **ratio webhook / bare** | **{real['rps'] / bare['rps']:.2f}** | | | |",
            f"| {n} | binding creation (in-process) | {run['binds_per_s']:,.0f} | {run['bind_ms']:.1f} (mean) | | |",
        ]
    lines += [
        "",
        f"Machine: {os.cpu_count()} CPUs shared with the client threads (and, when measured, "
        "with other work). Every routing decision writes (audit event, call record) and SQLite "
        "has one writer: the webhook's p99 is the writers' queue (SQLite's busy handler backs "
        "off while waiting), not the lookup, which the bare path's p99 shows.",
        "",
        "Setup: "
        + "; ".join(
            f"{r['active_bindings']:,} bindings bulk-loaded in {r['bulk_s']:.0f} s, database {r['db_mib']:,.0f} MiB"
            for r in runs
        )
        + ".",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument(
        "--bindings", default="1000000", help="one count or several, comma-separated"
    )
    parser.add_argument("--parcels", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--serve", nargs=2)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    runs = []
    for count in (int(c) for c in str(args.bindings).split(",")):
        args_one = argparse.Namespace(**{**vars(args), "bindings": count})
        run = measure(args_one)
        run["ratio"] = run["real"]["rps"] / run["bare"]["rps"]
        print(json.dumps(run, indent=1), flush=True)
        runs.append(run)
    write_fragment("relay", fragment(args, runs))


if __name__ == "__main__":
    main()

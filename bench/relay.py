"""Relay benchmark: routing decisions/s and p50/p99 through the signed webhook (real HTTP over
loopback to one uvicorn process) beside a bare indexed lookup of the same binding on the same
server and database, with a pool of 10k numbers carrying 1M active bindings; plus binding
creation/s through the real bind use case (allocation, seats, audit) on that loaded pool.

AXE beside AXB: `--axe-share` of the live bindings sit on AXE numbers behind 4-digit
extensions (X 转 1234); AXE routing is the IVR's second step (the caller keyed the
extension: extension lookup, party check, decrypt, audit, call record), beside a bare
lookup of the same extension's binding; AXE binding creation is `bind_waybill(kind="axe")`
(random extension drawn and claimed on the primary key, audit) on the loaded pool.

The 1M bindings are bulk-loaded with executemany (random parties, each seated on its number,
or holding an extension of its AXE number); the bindings the load drives are made through
the real `bind_waybill` path on top of them.

    python bench/relay.py [--numbers 10000] [--bindings 1000000] [--parcels 2000]
                          [--axe-share 0.5] [--seconds 10] [--threads 8]
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
AXE_FILL = 5000  # live extensions per AXE number when loaded (half of the 10,000)


def runtime(home: Path):
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings

    return Runtime.from_settings(Settings.load(home=home, database_url=None))


def seed(
    home: Path, numbers: int, bindings: int, parcels: int, axe_share: float = 0.5
) -> dict[str, Any]:
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
        service.import_numbers(rt, session, SYSTEM, rows)
    filler = max(0, bindings - parcels)
    axe_filler = int(filler * axe_share)
    axe_count = max(2, (axe_filler + parcels) // AXE_FILL + 1)
    with rt.db.session() as session:
        rows = (PoolRow(i + 2, f"172{i:08d}") for i in range(axe_count))
        service.import_numbers(rt, session, SYSTEM, rows, mode="axe")
    bulk_s = bulk_load(rt, filler - axe_filler) + bulk_load_axe(rt, axe_filler)
    print(f"bulk-loaded {filler:,} bindings in {bulk_s:.0f} s", file=sys.stderr, flush=True)
    faker = Faker(3)
    rows = list(faker.rows(parcels, prefix="RB"))
    import_shipments(rt, SYSTEM, (RawRow(i + 2, r) for i, r in enumerate(rows)))
    couriers = []
    with rt.db.session() as session:
        for i in range(COURIERS):
            phone = f"1390000{i:04d}"
            principal, _ = access.create(
                rt, session, SYSTEM, NewPrincipal(name=f"快递员{i}", role="courier", phone=phone)
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
    probes, axe_probes = [], []
    half = len(rows) // 2
    began = time.perf_counter()
    for i, row in enumerate(rows[:half]):
        made = service.bind_waybill(rt, SYSTEM, row["waybill_no"])
        x = made["virtual_number"]
        probes.append((couriers[i % COURIERS][1], x))
        probes.append((row["recipient_phone"], x))
    bind_s = time.perf_counter() - began
    began = time.perf_counter()
    for i, row in enumerate(rows[half:], start=half):
        made = service.bind_waybill(rt, SYSTEM, row["waybill_no"], kind="axe")
        x, extension = made["virtual_number"], made["extension"]
        axe_probes.append((couriers[i % COURIERS][1], x, extension))
        axe_probes.append((row["recipient_phone"], x, extension))
    axe_bind_s = time.perf_counter() - began
    bare_bind_s = bare_binds(rt, half)
    with rt.db.session() as session:
        active = session.scalar(text("SELECT count(*) FROM relay_bindings WHERE status = 'active'"))
        axe_active = session.scalar(
            text("SELECT count(*) FROM relay_bindings WHERE status = 'active' AND kind = 'axe'")
        )
    rt.close()
    return {
        "probes": probes,
        "axe_probes": axe_probes,
        "binds_per_s": half / bind_s,
        "bind_ms": bind_s / half * 1000,
        "axe_binds_per_s": (len(rows) - half) / axe_bind_s,
        "axe_bind_ms": axe_bind_s / (len(rows) - half) * 1000,
        "bare_binds_per_s": half / bare_bind_s,
        "bare_bind_ms": bare_bind_s / half * 1000,
        "axe_active": int(axe_active or 0),
        "axe_numbers": axe_count,
        "active_bindings": int(active or 0),
        "bulk_s": bulk_s,
        "seed_s": time.perf_counter() - started,
    }


def bare_binds(rt, count: int) -> float:
    """The binding-creation baseline: `count` transactions, each inserting one binding row and
    its two seats on a number of the loaded pool (no parcel lock, allocation or audit)."""
    from datetime import timedelta

    from sqlalchemy import select

    from parcelguard.db import bulk_insert, new_id
    from parcelguard.relay.models import Binding, RelayNumber, Seat

    with rt.db.session() as session:
        numbers = list(session.scalars(select(RelayNumber.number_id).limit(1000)))
    now = rt.clock.now()
    began = time.perf_counter()
    for i in range(count):
        binding_id, number_id = new_id(), numbers[i % len(numbers)]
        refs = (os.urandom(16), os.urandom(16))
        with rt.db.session() as session:
            bulk_insert(
                session,
                Binding.__table__,
                [
                    binding_row(
                        rt,
                        binding_id,
                        number_id,
                        "axb",
                        "bare",
                        refs,
                        now,
                        now + timedelta(days=30),
                    )
                ],
            )
            seats = [
                {"tenant_id": rt.tenant, "number_id": number_id, "party_ref": ref}
                | {"binding_id": binding_id, "until": None}
                for ref in refs
            ]
            bulk_insert(session, Seat.__table__, seats)
    return time.perf_counter() - began


def binding_row(
    rt, binding_id: str, number_id: str, kind: str, courier_id: str, refs, now, expires
) -> dict:
    """Return an active binding row as the bulk loaders and the bare insert write it."""
    from parcelguard.db import new_id

    return {
        "tenant_id": rt.tenant,
        "binding_id": binding_id,
        "kind": kind,
        "number_id": number_id,
        "shipment_id": new_id(),
        "courier_id": courier_id,
        "a_ref": refs[0],
        "b_ref": refs[1],
        "status": "active",
        "created_at": now,
        "expires_at": expires,
        "ended_at": None,
        "end_reason": None,
        "created_by": "bench",
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
        number_ids = list(
            session.scalars(select(RelayNumber.number_id).where(RelayNumber.state == "free"))
        )
        session.execute(
            update(RelayNumber).where(RelayNumber.state == "free").values(state="bound")
        )
    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        bindings, seats = [], []
        for i in range(done, done + n):
            binding_id, number_id = new_id(), number_ids[i % len(number_ids)]
            a_ref, b_ref = rnd.randbytes(16), rnd.randbytes(16)
            bindings.append(
                binding_row(
                    rt, binding_id, number_id, "axb", f"c{i % 5000}", (a_ref, b_ref), now, expires
                )
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


def bulk_load_axe(rt, count: int) -> float:
    """Insert `count` active AXE bindings, each holding an extension of an AXE number."""
    from datetime import timedelta

    from sqlalchemy import select

    from parcelguard.db import bulk_insert, new_id
    from parcelguard.relay.models import Binding, Extension, RelayNumber

    began = time.perf_counter()
    now = rt.clock.now()
    expires = now + timedelta(days=30)
    rnd = random.Random(2)
    with rt.db.session() as session:
        number_ids = list(
            session.scalars(select(RelayNumber.number_id).where(RelayNumber.state == "axe"))
        )
    # Each AXE number's first AXE_FILL extensions of a random order of all 10,000.
    orders = {n: rnd.sample(range(10_000), AXE_FILL) for n in number_ids}
    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        bindings, held = [], []
        for i in range(done, done + n):
            binding_id = new_id()
            number_id = number_ids[i % len(number_ids)]
            extension = f"{orders[number_id][i // len(number_ids)]:04d}"
            refs = (rnd.randbytes(16), rnd.randbytes(16))
            row = binding_row(rt, binding_id, number_id, "axe", f"c{i % 5000}", refs, now, expires)
            bindings.append(row | {"extension": extension})
            held.append(
                {
                    "tenant_id": rt.tenant,
                    "number_id": number_id,
                    "extension": extension,
                    "binding_id": binding_id,
                    "until": None,
                }
            )
        with rt.db.session() as session:
            bulk_insert(session, Binding.__table__, bindings)
            bulk_insert(session, Extension.__table__, held)
        done += n
    return time.perf_counter() - began


def serve(home: str, port: int) -> None:
    """(server process) the real app plus one bare endpoint on the same runtime."""
    import uvicorn
    from fastapi import Body
    from sqlalchemy import select

    from parcelguard.app import create_app
    from parcelguard.relay.models import Binding, Extension, RelayNumber, Seat
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

    @app.post("/bench/bare_axe")
    def bare_axe(body: dict[str, str] = Body(...)) -> dict[str, Any]:
        """Find the binding behind (X, extension) and check the caller is one of its parties."""
        caller, x = canonical(body["from"]), canonical(body["to"])
        ref = party_ref(rt, caller or "")
        query = (
            select(Binding.binding_id, Binding.a_ref, Binding.b_ref)
            .join(
                Extension,
                (Extension.tenant_id == Binding.tenant_id)
                & (Extension.binding_id == Binding.binding_id),
            )
            .join(
                RelayNumber,
                (RelayNumber.tenant_id == Extension.tenant_id)
                & (RelayNumber.number_id == Extension.number_id),
            )
            .where(
                RelayNumber.tenant_id == rt.tenant,
                RelayNumber.number == x,
                Extension.extension == body["extension"],
                Extension.until.is_(None),
            )
        )
        with rt.db.read_session() as session:
            row = session.execute(query).first()
        found = row is not None and ref in (row.a_ref, row.b_ref)
        return {"binding_id": row.binding_id if found and row else None}

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
                probe = rnd.choice(probes)
                i += 1
                call = {"from": probe[0], "to": probe[1], "call_id": f"b{n}-{i}-{rnd.random()}"}
                if len(probe) > 2:  # AXE: the IVR's second step, the extension keyed
                    call |= {"extension": probe[2], "attempt": 1}
                body = json.dumps(call).encode()
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
        seeded = seed(home, args.numbers, args.bindings, args.parcels, args.axe_share)
        db_mib = (home / "parcelguard.db").stat().st_size / 2**20
        port = free_port()
        env = {**os.environ, "PARCELGUARD_HOME": str(home)}
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(home), str(port)], env=env
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(base)
            probes, axe = seeded["probes"], seeded["axe_probes"]
            load(base, "/bench/bare", probes, 1, args.threads, False)  # warm up both paths
            load(base, "/relay/voice", probes, 1, args.threads, True)
            bare = load(base, "/bench/bare", probes, args.seconds, args.threads, False)
            real = load(base, "/relay/voice", probes, args.seconds, args.threads, True)
            axe_bare = load(base, "/bench/bare_axe", axe, args.seconds, args.threads, False)
            axe_real = load(base, "/relay/voice", axe, args.seconds, args.threads, True)
        finally:
            server.terminate()
            server.wait(10)
    return {
        **{k: v for k, v in seeded.items() if k not in ("probes", "axe_probes")},
        "real": real,
        "bare": bare,
        "axe_real": axe_real,
        "axe_bare": axe_bare,
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
        "allocation under SKIP LOCKED semantics, seats, audit), on the loaded pool. "
        f"{args.axe_share:.0%} of the live bindings are AXE (X 转 4-digit extension, "
        f"{AXE_FILL:,} live extensions per AXE number): AXE webhook = the IVR's second step "
        "(`/relay/voice` with the keyed extension: extension lookup, party check, decrypt, "
        "audit, call record); AXE bare = the same extension's binding and party check, "
        'read-only; AXE creation = `bind_waybill(kind="axe")` (extension drawn with '
        "`secrets`, claimed on the primary key, audit). Bare binding insert = one transaction "
        "per binding inserting its row and two seats on a pool number, nothing else (the "
        "baseline of both creations).",
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
        if "bare_binds_per_s" in run:
            lines += [
                f"| {n} | bare binding insert (row + 2 seats, one transaction) | {run['bare_binds_per_s']:,.0f} | {run['bare_bind_ms']:.1f} (mean) | | |",
                f"| {n} | **ratio creation / bare insert** | **{run['binds_per_s'] / run['bare_binds_per_s']:.2f}** (AXE **{run['axe_binds_per_s'] / run['bare_binds_per_s']:.2f}**) | | | |",
            ]
        axe, axe_bare = run["axe_real"], run["axe_bare"]
        lines += [
            f"| {n} | AXE webhook routing (extension keyed) | {axe['rps']:,.0f} | {axe['p50_ms']:.1f} | {axe['p99_ms']:.1f} | {axe['errors']} |",
            f"| {n} | AXE bare extension lookup | {axe_bare['rps']:,.0f} | {axe_bare['p50_ms']:.1f} | {axe_bare['p99_ms']:.1f} | {axe_bare['errors']} |",
            f"| {n} | **ratio AXE webhook / AXE bare** | **{axe['rps'] / axe_bare['rps']:.2f}** | | | |",
            f"| {n} | AXE binding creation (in-process) | {run['axe_binds_per_s']:,.0f} | {run['axe_bind_ms']:.1f} (mean) | | |",
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
            f"{r['active_bindings']:,} bindings ({r['axe_active']:,} AXE on {r['axe_numbers']} "
            f"AXE numbers) bulk-loaded in {r['bulk_s']:.0f} s, database {r['db_mib']:,.0f} MiB"
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
    parser.add_argument("--axe-share", type=float, default=0.5)
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
        run["axe_ratio"] = run["axe_real"]["rps"] / run["axe_bare"]["rps"]
        print(json.dumps(run, indent=1), flush=True)
        runs.append(run)
    write_fragment("relay", fragment(args, runs))


if __name__ == "__main__":
    main()

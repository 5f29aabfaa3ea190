"""Load test: mixed reveal, masked-view, relay-route and PII-scan traffic against a real server.

uvicorn with several worker processes serves the real app (SQLite in WAL, loopback HTTP, the
hardening middlewares on); client threads send a mix of the four requests for a bounded
time and check every answer (the revealed address is the imported one, the call connects,
the scan finds the phone). Reported per endpoint: requests, throughput, p50, p99 and errors,
which must be 0. Rate limits are raised in the bench home's config.toml, and the monitor
(which runs and raises its alerts) does not suspend the bench's service key: one machine
revealing dozens of addresses a second is what it exists to stop. The point here is capacity.

    python bench/load.py [--seconds 20] [--threads 8] [--workers 2] [--parcels 2000]
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
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, percentile, wait_up, write_fragment

SECRET = "bench-load-secret"  # noqa: S105 - a throwaway home
COURIERS = 20
BOUND = 400
CONFIG = f"""
[relay]
webhook_secret = "{SECRET}"

[doctor]
interval_minutes = 0

[ratelimit.limits]
reveal = {{ limit = 1000000, window = 60 }}
pii_text = {{ limit = 1000000, window = 60 }}
""" + "".join(
    f"\n[monitor.rules.{rule}]\nsuspend = false\n"
    for rule in (
        "bulk_export",
        "canary_hit",
        "distinct_targets",
        "enumeration",
        "unassigned_access",
    )
)
MIX = ("reveal", "show", "route", "scan")


def seed(home: Path, parcels: int, database_url: str | None = None) -> dict[str, Any]:
    """Parcels, couriers with phones, relay bindings for some parcels, and a service key."""
    from sqlalchemy import text

    from parcelguard.access import service as access
    from parcelguard.access.schemas import NewPrincipal
    from parcelguard.audit.service import SYSTEM
    from parcelguard.migrations import upgrade
    from parcelguard.relay import service as relay
    from parcelguard.relay.inventory import PoolRow
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings
    from parcelguard.vault.ingest import import_shipments
    from parcelguard.vault.readers import RawRow
    from parcelguard.vault.synthetic import Faker

    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    (home / "config.toml").write_text(CONFIG)
    rt = Runtime.from_settings(Settings.load(home=home, database_url=database_url))
    upgrade(rt.db.engine)
    rows = list(Faker(11).rows(parcels, prefix="LD"))
    import_shipments(rt, SYSTEM, (RawRow(i + 2, r) for i, r in enumerate(rows)))
    with rt.db.session() as session:
        relay.import_numbers(
            rt, session, SYSTEM, (PoolRow(i + 2, f"171{i:08d}") for i in range(BOUND))
        )
        couriers = []
        for i in range(COURIERS):
            phone = f"1390000{i:04d}"
            made, _ = access.create(
                rt, session, SYSTEM, NewPrincipal(name=f"快递员{i}", role="courier", phone=phone)
            )
            couriers.append((made.principal_id, phone))
        _, key = access.create(
            rt,
            session,
            SYSTEM,
            NewPrincipal(
                name="load", role="service", scopes=["read", "pii", "reveal:recipient.address"]
            ),
        )
        session.execute(
            text(
                "UPDATE shipments SET courier_id = :c, status = 'out_for_delivery' "
                "WHERE tenant_id = :t AND waybill_no = :w"
            ),
            [
                {"c": couriers[i % COURIERS][0], "t": rt.tenant, "w": r["waybill_no"]}
                for i, r in enumerate(rows[:BOUND])
            ],
        )
    calls = []
    for i, row in enumerate(rows[:BOUND]):
        number = relay.bind_waybill(rt, SYSTEM, row["waybill_no"])["virtual_number"]
        calls.append((couriers[i % COURIERS][1], number))
        calls.append((row["recipient_phone"], number))
    rt.close()
    texts = [
        f"收件人{r['recipient_name']}，电话{r['recipient_phone']}，地址{r['recipient_address']}。"
        for r in rows[:200]
    ]
    addresses = {r["waybill_no"]: r["recipient_address"] for r in rows}
    return {"key": key, "calls": calls, "texts": texts, "addresses": addresses}


def signed(body: bytes) -> dict[str, str]:
    from parcelguard.relay.signatures import signed_headers

    return signed_headers(SECRET.encode(), int(time.time()), body)


def one_request(client: Any, kind: str, data: dict[str, Any], rnd: random.Random) -> bool:
    """Send one request of a kind; return whether the answer is right."""
    auth = {"Authorization": f"Bearer {data['key']}"}
    if kind in ("reveal", "show"):
        waybill = rnd.choice(data["waybills"])
        if kind == "show":
            answer = client.get(f"/api/v1/shipments/{waybill}", headers=auth)
            return answer.status_code == 200 and answer.json()["waybill_no"] == waybill
        body = {"fields": ["recipient.address"], "purpose": "delivery"}
        answer = client.post(f"/api/v1/shipments/{waybill}/reveal", json=body, headers=auth)
        expected = data["addresses"][waybill]
        return (
            answer.status_code == 200 and answer.json()["fields"]["recipient.address"] == expected
        )
    if kind == "route":
        caller, number = rnd.choice(data["calls"])
        payload = {"from": caller, "to": number, "call_id": f"c{rnd.getrandbits(64):x}"}
        raw = json.dumps(payload).encode()
        answer = client.post("/relay/voice", content=raw, headers=signed(raw))
        return answer.status_code == 200 and answer.json().get("action") == "connect"
    answer = client.post("/api/v1/pii/scan", json={"text": rnd.choice(data["texts"])}, headers=auth)
    return answer.status_code == 200 and any(
        e["type"] == "PHONE" for e in answer.json()["entities"]
    )


def drive(base: str, data: dict[str, Any], seconds: float, threads: int) -> dict[str, Any]:
    """Send the mix from several threads for `seconds`; return per-kind latencies and errors."""
    import httpx

    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        rnd = random.Random(n)
        mine: dict[str, list[float]] = defaultdict(list)
        bad: dict[str, int] = defaultdict(int)
        with httpx.Client(base_url=base, timeout=60) as client:
            i = n
            while time.monotonic() < stop:
                kind = MIX[i % len(MIX)]
                i += 1
                began = time.perf_counter()
                try:
                    ok = one_request(client, kind, data, rnd)
                except (httpx.HTTPError, ValueError, KeyError):
                    ok = False
                mine[kind].append(time.perf_counter() - began)
                bad[kind] += 0 if ok else 1
        with lock:
            for kind, values in mine.items():
                latencies[kind].extend(values)
                errors[kind] += bad[kind]

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    began = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - began
    return {
        kind: {
            "requests": len(latencies[kind]),
            "rps": len(latencies[kind]) / elapsed,
            "p50_ms": percentile(latencies[kind], 50) * 1000,
            "p99_ms": percentile(latencies[kind], 99) * 1000,
            "errors": errors[kind],
        }
        for kind in MIX
    } | {"total_rps": sum(len(v) for v in latencies.values()) / elapsed}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        data = seed(home, args.parcels)
        data["waybills"] = list(data["addresses"])[:BOUND]  # assigned, out for delivery
        port = free_port()
        env = {**os.environ, "PARCELGUARD_HOME": str(home)}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "parcelguard.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(base)
            drive(base, data, max(3.0, args.seconds / 4), args.threads)  # warm every worker
            result = drive(base, data, args.seconds, args.threads)
        finally:
            server.terminate()
            server.wait(30)
    return result


def fragment(args: argparse.Namespace, result: dict[str, Any]) -> str:
    names = {
        "reveal": "reveal (`POST /api/v1/shipments/{w}/reveal`)",
        "show": "masked view (`GET /api/v1/shipments/{w}`)",
        "route": "relay route (signed `POST /relay/voice`)",
        "scan": "PII scan (`POST /api/v1/pii/scan`)",
    }
    lines = [
        "## Load (`bench/load.py`)",
        "",
        f"uvicorn with {args.workers} worker processes, SQLite (WAL), loopback HTTP, every "
        f"hardening middleware on; {args.threads} client threads send an even mix of the four "
        f"requests for {args.seconds:.0f} s after a warm-up ({args.parcels:,} parcels, "
        f"{BOUND} of them out for delivery with a relay binding). Every answer is checked: "
        "the revealed address is the imported one, the call connects, the scan finds the phone. "
        "Audit, the in-process monitor (its alerts on, automatic suspension off for the bench "
        "key) and rate limiting (limits raised) all run. Client and server share the CPUs.",
        "",
        "| endpoint | requests | req/s | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in MIX:
        r = result[kind]
        lines.append(
            f"| {names[kind]} | {r['requests']:,} | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['errors']} |"
        )
    load = os.getloadavg()[0]
    lines += [
        "",
        f"All together: {result['total_rps']:.0f} requests/s on {os.cpu_count()} CPUs "
        f"(1-minute load average {load:.1f} when the run ended).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parcels", type=int, default=2000)
    args = parser.parse_args()
    result = measure(args)
    print(json.dumps(result, indent=1))
    path = write_fragment("load", fragment(args, result))
    print(f"wrote {path}", file=sys.stderr)
    if any(result[kind]["errors"] for kind in MIX):
        raise SystemExit("errors under load")


if __name__ == "__main__":
    main()

"""Reveal benchmark: requests/s and p50/p99 through the real API (auth + policy + decrypt +
audit + publish) beside a bare endpoint on the same server that only selects and decrypts the
same field. One uvicorn process, SQLite, loopback HTTP, several client threads.

    python bench/reveal.py [--parcels 2000] [--seconds 10] [--threads 8]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, latency_summary, wait_up, write_fragment

# A bench hammers one key far beyond a person's rate: lift the reveal rate limit. The monitor
# consumes the bus in another process here ("external", as with NATS at scale), so the figure
# is the reveal path itself; bench/load.py measures with the in-process monitor running.
CONFIG = """
[doctor]
interval_minutes = 0

[monitor]
consumer = "external"

[ratelimit.limits]
reveal = { limit = 1000000, window = 60 }
""" + "".join(
    f"\n[monitor.rules.{rule}]\nsuspend = false\n"
    for rule in ("distinct_targets", "enumeration", "unassigned_access", "bulk_export")
)


def seed(home: Path, parcels: int) -> tuple[str, list[str]]:
    """Import parcels and create a service key allowed to reveal recipient addresses."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(CONFIG)
    from parcelguard.access import service as access
    from parcelguard.access.schemas import NewPrincipal
    from parcelguard.audit.service import SYSTEM
    from parcelguard.migrations import upgrade
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings
    from parcelguard.vault.ingest import import_shipments
    from parcelguard.vault.readers import RawRow
    from parcelguard.vault.synthetic import Faker

    rt = Runtime.from_settings(Settings.load(home=home, database_url=None))
    upgrade(rt.db.engine)
    rows = (RawRow(i + 2, r) for i, r in enumerate(Faker(5).rows(parcels)))
    report = import_shipments(rt, SYSTEM, rows)
    with rt.db.session() as session:
        _, key = access.create(
            rt,
            session,
            SYSTEM,
            NewPrincipal(name="bench", role="service", scopes=["reveal:recipient.address"]),
        )
    waybills = list(report.waybills)
    rt.close()
    return key, waybills


def serve(home: str, port: int) -> None:
    """(server process) the real app plus one bare endpoint."""
    import uvicorn

    from parcelguard.app import create_app
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings
    from parcelguard.vault import service

    rt = Runtime.from_settings(Settings.load(home=Path(home), database_url=None))
    app = create_app(rt)

    @app.get("/bench/bare/{waybill}")
    def bare(waybill: str) -> dict[str, str]:
        with rt.db.read_session() as session:
            shipment = service.get_or_raise(session, rt.tenant, waybill)
            opened = service.open_fields(rt, session, shipment, [("recipient", "address")])
        return {"recipient.address": opened[("recipient", "address")].reveal()}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def load(
    url_for, method: str, seconds: float, threads: int, waybills: list[str], **kwargs
) -> dict[str, float]:
    """Drive the endpoint from several threads for a fixed time; return rate and latencies."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        rnd = random.Random(n)
        mine: list[float] = []
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < stop:
                url = url_for(rnd.choice(waybills))
                start = time.perf_counter()
                response = client.request(method, url, **kwargs)
                mine.append(time.perf_counter() - start)
                if response.status_code != 200:
                    with lock:
                        errors[0] += 1
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    began = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latency_summary(latencies, time.monotonic() - began, errors[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--serve", nargs=2)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        key, waybills = seed(home, args.parcels)
        port = free_port()
        env = {**os.environ, "PARCELGUARD_HOME": str(home)}
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(home), str(port)], env=env
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(base)
            load(lambda w: f"{base}/bench/bare/{w}", "GET", 1, args.threads, waybills)  # warm up
            bare = load(
                lambda w: f"{base}/bench/bare/{w}", "GET", args.seconds, args.threads, waybills
            )
            real = load(
                lambda w: f"{base}/api/v1/shipments/{w}/reveal",
                "POST",
                args.seconds,
                args.threads,
                waybills,
                json={"fields": ["recipient.address"], "purpose": "delivery"},
                headers={"Authorization": f"Bearer {key}"},
            )
        finally:
            server.terminate()
            server.wait(10)
    ratio = real["rps"] / bare["rps"]
    print(json.dumps({"real": real, "bare": bare, "ratio": ratio}, indent=1))
    write_fragment(
        "reveal",
        "\n".join(
            [
                "## Reveal (`bench/reveal.py`)",
                "",
                f"One uvicorn process, SQLite, loopback HTTP, {args.threads} client threads, {args.seconds:.0f} s each, "
                f"{args.parcels:,} parcels.",
                "",
                "| endpoint | requests/s | p50 ms | p99 ms | errors |",
                "| --- | ---: | ---: | ---: | ---: |",
                f"| real reveal (auth, policy, decrypt, audit, publish) | {real['rps']:,.0f} | {real['p50_ms']:.1f} | {real['p99_ms']:.1f} | {real['errors']} |",
                f"| bare select + decrypt | {bare['rps']:,.0f} | {bare['p50_ms']:.1f} | {bare['p99_ms']:.1f} | {bare['errors']} |",
                f"| **ratio** | **{ratio:.2f}** | | | |",
            ]
        ),
    )


if __name__ == "__main__":
    main()

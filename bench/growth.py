"""Growth curves: how ingest, the reveal lookup and the phone search cost as the vault grows.

For each size, one fresh database: the real import of N synthetic parcels beside the raw
baseline of `bench/ingest.py` (AES-GCM seal + executemany of the same rows, same database
engine), in ten chunks that alternate baseline and real import so that both see the same load
on a shared machine (and the first and last chunk show the rate as the vault grows); wall
time and this process's CPU time are both kept. Then, on the N-parcel vault, per-lookup cost of

* the reveal lookup: the vault read functions the reveal path uses (`vault.service.get`,
  `parties_of`, `open_fields`: shipment by waybill, its parties, unwrap the data key, open the
  recipient's address), beside a bare driver-level SELECT of the same ciphertext by waybill;
* the blind-index phone search: `vault.service.shipment_ids_for_phone` (normalize, keyed
  HMAC, indexed SELECT), beside a bare driver-level SELECT by the precomputed digest.

Each lookup probe runs the real call and then the bare one, so both see the same load.
Policy, audit append and HTTP are left out on purpose: they do not grow with the number of
parcels (bench/http_wrk.py measures them). Relay routing and binding
creation at 100k and 1M live bindings are `bench/relay.py`.

    python bench/growth.py [--parcels 10000,100000,1000000] [--probes 2000]
                           [--postgres ADMIN_URL --pg-parcels 10000,100000]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, run_child, write_fragment
from bench.ingest import FIELDS, raw_baseline, sealed_batches

PG_TABLE = "bench_raw_ingest"
CHUNKS = 10


def make_files(folder: Path, rows: int, chunks: int, probes: int) -> tuple[list[Path], list[Any]]:
    """Write `rows` synthetic shipments as `chunks` CSV files; return them and a sample of
    (waybill, recipient phone) pairs."""
    from parcelguard.vault.synthetic import Faker

    picked = set(random.Random(rows).sample(range(rows), min(probes, rows)))
    sample = []
    per = -(-rows // chunks)
    paths: list[Path] = []
    made = iter(enumerate(Faker(rows).rows(rows)))
    for c in range(chunks):
        path = folder / f"s{c}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(FIELDS)
            for i, row in itertools.islice(made, per):
                writer.writerow([row.get(f, "") for f in FIELDS])
                if i in picked:
                    sample.append((row["waybill_no"], row["recipient_phone"]))
        paths.append(path)
    return paths, sample


def raw_baseline_pg(path: Path, url: str) -> int:
    """The raw baseline on PostgreSQL: seal seven fields, executemany 1,000 rows a commit."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    count = 0
    with psycopg.connect(dsn) as conn:
        cols = ", ".join(f"c{i} bytea" for i in range(7))
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {PG_TABLE} (waybill text PRIMARY KEY, carrier text, {cols})"
        )
        conn.commit()
        sql = f"INSERT INTO {PG_TABLE} VALUES ({', '.join(['%s'] * 9)})"
        for batch in sealed_batches(path):
            conn.cursor().executemany(sql, batch)
            conn.commit()
            count += len(batch)
    return count


def _stats(times: list[float]) -> dict[str, float]:
    return {
        "mean_us": sum(times) / len(times) * 1e6,
        "p50_us": percentile(times, 50) * 1e6,
        "p99_us": percentile(times, 99) * 1e6,
    }


def paired(
    real: Callable[[Any], Any], bare: Callable[[Any], Any], probes: list[tuple[Any, Any]]
) -> tuple[dict[str, float], dict[str, float]]:
    """Per probe, call the real function then the bare one; return the stats of each."""
    times: tuple[list[float], list[float]] = ([], [])
    for probe in probes:
        for fn, arg, out in ((real, probe[0], times[0]), (bare, probe[1], times[1])):
            began = time.perf_counter()
            fn(arg)
            out.append(time.perf_counter() - began)
    return _stats(times[0]), _stats(times[1])


def lookups(rt: Any, sample: list[tuple[str, str]]) -> dict[str, Any]:
    """Time the reveal lookup and the phone search beside their bare SELECTs."""
    from parcelguard.pii.normalize import normalize_phone
    from parcelguard.vault import service

    tenant = rt.tenant
    waybills = [w for w, _ in sample]
    phones = [p for _, p in sample]
    index = rt.keyring.index
    digests = [index.digest(tenant, "phone", normalize_phone(p).e164) for p in phones]
    marker = "?" if rt.db.dialect == "sqlite" else "%s"
    bare_reveal_sql = (
        "SELECT p.address_ct FROM shipments s JOIN parties p ON p.tenant_id = s.tenant_id "
        f"AND p.shipment_id = s.shipment_id AND p.role = 'recipient' "
        f"WHERE s.tenant_id = {marker} AND s.waybill_no = {marker}"
    )
    bare_phone_sql = (
        f"SELECT shipment_id FROM parties WHERE tenant_id = {marker} AND phone_bidx = {marker}"
    )
    out: dict[str, Any] = {}
    raw = rt.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with rt.db.read_session() as session:

            def reveal(waybill: str) -> None:
                shipment = service.get_or_raise(session, tenant, waybill)
                opened = service.open_fields(rt, session, shipment, [("recipient", "address")])
                assert opened[("recipient", "address")].reveal()
                session.expunge_all()  # each lookup reads afresh, as a request would

            def phone(number: str) -> None:
                assert service.shipment_ids_for_phone(rt, session, number)

            def bare_reveal(waybill: str) -> None:
                cursor.execute(bare_reveal_sql, (tenant, waybill))
                assert cursor.fetchone()

            def bare_phone(digest: bytes) -> None:
                cursor.execute(bare_phone_sql, (tenant, digest))
                assert cursor.fetchall()

            by_waybill = list(zip(waybills, waybills, strict=True))
            by_phone = list(zip(phones, digests, strict=True))
            paired(reveal, bare_reveal, by_waybill[:50])  # warm caches and code paths
            out["reveal"], out["bare_reveal"] = paired(reveal, bare_reveal, by_waybill)
            out["phone"], out["bare_phone"] = paired(phone, bare_phone, by_phone)
        raw.rollback()
    finally:
        raw.close()
    return out


def alternate(
    paths: list[Path], raw: Callable[[Path], int], real: Callable[[Path], int]
) -> dict[str, Any]:
    """Per chunk, the raw baseline then the real import; rates, wall and CPU ratios."""
    totals = {"raw": [0.0, 0.0, 0], "real": [0.0, 0.0, 0]}  # wall s, CPU s, records
    chunk_ratios = []
    for path in paths:
        per_record = []
        for name, step in (("raw", raw), ("real", real)):
            wall, cpu = time.perf_counter(), time.process_time()
            count = step(path)
            spent = time.perf_counter() - wall
            total = totals[name]
            total[0] += spent
            total[1] += time.process_time() - cpu
            total[2] += count
            per_record.append(spent / count)
        chunk_ratios.append(per_record[0] / per_record[1])
    raw_t, real_t = totals["raw"], totals["real"]
    return {
        "imported": real_t[2],
        "real_rate": real_t[2] / real_t[0],
        "base_rate": raw_t[2] / raw_t[0],
        "cpu_ratio": (raw_t[1] / raw_t[2]) / (real_t[1] / real_t[2]),
        # The first chunk pays one-time warm-ups (region index, code paths): the second is
        # where the vault is small.
        "early_chunk_ratio": chunk_ratios[min(1, len(chunk_ratios) - 1)],
        "last_chunk_ratio": chunk_ratios[-1],
    }


def child(parcels: int, probes: int, admin: str | None) -> None:
    """(child process) one size on one backend: ingest beside raw, then the lookups."""
    from parcelguard.audit.service import SYSTEM
    from parcelguard.migrations import upgrade
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings
    from parcelguard.vault.ingest import import_shipments
    from parcelguard.vault.readers import read_rows

    url = None
    if admin:
        from bench.http_wrk import make_database

        url = make_database(admin)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            paths, sample = make_files(Path(tmp), parcels, CHUNKS, probes)
            home = Path(tmp) / "home"
            rt = Runtime.from_settings(Settings.load(home=home, database_url=url))
            upgrade(rt.db.engine)
            rt.keyring  # noqa: B018

            def raw(path: Path) -> int:
                return raw_baseline_pg(path, url) if url else raw_baseline(path, Path(tmp) / "r.db")

            def imported(path: Path) -> int:
                return import_shipments(rt, SYSTEM, read_rows(path)).imported

            ingest = alternate(paths, raw, imported)
            result = lookups(rt, sample)
            rt.close()
            db = home / "parcelguard.db"
            result |= ingest | {
                "backend": "postgresql" if url else "sqlite",
                "parcels": parcels,
                "db_mib": db.stat().st_size / 2**20 if db.exists() else None,
                "load": os.getloadavg()[0],
            }
    finally:
        if admin and url:
            from bench.http_wrk import drop_database

            drop_database(admin, url)
    print(json.dumps(result))


def fragment(runs: list[dict[str, Any]], probes: int) -> str:
    lines = [
        "## Growth curves (`bench/growth.py`)",
        "",
        "One fresh database per size; ingest = the real import of all N parcels beside the raw "
        "baseline of bench/ingest.py (AES-GCM + executemany of the same rows, same engine), in "
        "ten chunks alternating baseline and import so both see the same machine load; ratio = "
        "real ÷ raw records/s by wall time, CPU ratio the same by this process's CPU time "
        "(SQLite only: less sensitive to other work on the machine), 2nd → last tenth = the "
        "wall ratio of the second and the last chunk as the vault fills (the first pays "
        "one-time warm-ups). Rows marked * were measured before the alternation: baseline "
        "over the whole file, then the import; every real lookup, then every bare one. Lookups on the "
        f"N-parcel vault, {probes:,} random parcels each, one process, real and bare call "
        "alternating: "
        "reveal lookup = `vault.service` get + parties + unwrap + open one field (the reveal "
        "path's data access; policy, audit and HTTP do not grow with N), beside a bare "
        "driver-level SELECT of the same ciphertext; phone search = "
        "`shipment_ids_for_phone` (normalize, HMAC, indexed SELECT) beside a bare SELECT by "
        "the precomputed digest. Lookup figures are µs per call (p50 / p99); ratio = bare "
        "p50 ÷ real p50 (1.00 = no overhead).",
        "",
        "| backend | parcels | ingest rec/s | raw rec/s | **ratio** | CPU ratio | 2nd → last "
        "tenth | reveal lookup µs | bare µs | **ratio** | phone search µs | bare µs | **ratio** |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        rv, brv, ph, bph = r["reveal"], r["bare_reveal"], r["phone"], r["bare_phone"]
        lines.append(
            f"| {r['backend']} | {r['parcels']:,}{'' if 'cpu_ratio' in r else '*'} | "
            f"{r['real_rate']:,.0f} | "
            f"{r['base_rate']:,.0f} | **{r['real_rate'] / r['base_rate']:.2f}** | "
            f"{_cpu(r)} | {_tenths(r)} | "
            f"{rv['p50_us']:,.0f} / {rv['p99_us']:,.0f} | {brv['p50_us']:,.0f} / "
            f"{brv['p99_us']:,.0f} | **{brv['p50_us'] / rv['p50_us']:.2f}** | "
            f"{ph['p50_us']:,.0f} / {ph['p99_us']:,.0f} | {bph['p50_us']:,.0f} / "
            f"{bph['p99_us']:,.0f} | **{bph['p50_us'] / ph['p50_us']:.2f}** |"
        )
    sizes = [
        f"{r['parcels']:,}: {r['db_mib']:,.0f} MiB" for r in runs if r.get("db_mib") is not None
    ]
    if sizes:
        lines += ["", "SQLite file size after the import: " + "; ".join(sizes) + "."]
    loads = ", ".join(f"{r['load']:.1f}" if "load" in r else "–" for r in runs)
    lines += [
        "",
        f"Machine: {os.cpu_count()} CPUs shared with other work while measured (1-minute load "
        f"average at the end of each row: {loads or 'not recorded'}); compare ratios and rows "
        "of one run rather than absolute figures across runs.",
    ]
    return "\n".join(lines)


def _cpu(run: dict[str, Any]) -> str:
    """The CPU-time ratio, on SQLite only (PostgreSQL's work is in its server's processes)."""
    return f"{run['cpu_ratio']:.2f}" if run["backend"] == "sqlite" and "cpu_ratio" in run else "–"


def _tenths(run: dict[str, Any]) -> str:
    if "last_chunk_ratio" not in run:
        return "–"
    return f"{run['early_chunk_ratio']:.2f} → {run['last_chunk_ratio']:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", default="10000,100000,1000000")
    parser.add_argument("--postgres", help="admin URL: also measure on fresh PostgreSQL databases")
    parser.add_argument("--pg-parcels", default="10000,100000")
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--child", nargs=2, metavar=("PARCELS", "BACKEND"))
    parser.add_argument("--no-fragment", action="store_true")
    args = parser.parse_args()
    if args.child:
        admin = args.postgres if args.child[1] == "postgresql" else None
        child(int(args.child[0]), args.probes, admin)
        return
    plan = [(int(n), "sqlite") for n in args.parcels.split(",") if n]
    if args.postgres:
        plan += [(int(n), "postgresql") for n in args.pg_parcels.split(",") if n]
    runs = []
    for parcels, backend in plan:
        extra = ["--postgres", args.postgres] if args.postgres else []
        run = run_child(
            [__file__, "--child", str(parcels), backend, "--probes", str(args.probes), *extra]
        )
        print(json.dumps(run), flush=True)
        runs.append(run)
    if not args.no_fragment:
        write_fragment("growth", fragment(runs, args.probes))


if __name__ == "__main__":
    main()

"""Ingest benchmark: records/s through the real import path beside a raw baseline (AES-GCM
seal + SQLite executemany of the same rows, no validation) measured in the same run, and peak
memory of the import at growing file sizes (flat memory = streaming works).

    python bench/ingest.py [--rows 100000] [--memory-rows 100000,1000000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import peak_rss_mib, run_child, timed, write_fragment

FIELDS = [
    "waybill_no",
    "carrier",
    "sender_name",
    "sender_phone",
    "sender_address",
    "sender_id_no",
    "recipient_name",
    "recipient_phone",
    "recipient_address",
]


def make_file(path: Path, rows: int, seed: int = 1) -> None:
    """Write `rows` synthetic shipments as CSV."""
    from parcelguard.vault.synthetic import Faker

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for row in Faker(seed).rows(rows):
            writer.writerow([row.get(f, "") for f in FIELDS])


def real_import(path: Path, home: Path, *, dry_run: bool = False) -> int:
    """Import through ParcelGuard's real path (validation, regions, sealing, audit).

    `dry_run` is the floor of any storage layout: the file read, every row validated, its
    regions resolved and its fingerprint looked up, nothing sealed or stored.
    """
    from parcelguard.audit.service import SYSTEM
    from parcelguard.migrations import upgrade
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings
    from parcelguard.vault.ingest import ImportOptions, import_shipments
    from parcelguard.vault.readers import read_rows

    rt = Runtime.from_settings(Settings.load(home=home, database_url=None))
    upgrade(rt.db.engine)
    rt.keyring  # noqa: B018
    report = import_shipments(rt, SYSTEM, read_rows(path), options=ImportOptions(dry_run=dry_run))
    rt.close()
    return report.imported


def sealed_batches(path: Path, size: int = 1000) -> Iterator[list[tuple[Any, ...]]]:
    """Yield the file's rows, the seven personal fields sealed with AES-GCM, `size` at a time."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(AESGCM.generate_key(256))
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        batch: list[tuple[Any, ...]] = []
        for row in reader:
            sealed = []
            for value in row[2:]:
                nonce = os.urandom(12)
                sealed.append(nonce + aead.encrypt(nonce, value.encode(), b"ad"))
            batch.append((row[0], row[1], *sealed))
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch


def raw_baseline(path: Path, db_path: Path) -> int:
    """Seal the same seven fields with AES-GCM and executemany them into SQLite."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS s (waybill TEXT PRIMARY KEY, carrier TEXT, "
        + ", ".join(f"c{i} BLOB" for i in range(7))
        + ")"
    )
    count = 0
    for batch in sealed_batches(path):
        conn.executemany("INSERT INTO s VALUES (?,?,?,?,?,?,?,?,?)", batch)
        conn.commit()
        count += len(batch)
    conn.close()
    return count


def child_memory(rows: int) -> None:
    """(child process) import `rows` rows and print peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.csv"
        make_file(path, rows, seed=rows)
        before = peak_rss_mib()
        seconds, imported = timed(lambda: real_import(path, Path(tmp) / "home"))
        print(
            json.dumps(
                {
                    "rows": rows,
                    "imported": imported,
                    "seconds": seconds,
                    "peak_mib": peak_rss_mib(),
                    "before_mib": before,
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", default="100000,1000000")
    parser.add_argument("--child-memory", type=int)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.csv"
        make_file(path, args.rows)
        base_s, base_n = timed(lambda: raw_baseline(path, Path(tmp) / "raw.db"))
        real_s, real_n = timed(lambda: real_import(path, Path(tmp) / "home"))
        floor_s, floor_n = timed(lambda: real_import(path, Path(tmp) / "dry", dry_run=True))
    real_rate, base_rate, floor_rate = real_n / real_s, base_n / base_s, floor_n / floor_s
    print(f"real import: {real_n} records in {real_s:.1f}s = {real_rate:,.0f} records/s")
    print(f"raw baseline: {base_n} records in {base_s:.1f}s = {base_rate:,.0f} records/s")
    print(f"dry run (floor): {floor_n} records in {floor_s:.1f}s = {floor_rate:,.0f} records/s")
    print(f"ratio: {real_rate / base_rate:.2f} (floor {floor_rate / base_rate:.2f})")
    memory = [run_child([__file__, "--child-memory", n]) for n in args.memory_rows.split(",") if n]
    for m in memory:
        print(
            f"memory: {m['rows']:,} rows → peak {m['peak_mib']:.0f} MiB ({m['rows'] / m['seconds']:,.0f} records/s)"
        )
    lines = [
        "## Ingest (`bench/ingest.py`)",
        "",
        f"{args.rows:,} synthetic rows, CSV, embedded SQLite, one process "
        f"({os.cpu_count()} CPUs, 1-minute load average {os.getloadavg()[0]:.1f} when done).",
        "",
        "| path | records/s |",
        "| --- | ---: |",
        f"| real import (validate, resolve regions, seal, blind-index, audit) | {real_rate:,.0f} |",
        f"| raw baseline (AES-GCM seal + SQLite executemany, no validation) | {base_rate:,.0f} |",
        f"| **ratio** | **{real_rate / base_rate:.2f}** |",
        f"| floor: dry run (read, validate, regions, fingerprint lookup; nothing sealed or stored) | {floor_rate:,.0f} |",
        f"| floor ÷ raw baseline (no storage layout can beat it) | {floor_rate / base_rate:.2f} |",
        "",
        "| rows imported | peak memory (MiB) | records/s |",
        "| ---: | ---: | ---: |",
        *[
            f"| {m['rows']:,} | {m['peak_mib']:.0f} | {m['rows'] / m['seconds']:,.0f} |"
            for m in memory
        ],
    ]
    write_fragment("ingest", "\n".join(lines))


if __name__ == "__main__":
    main()

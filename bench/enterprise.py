"""Enterprise integrations benchmark: SIEM export, the HSM keyring and the metrics scrape.

* SIEM: audit events/s exported as OCSF to a JSON-lines file and to rsyslog over TLS (real
  rsyslogd on loopback, batches of 500, each confirmed), beside the baseline of reading the
  same events and writing them as raw JSON lines.
* HSM: data-key wrap+unwrap pairs/s through SoftHSM2 (PKCS#11, AES-GCM in the token) beside
  the local file keyring doing the same in process.
* Metrics: the first scrape (reads the whole log) and a later one (only new events).

    python bench/enterprise.py [--events 20000] [--keys 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_fragment


def runtime(home: Path, **overrides):
    from parcelguard.migrations import upgrade
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings

    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    rt = Runtime.from_settings(Settings.load(home=home, database_url=None, **overrides))
    upgrade(rt.db.engine)
    rt.keyring  # noqa: B018
    return rt


def seed_events(rt, count: int) -> None:
    from parcelguard.audit.service import Actor, Entry, auditor_for

    courier = Actor("P-courier", "courier", "HZ-01")
    entries = [
        Entry("reveal", "shipment", "SF1", decision="allow", purpose="delivery"),
        Entry("session.sign_in", "principal", courier.id, decision="allow"),
        Entry("reveal", "shipment", "SF2", decision="deny", reason="not_assigned"),
    ]
    done = 0
    while done < count:
        with rt.db.session() as session:
            n = min(1000, count - done)
            auditor_for(rt).record_many(session, courier, [entries[i % 3] for i in range(n)])
            done += n


def bench_siem(events: int, tmp: Path) -> dict[str, float]:
    from sqlalchemy import select
    from tests.siem.rsyslog import receiver

    from parcelguard.audit.models import AuditEvent
    from parcelguard.siem import service
    from parcelguard.siem.config import Destination, SiemConfig

    rt = runtime(tmp / "siem")
    seed_events(rt, events)
    started = time.perf_counter()
    with rt.db.read_session() as session, (tmp / "raw.jsonl").open("w") as out:
        for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
            out.write(json.dumps({"seq": e.seq, "action": e.action, "details": e.details}) + "\n")
    baseline = events / (time.perf_counter() - started)
    file_dest = Destination(name="file", kind="file", path=tmp / "ocsf.jsonl")
    rsyslog = receiver(tmp / "rsyslog")
    rsyslog.start()
    try:
        tls_dest = Destination(
            name="tls",
            kind="syslog",
            host="127.0.0.1",
            port=rsyslog.port,
            ca_file=rsyslog.ca,
            server_name="localhost",
        )
        rt.settings.sections["siem"] = SiemConfig(
            enabled=True, batch_size=500, destinations=[file_dest, tls_dest]
        ).model_dump(mode="json")
        started = time.perf_counter()
        assert service.export(rt, file_dest).sent == events
        to_file = events / (time.perf_counter() - started)
        started = time.perf_counter()
        assert service.export(rt, tls_dest).sent == events
        to_tls = events / (time.perf_counter() - started)
    finally:
        rsyslog.stop()
    received = len(rsyslog.lines())
    rt.close()
    return {"baseline": baseline, "file": to_file, "tls": to_tls, "received": received}


def bench_hsm(keys: int, tmp: Path) -> dict[str, float]:
    conf = tmp / "softhsm2.conf"
    (tmp / "tokens").mkdir()
    conf.write_text(f"directories.tokendir = {tmp / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    os.environ["PARCELGUARD_PKCS11_PIN"] = "bench-pin-1234"
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "bench",
            "--so-pin",
            "bench-so-1234",
            "--pin",
            "bench-pin-1234",
        ],
        check=True,
        capture_output=True,
    )
    from datetime import date

    from parcelguard.crypto import Keyring
    from parcelguard.crypto.pkcs11_kms import Pkcs11Config, Pkcs11Kms

    rates = {}
    for name, provider in (
        ("local", None),
        ("pkcs11", lambda _s: Pkcs11Kms(Pkcs11Config(token_label="bench"))),  # noqa: S106
    ):
        home = tmp / name
        home.mkdir(mode=0o700)
        keyring = Keyring.create(home / "keyring.json", provider=provider)
        started = time.perf_counter()
        for i in range(keys):
            aad = f"t\x1f{i}".encode()
            wrapped = keyring.wrap_data_key(os.urandom(32), date(2027, 1, 1), aad)
            keyring.unwrap_data_key(wrapped, aad)
        rates[name] = keys / (time.perf_counter() - started)
    return rates


def bench_metrics(events: int, tmp: Path) -> dict[str, float]:
    from prometheus_client import generate_latest

    from parcelguard.metrics.api import registry_for

    rt = runtime(tmp / "metrics")
    seed_events(rt, events)
    registry = registry_for(rt)
    started = time.perf_counter()
    generate_latest(registry)
    first = time.perf_counter() - started
    seed_events(rt, 100)
    started = time.perf_counter()
    generate_latest(registry)
    later = time.perf_counter() - started
    rt.close()
    return {"first_ms": first * 1000, "later_ms": later * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--keys", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        siem = bench_siem(args.events, tmp)
        hsm = bench_hsm(args.keys, tmp)
        metrics = bench_metrics(args.events, tmp)
    lines = [
        "## Enterprise integrations",
        "",
        f"{args.events:,} audit events, {args.keys:,} data keys; SQLite, one process.",
        "",
        "| measure | figure | baseline | ratio |",
        "| --- | --- | --- | --- |",
        f"| SIEM export, OCSF to a JSON-lines file (events/s) | {siem['file']:,.0f} | raw JSON lines {siem['baseline']:,.0f} | {siem['file'] / siem['baseline']:.2f} |",
        f"| SIEM export, OCSF over syslog/TLS to rsyslog, confirmed batches of 500 (events/s) | {siem['tls']:,.0f} | raw JSON lines {siem['baseline']:,.0f} | {siem['tls'] / siem['baseline']:.2f} |",
        f"| data-key wrap+unwrap in SoftHSM2 (pairs/s) | {hsm['pkcs11']:,.0f} | local file keyring {hsm['local']:,.0f} | {hsm['pkcs11'] / hsm['local']:.2f} |",
        f"| metrics scrape after {args.events:,} events, first / next (ms) | {metrics['first_ms']:,.0f} / {metrics['later_ms']:,.1f} | — | {metrics['later_ms'] / metrics['first_ms']:.3f} |",
        "",
        f"rsyslog wrote {siem['received']:,} lines for {args.events:,} events.",
    ]
    text = "\n".join(lines)
    print(text)
    write_fragment("enterprise", text)


if __name__ == "__main__":
    main()

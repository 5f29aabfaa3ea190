"""`parcelguard serve --workers 2` on PostgreSQL: concurrent reveals over HTTP, one audit log.

Two uvicorn worker processes answer reveals from eight client threads; afterwards every
reveal is in the log exactly once, the sequence has no gap or fork, and the log verifies.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from parcelguard.access import service as access
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit import service as audit
from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import SYSTEM
from parcelguard.runtime import Runtime
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Faker
from tests.conftest import make_settings

PARCELS = 40
THREADS = 8
PER_THREAD = 15
SERVE = [sys.executable, "-c", "from parcelguard.cli import main; main()", "serve"]
SRC = str(Path(__file__).resolve().parent.parent / "src")
CONFIG = """
[doctor]
interval_minutes = 0

[monitor]
consumer = "external"

[ratelimit.limits]
reveal = { limit = 100000, window = 60 }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(home: Path, url: str) -> tuple[str, dict[str, str]]:
    (home / "config.toml").write_text(CONFIG, encoding="utf-8")
    rt = Runtime.from_settings(make_settings(home, url))
    rows = list(Faker(31).rows(PARCELS, prefix="WK"))
    import_shipments(rt, SYSTEM, (RawRow(i + 2, r) for i, r in enumerate(rows)))
    with rt.db.session() as session:
        _, key = access.create(
            rt,
            session,
            SYSTEM,
            NewPrincipal(name="workers", role="service", scopes=["reveal:recipient.address"]),
        )
    rt.close()
    return key, {r["waybill_no"]: r["recipient_address"] for r in rows}


def _worker_pids(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == parent:
                found.add(int(entry.name))
    return found


def start_workers(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Start `serve --workers 2` in its own process group; return it once both answer."""
    server = subprocess.Popen(
        [*SERVE, "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        assert len(_worker_pids(server.pid)) >= 2
    except BaseException:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        raise
    return server


@pytest.mark.postgres
def test_two_workers_answer_concurrent_reveals_into_one_unforked_audit_log(
    home: Path, pg_database: str
) -> None:
    from tests.conftest import _truncate

    _truncate(pg_database)
    key, addresses = _seed(home, pg_database)
    with Runtime.from_settings(make_settings(home, pg_database)).db.read_session() as session:
        before = int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    port = _free_port()
    env = {
        **os.environ,
        "PARCELGUARD_HOME": str(home),
        "PARCELGUARD_DATABASE_URL": pg_database,
        "PARCELGUARD_TENANT": "t1",
        "PYTHONPATH": SRC,
    }
    env.pop("PARCELGUARD_REDIS_URL", None)
    env.pop("PARCELGUARD_NATS_URL", None)
    server = start_workers(env, port)
    base = f"http://127.0.0.1:{port}"
    waybills = sorted(addresses)
    try:

        def reveal_many(n: int) -> list[bool]:
            right = []
            with httpx.Client(base_url=base, timeout=30) as client:
                for i in range(PER_THREAD):
                    waybill = waybills[(n * PER_THREAD + i) % len(waybills)]
                    answer = client.post(
                        f"/api/v1/shipments/{waybill}/reveal",
                        json={"fields": ["recipient.address"], "purpose": "delivery"},
                        headers={"Authorization": f"Bearer {key}"},
                    )
                    right.append(
                        answer.status_code == 200
                        and answer.json()["fields"]["recipient.address"] == addresses[waybill]
                    )
            return right

        with ThreadPoolExecutor(THREADS) as pool:
            answers = [ok for batch in pool.map(reveal_many, range(THREADS)) for ok in batch]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    assert answers == [True] * (THREADS * PER_THREAD)

    rt = Runtime.from_settings(make_settings(home, pg_database))
    try:
        with rt.db.read_session() as session:
            seqs = list(session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
            reveals = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "reveal", AuditEvent.seq > before)
            )
        assert reveals == THREADS * PER_THREAD
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap, no fork
        result = audit.verify(rt)
        assert result.ok, result.reason
    finally:
        rt.close()


def test_several_workers_on_sqlite_are_refused(home: Path) -> None:
    env = {**os.environ, "PARCELGUARD_HOME": str(home), "PYTHONPATH": SRC}
    env.pop("PARCELGUARD_DATABASE_URL", None)
    done = subprocess.run(
        [*SERVE, "--workers", "2", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "PostgreSQL" in done.stderr + done.stdout

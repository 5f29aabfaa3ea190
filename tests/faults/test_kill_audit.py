"""kill -9 while several processes append to the audit chain: it still verifies, and grows on."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.faults.conftest import make_home

APPEND = """
import itertools, sys
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
rt = Runtime.from_settings(Settings.load())
actor = Actor("writer-" + sys.argv[1], "courier")
for i in itertools.count():
    batch = [Entry("reveal", "shipment", f"s{i}", details={"k": k}) for k in range(1 + i % 3)]
    with rt.db.session() as session:
        auditor_for(rt).record_many(session, actor, batch)
    if len(sys.argv) > 2 and i >= int(sys.argv[2]):
        break
"""


def test_killed_appenders_leave_a_chain_that_verifies(
    backend: str, database_url: str, tmp_path: Path
) -> None:
    extra = {"PARCELGUARD_AUDIT_CHECKPOINT_EVERY": "7"}
    if backend == "postgresql":
        extra["PARCELGUARD_DATABASE_URL"] = database_url
    home = make_home(tmp_path, **extra)
    home.run("init")
    engine = create_engine(database_url)

    def head() -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(text("SELECT coalesce(max(seq), 0) FROM audit_events")).scalar() or 0
            )

    writers = [
        subprocess.Popen([sys.executable, "-c", APPEND, str(i)], env=home.env) for i in range(3)
    ]
    try:
        rng = random.Random()
        for writer, threshold in zip(writers, sorted(rng.sample(range(60, 400), 3)), strict=True):
            deadline = time.monotonic() + 120
            while head() < threshold and time.monotonic() < deadline:
                time.sleep(0.005)
            writer.kill()  # SIGKILL, somewhere inside or between transactions
            writer.wait()
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    code, verified = home.run("audit", "verify", check=False)
    assert code == 0 and verified["ok"], verified
    assert verified["events"] == head() > 0

    restarted = subprocess.run(
        [sys.executable, "-c", APPEND, "after", "20"], env=home.env, timeout=120, check=True
    )
    assert restarted.returncode == 0
    code, again = home.run("audit", "verify", check=False)
    assert code == 0 and again["ok"] and again["events"] > verified["events"]
    engine.dispose()

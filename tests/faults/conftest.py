"""Fault tests: the real CLI in a subprocess, killed with SIGKILL at a random point of its work."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from parcelguard.clock import CHINA
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv

ROWS = 10_000
BATCH = 250
CLI = "from parcelguard.cli import main; main()"


@dataclass
class Home:
    """A PARCELGUARD_HOME with its own TMPDIR, and the environment of its subprocesses."""

    path: Path
    tmp: Path
    extra: dict[str, str]

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELGUARD_")}
        env.update(PARCELGUARD_HOME=str(self.path), TMPDIR=str(self.tmp), **self.extra)
        return env

    @property
    def db(self) -> Path:
        return self.path / "parcelguard.db"

    def run(self, *args: str, check: bool = True) -> tuple[int, dict]:
        """Run `parcelguard ARGS --json` to the end; return the exit code and the JSON."""
        done = subprocess.run(
            [sys.executable, "-c", CLI, *args, "--json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check:
            assert done.returncode in (0, 3), done.stderr[-2000:]
        return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """Start `parcelguard ARGS` in the background."""
        return subprocess.Popen(
            [sys.executable, "-c", CLI, *args, "--json"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def keyring(self) -> dict:
        """Return the keyring file's public shape: KEK versions and epoch days (no key bytes)."""
        data = json.loads((self.path / "keyring.json").read_text())
        return {
            "active": int(data["active_kek"]),
            "versions": sorted(int(v) for v in data["keks"]),
            "epochs": len(data.get("epochs", {})),
            "destroyed_epochs": len(data.get("destroyed_epochs", {})),
        }

    def scalar(self, sql: str) -> int:
        """Read one number from the SQLite file (read-only, never blocking the writer)."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            return int(conn.execute(sql).fetchone()[0] or 0)
        except sqlite3.OperationalError:
            return 0  # not created yet
        finally:
            conn.close()


def make_home(root: Path, **extra: str) -> Home:
    (root / "home").mkdir(mode=0o700, parents=True, exist_ok=True)
    (root / "tmp").mkdir(exist_ok=True)
    return Home(root / "home", root / "tmp", {"PARCELGUARD_TENANT": "default", **extra})


def kill_when(
    proc: subprocess.Popen[bytes], ready: Callable[[], bool], *, timeout: float = 120
) -> bool:
    """SIGKILL the process as soon as `ready()`; return False if it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    raise AssertionError("the work never reached the kill point")


def kill_point(total: int, low: float = 0.1, high: float = 0.7) -> int:
    """Return a random threshold between `low` and `high` of the work (seeded per run)."""
    seed = int(os.environ.get("FAULT_SEED", random.randrange(1 << 30)))
    print(f"FAULT_SEED={seed}")
    return int(total * random.Random(seed).uniform(low, high))


def shipment_rows(count: int = ROWS) -> list[dict[str, str]]:
    """Fictional rows created over the last fortnight (so they spread over retention days)."""
    start = datetime.now(CHINA).replace(microsecond=0) - timedelta(days=15)
    return list(Faker(7).rows(count, start=start))


def leftovers(folders: Iterable[Path], needles: list[bytes]) -> list[str]:
    """Return the files under `folders` holding any plaintext needle."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                if any(n in data for n in needles):
                    found.append(str(path))
    return found


def needles(rows: list[dict[str, str]], sample: int = 60) -> list[bytes]:
    """Plaintext values of the file that must never sit in a file we leave behind."""
    picked = random.Random(1).sample(rows, min(sample, len(rows)))
    out: list[bytes] = []
    for row in picked:
        for field in ("recipient_phone", "sender_phone", "recipient_address", "recipient_name"):
            if len(row[field]) >= 3:
                out.append(row[field].encode())
    return out


@pytest.fixture(scope="session")
def imported_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Home, list[dict]]:
    """A home with the imported parcels, copied by each test that needs one."""
    root = tmp_path_factory.mktemp("template")
    home = make_home(root, PARCELGUARD_IMPORT_BATCH_SIZE=str(BATCH))
    rows = shipment_rows()
    code, report = home.run("import", str(write_csv(root / "s.csv", rows)))
    assert code == 0 and report["imported"] == ROWS
    return home, rows


@pytest.fixture
def imported(imported_template, tmp_path: Path) -> tuple[Home, list[dict]]:
    """A private copy of the imported home."""
    template, rows = imported_template
    home = make_home(tmp_path, **template.extra)
    shutil.rmtree(home.path)
    shutil.copytree(template.path, home.path)
    return home, rows

"""Shared fixtures: a runtime on SQLite and on a real PostgreSQL, a fixed clock, the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from parcelguard.audit.bus import InProcessBus, attach
from parcelguard.clock import CHINA, FixedClock
from parcelguard.db import Database
from parcelguard.migrations import upgrade
from parcelguard.migrations.all_models import metadata
from parcelguard.ratelimit import MemoryWindows, RateLimiter, RedisWindows
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings

PG_ADMIN = os.environ.get("PARCELGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PARCELGUARD_TEST_REDIS", "redis://127.0.0.1:6379/0")
START = datetime(2026, 11, 2, 9, 0, tzinfo=CHINA)
_template: dict[str, Path] = {}


# Test families kept together: every test in the folder gets the mark (`-m faults`,
# `-m browser`) and the xdist group, so `pytest -n 2 --dist loadgroup` runs each family on
# one worker, one test at a time, while the other worker runs the rest. Fault tests kill
# subprocesses that saturate a core, restart a private PostgreSQL or cut NATS; browser tests
# drive a Chromium with a live server. Two of either at once on two cores starve each other.
FAMILIES = {"faults": "faults", "browser": "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark and group the tests of each family by the folder they live in."""
    for item in items:
        family = FAMILIES.get(item.path.parent.name)
        if family is not None and item.path.parent.parent.name == "tests":
            item.add_marker(getattr(pytest.mark, family))
            item.add_marker(pytest.mark.xdist_group(family))


def _database_name() -> str:
    # One database per test process: parallel runs (xdist workers, several checkouts) never
    # share or drop each other's database.
    return f"pg_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def pg_url() -> str:
    """Return the SQLAlchemy URL of this process's PostgreSQL test database."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{_database_name()}"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """Create and migrate this process's PostgreSQL database; drop it at the end."""
    name = _database_name()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_url()
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if "sqlite" not in _template:
        path = tmp_path_factory.mktemp("template") / "parcelguard.db"
        db = Database(f"sqlite:///{path}")
        upgrade(db.engine)
        db.dispose()  # closing the last connection checkpoints the WAL into the file
        _template["sqlite"] = path
    return _template["sqlite"]


def _truncate(url: str) -> None:
    db = Database(url, pool=False)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test on the embedded SQLite default and on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """Return a fresh PARCELGUARD_HOME."""
    path = tmp_path / "home"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def clock() -> FixedClock:
    """Return a clock fixed at a Monday morning in November 2026 (China time)."""
    return FixedClock(START)


@pytest.fixture
def database_url(
    backend: str,
    home: Path,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """Return a migrated, empty database of the chosen backend."""
    if backend == "postgresql":
        url = request.getfixturevalue("pg_database")
        _truncate(url)
        return url
    target = home / "parcelguard.db"
    shutil.copy(_sqlite_template(tmp_path_factory), target)
    os.chmod(target, 0o600)
    return f"sqlite:///{target}"


def make_settings(home: Path, database_url: str | None, **overrides: Any) -> Settings:
    """Return settings for a test home, never reading the developer's environment."""
    return Settings.load(home=home, database_url=database_url, tenant="t1", **overrides)


@pytest.fixture
def settings(home: Path, database_url: str) -> Settings:
    """Return the test settings."""
    return make_settings(home, database_url)


@pytest.fixture
def bus() -> Iterator[InProcessBus]:
    """Return an in-process bus that the test can subscribe to."""
    bus = InProcessBus()
    yield bus
    bus.close()


@pytest.fixture
def rt(settings: Settings, clock: FixedClock, bus: InProcessBus) -> Iterator[Runtime]:
    """Return a ready runtime (schema migrated, keyring created) on the chosen backend."""
    runtime = Runtime.from_settings(settings, clock=clock, publisher=bus)
    attach(runtime)
    runtime.keyring  # noqa: B018
    yield runtime
    runtime.close()


@pytest.fixture
def redis_windows() -> Iterator[Callable[..., RedisWindows]]:
    """Return a maker of Redis storages under this test's own key prefix (deleted after).

    Redis is a service of the machine and of CI (.ci/services.sh): a test that needs it fails
    when it is down, it never skips.
    """
    prefix = f"pgtest-{uuid.uuid4().hex[:12]}"
    made: list[RedisWindows] = []

    def make(clock: Callable[[], float] = time.time) -> RedisWindows:
        storage = RedisWindows(REDIS_URL, clock, prefix=prefix)
        made.append(storage)
        return storage

    probe = make()
    try:
        probe.storage.ping()
    except Exception as exc:  # any failure means the service is missing
        pytest.fail(f"Redis is not answering at {REDIS_URL} ({type(exc).__name__})")
    yield make
    keys = list(probe.storage.scan_iter(match=f"{prefix}:*"))
    if keys:
        probe.storage.delete(*keys)
    for storage in made:
        storage.storage.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def limits_storage(request: pytest.FixtureRequest, rt: Runtime) -> str:
    """Run the test with the runtime's limits in memory, then shared through Redis."""

    def clock() -> float:
        return rt.clock.now().timestamp()

    if request.param == "redis":
        maker = request.getfixturevalue("redis_windows")
        rt.limiter = RateLimiter(maker(clock))
    else:
        rt.limiter = RateLimiter(MemoryWindows(clock))
    return str(request.param)


@dataclass
class CliResult:
    """What a CLI run gave back."""

    code: int
    stdout: str

    @property
    def json(self) -> Any:
        """Return stdout parsed as the one JSON document."""
        return json.loads(self.stdout)


@pytest.fixture
def cli(rt: Runtime) -> Callable[..., CliResult]:
    """Run `parcelguard ARGS…` in-process against the test runtime."""
    from parcelguard.cli import run

    def invoke(*args: str) -> CliResult:
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            code = run(list(args), make_runtime=lambda: rt)
        return CliResult(code, buffer.getvalue())

    return invoke


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    encoding: str = "utf-8",
    headers: list[str] | None = None,
) -> Path:
    """Write rows as a CSV file with the given header names (default: the field names)."""
    fields = list(rows[0].keys()) if rows else []
    names = headers or fields
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for row in rows:
            writer.writerow([row.get(f, "") for f in fields])
    return path

"""PostgreSQL restarted under load: requests fail cleanly (503, our error body) and recover.

The server restarted is a private PostgreSQL cluster made for this test (`pg_createcluster`
on a free port, dropped at the end), so the tests running beside it on the shared server are
not disturbed. The engine's `pool_pre_ping` replaces the connections the restart killed, so
the app recovers without being restarted itself.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv
from tests.faults.conftest import make_home

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SERVE = (
    "import sys, uvicorn; from parcelguard.app import create_app; "
    "uvicorn.run(create_app(), host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cluster() -> Iterator[tuple[str, str, str]]:
    """Make and start a private PostgreSQL cluster; yield (version, name, URL); drop it."""
    if shutil.which("pg_createcluster") is None:
        pytest.skip("needs Debian's postgresql-common (pg_createcluster)")
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    name, port = f"pgfault{os.getpid()}", free_port()
    trust = ["--auth-host=trust", "--auth-local=trust"]  # a throwaway cluster on loopback
    subprocess.run(
        ["pg_createcluster", version, name, "-p", str(port), "--", *trust],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        ctl(version, name, "start")
        yield version, name, f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], check=False, timeout=120)


def ctl(version: str, name: str, action: str) -> None:
    """Start or restart a cluster and wait until it accepts connections."""
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        timeout=120,
        capture_output=True,
    )


def test_requests_fail_cleanly_while_postgresql_restarts_then_recover(
    cluster: tuple[str, str, str], tmp_path: Path
) -> None:
    version, name, url = cluster
    home = make_home(tmp_path, PARCELGUARD_DATABASE_URL=url)
    rows = list(Faker(31).rows(20))
    home.run("import", str(write_csv(tmp_path / "s.csv", rows)))
    _, admin = home.run("users", "add", "--name", "王管理", "--role", "admin")
    headers = {"Authorization": f"Bearer {admin['api_key']}"}
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], env=home.env)
    base = f"http://127.0.0.1:{port}"
    results: list[tuple[float, int, str]] = []
    stop = threading.Event()

    def load(worker: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            i = 0
            while not stop.is_set():
                path = (
                    "/healthz"
                    if i % 2
                    else f"/api/v1/shipments/{rows[(worker + i) % 20]['waybill_no']}"
                )
                answer = client.get(path, headers=headers)
                results.append((time.monotonic(), answer.status_code, answer.text))
                i += 1

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        threads = [threading.Thread(target=load, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        time.sleep(2)
        ctl(version, name, "restart")  # pg_ctlcluster waits until it accepts connections
        back = time.monotonic()
        time.sleep(8)
        stop.set()
        for t in threads:
            t.join(30)
        assert server.poll() is None, "the app must survive without a restart"
    finally:
        stop.set()
        server.terminate()
        server.wait(30)

    statuses = {status for _, status, _ in results}
    assert statuses <= {200, 500, 503}, statuses
    for _, status, body in results:
        assert "Traceback" not in body and "psycopg" not in body
        if status != 200:
            assert '"error"' in body and (
                '"database_unavailable"' in body or '"internal_error"' in body
            )
    late = [status for at, status, _ in results if at > back + 3]
    assert late and set(late) == {200}, f"not recovered: {sorted(set(late))}"
    failed = sum(1 for _, status, _ in results if status != 200)
    print(f"{len(results)} requests, {failed} failed cleanly during the restart")

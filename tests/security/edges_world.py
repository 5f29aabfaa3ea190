"""What the edge attack tests share: staff made through the real service, and the real server.

`served(rt)` starts `parcelguard serve` in its own process on the test's home and database
(SQLite or PostgreSQL through the `backend` fixture), exactly as an operator would, and hands
back what it printed, so the access log and the tracebacks are read as an operator reads them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from parcelguard.access import service as access_service
from parcelguard.access.schemas import NewPrincipal
from parcelguard.runtime import Runtime
from parcelguard.terminal import local_operator

PII_PHONE = "13912345678"  # what a careless echo or log line would leak
PII_ID = "11010519491231002X"
BAD_KEY = "pg_0123abcd_notTheRightSecretAtAll000000000000000000000"


def staff(rt: Runtime, role: str, **extra: object) -> tuple[str, str]:
    """Create a trained member of staff (or a service); return (principal id, API key)."""
    values: dict[str, object] = {"name": f"测试{role}", "role": role}
    if role != "service":
        values["trained_until"] = date(2027, 12, 31)
    values.update(extra)
    with rt.db.session() as session:
        principal, key = access_service.create(
            rt, session, local_operator(), NewPrincipal.model_validate(values)
        )
        return principal.principal_id, key


def bearer(key: str) -> dict[str, str]:
    """Return the Authorization header of a key."""
    return {"Authorization": f"Bearer {key}"}


def free_port() -> int:
    """Return a free port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """A running `parcelguard serve` and, once it stopped, everything it printed."""

    url: str
    out: Path
    err: Path
    log: str = field(default="")

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        """GET a path of the server."""
        return httpx.get(self.url + path, timeout=60, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        """POST to a path of the server."""
        return httpx.post(self.url + path, timeout=60, **kwargs)  # type: ignore[arg-type]


@contextmanager
def served(rt: Runtime, folder: Path, config: str = "") -> Iterator[Served]:
    """Run `parcelguard serve` on the runtime's home and database until the block ends."""
    port = free_port()
    home = rt.settings.home
    if config:
        (home / "config.toml").write_text(config, encoding="utf-8")
    env = {
        **os.environ,
        "PARCELGUARD_HOME": str(home),
        "PARCELGUARD_TENANT": rt.tenant,
        "PARCELGUARD_BASE_URL": f"http://localhost:{port}",
    }
    env.pop("PARCELGUARD_DATABASE_URL", None)
    if rt.settings.database_url:
        env["PARCELGUARD_DATABASE_URL"] = rt.settings.database_url
    env.pop("FORWARDED_ALLOW_IPS", None)  # uvicorn's own default is what an operator gets
    server = Served(f"http://127.0.0.1:{port}", folder / "serve.out", folder / "serve.err")
    command = [sys.executable, "-c", "from parcelguard.cli import main; main()"]
    with server.out.open("wb") as out, server.err.open("wb") as err:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port)], env=env, stdout=out, stderr=err
        )
        try:
            _wait_until_up(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
    server.log = server.out.read_text("utf-8", "replace") + server.err.read_text("utf-8", "replace")


def _wait_until_up(server: Served, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(server.err.read_text("utf-8", "replace")[-2000:])
        try:
            if server.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not start")

"""Where a reveal's CPU goes: ParcelGuard's layers measured one by one beside the lean app.

`bench/http_wrk.py` gives the ratio under wrk; this says what the ratio is made of. Each figure
is this process's CPU time (every thread: the in-process monitor's too) per call, over the
same waybills, each variant in a fresh interpreter on its own seeded home (SQLite, WAL):

* lean app, whole request: `bench/lean_app.py`'s reveal called as ASGI (no uvicorn, no socket);
* ParcelGuard, whole request: `POST /api/v1/shipments/{wb}/reveal` called as ASGI, the app
  running (lifespan: the monitor consuming in-process, as the default deployment), then the
  same with `[monitor] consumer = "off"`;
* the layers, called directly: API-key authentication; the reveal use case with the caller
  already known (policy, quota, reads, audit append, open, commit, publish); one audit append
  in its own write transaction; an empty write transaction (`BEGIN IMMEDIATE`, `SELECT 1`,
  `COMMIT`); opening one sealed field (key unwrap and AES-GCM) outside any transaction.

    python bench/reveal_parts.py [--parcels 2000] [--calls 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import run_child, write_fragment

HERE = Path(__file__).resolve().parent
BODY = json.dumps({"fields": ["recipient.address"], "purpose": "delivery"}).encode()


def cpu_us(calls: int, one: Callable[[int], Any]) -> float:
    """Return the CPU µs per call of `one(i)` over `calls` calls (after a warm-up)."""

    async def call(i: int) -> None:
        one(i)

    return cpu_us_async(calls, call)


def cpu_us_async(
    calls: int,
    one: Callable[[int], Awaitable[Any]],
    settle: Callable[[], Any] = lambda: None,
    around: Callable[[], AbstractAsyncContextManager[Any]] = nullcontext,
) -> float:
    """Return the CPU µs per awaited `one(i)`, every call inside one task (as a server's loop
    runs them), after a warm-up; `settle` waits for work the calls handed to other threads."""

    async def run() -> float:
        async with around():
            for i in range(min(200, calls)):
                await one(i)
            settle()
            start = time.process_time()
            for i in range(calls):
                await one(i)
            settle()
            return (time.process_time() - start) / calls * 1e6

    return asyncio.run(run())


def asgi_post(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> Awaitable[int]:
    """Call `app` with one POST of BODY; return the answer's status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(BODY)).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }

    async def call() -> int:
        sent: list[dict[str, Any]] = []
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                await asyncio.sleep(3600)
            delivered = True
            return {"type": "http.request", "body": BODY, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return int(sent[0]["status"])

    return call()


def part_lean(tmp: Path, parcels: int, calls: int) -> dict[str, float]:
    db, keys = tmp / "lean.db", tmp / "lean.json"
    subprocess.run(
        [sys.executable, str(HERE / "lean_app.py"), "seed", str(db), str(parcels), str(keys)],
        check=True,
    )
    from bench import lean_app

    app = lean_app.build(str(db), str(keys))
    secret = json.loads(keys.read_text(encoding="utf-8"))
    waybills, auth = secret["waybills"], [(b"authorization", f"Bearer {secret['bearer']}".encode())]

    async def one(i: int) -> None:
        status = await asgi_post(app, f"/reveal/{waybills[i % len(waybills)]}", auth)
        assert status == 200, status

    return {"lean_request": cpu_us_async(calls, one)}


def _home(tmp: Path, parcels: int, monitor: bool) -> dict[str, Any]:
    from bench import load

    home = tmp / "home"
    data = load.seed(home, parcels, None)
    if not monitor:
        with (home / "config.toml").open("a", encoding="utf-8") as config:
            config.write('\n[monitor]\nconsumer = "off"\n')
    os.environ["PARCELGUARD_HOME"] = str(home)
    return data


def part_app(tmp: Path, parcels: int, calls: int, monitor: bool) -> dict[str, float]:
    data = _home(tmp, parcels, monitor)
    from parcelguard.app import create_app

    app = create_app()
    rt = app.state.runtime
    waybills = sorted(data["addresses"])
    auth = [(b"authorization", f"Bearer {data['key']}".encode())]

    async def one(i: int) -> None:
        path = f"/api/v1/shipments/{waybills[i % len(waybills)]}/reveal"
        status = await asgi_post(app, path, auth)
        assert status == 200, status

    def settle() -> None:  # the monitor's work for these reveals counts too
        drain = getattr(rt.publisher, "drain", None)
        if drain is not None:
            drain(60)

    # lifespan: the monitor consumes in-process, as when served
    figure = cpu_us_async(calls, one, settle, around=lambda: app.router.lifespan_context(app))
    return {"request" if monitor else "request_no_monitor": figure}


def part_layers(tmp: Path, parcels: int, calls: int) -> dict[str, float]:
    data = _home(tmp, parcels, monitor=False)
    from fastapi.security import HTTPAuthorizationCredentials
    from sqlalchemy import text
    from starlette.requests import Request

    from parcelguard.app import create_app
    from parcelguard.audit.service import Entry, auditor_for
    from parcelguard.vault import reveal as reveal_case
    from parcelguard.vault.service import get, open_fields, parties_of
    from parcelguard.web.deps import get_caller

    app = create_app()
    rt = app.state.runtime
    waybills = sorted(data["addresses"])
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/shipments/x/reveal",
        "headers": [(b"authorization", f"Bearer {data['key']}".encode())],
        "app": app,
        "client": ("127.0.0.1", 50000),
        "query_string": b"",
        "state": {},
    }
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=data["key"])

    def authenticate(_i: int) -> Any:
        return get_caller(Request({**scope, "state": {}}), credentials)

    caller = authenticate(0)

    def use_case(i: int) -> None:
        wb = waybills[i % len(waybills)]
        reveal_case.reveal(rt, caller, wb, ["recipient.address"], "delivery", None)

    def append(i: int) -> None:
        with rt.db.session() as session:
            entry = Entry("reveal", "shipment", f"s{i}", decision="allow", purpose="delivery")
            auditor_for(rt).record(session, caller.actor, entry)

    def empty(_i: int) -> None:
        with rt.db.session() as session:
            session.execute(text("SELECT 1"))

    figures = {
        "authenticate": cpu_us(calls, authenticate),
        "use_case": cpu_us(calls, use_case),
        "audit_append": cpu_us(calls, append),
        "empty_write": cpu_us(calls, empty),
    }
    with rt.db.read_session() as session:  # the records stay loaded while they are opened
        opened = [
            (s, parties_of(session, s)) for s in (get(session, rt.tenant, w) for w in waybills)
        ]

        def open_one(i: int) -> None:
            shipment, parties = opened[i % len(opened)]
            open_fields(rt, session, shipment, [("recipient", "address")], parties)  # type: ignore[arg-type]

        figures["open_field"] = cpu_us(calls, open_one)
    return figures


PARTS: dict[str, Callable[[Path, int, int], dict[str, float]]] = {
    "lean": part_lean,
    "app": lambda tmp, parcels, calls: part_app(tmp, parcels, calls, monitor=True),
    "app_no_monitor": lambda tmp, parcels, calls: part_app(tmp, parcels, calls, monitor=False),
    "layers": part_layers,
}

ROWS = [
    (
        "lean_request",
        "lean app: the whole reveal request (bearer, select, AES-GCM, MAC'd audit row, commit)",
    ),
    ("request", "ParcelGuard: the whole reveal request, the monitor in-process"),
    ("request_no_monitor", "ParcelGuard: the whole reveal request, the monitor off"),
    ("authenticate", "· API-key authentication (one SELECT, key hash, checks)"),
    (
        "use_case",
        "· the reveal use case, caller known (policy, quota, reads, audit, open, commit, publish)",
    ),
    ("audit_append", "· · one audit append in its own write transaction (Merkle leaf, MAC, head)"),
    ("empty_write", "· · an empty write transaction (BEGIN IMMEDIATE, SELECT 1, COMMIT, session)"),
    ("open_field", "· · opening one sealed field (unwrap the data key, AES-GCM)"),
]


def fragment(figures: dict[str, float], parcels: int, calls: int) -> str:
    lean = figures["lean_request"]
    whole = figures["request"]
    lines = [
        "## Where a reveal's CPU goes (`bench/reveal_parts.py`)",
        "",
        f"{calls:,} calls per row on {parcels:,} parcels, SQLite (WAL), one process per variant; "
        "CPU µs per call of the whole process (every thread, the in-process monitor's too), "
        "called in-process (no uvicorn, no socket: `bench/http_wrk.py` adds HTTP parsing and "
        "wrk's view). Layers (·) are each measured alone, so they overlap and do not add up.",
        "",
        "| what | CPU µs per call | × lean request | share of ParcelGuard's request |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, label in ROWS:
        value = figures[key]
        lines.append(f"| {label} | {value:,.0f} | {value / lean:.1f} | {value / whole:.0%} |")
    monitor = whole - figures["request_no_monitor"]
    outside = figures["request_no_monitor"] - figures["use_case"] - figures["authenticate"]
    lines += [
        "",
        f"Read: the monitor costs {monitor:,.0f} µs per reveal; HTTP, routing, the `Gate` "
        f"middleware, the body, the thread-pool trip and the answer about {outside:,.0f} µs; "
        "the use case is the rest. The lean app's whole request costs about what ParcelGuard's "
        "audit append alone does.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=1500)
    parser.add_argument("--part", choices=sorted(PARTS))
    args = parser.parse_args()
    if args.part:
        with tempfile.TemporaryDirectory(prefix="pg-parts-") as tmp:
            print(json.dumps(PARTS[args.part](Path(tmp), args.parcels, args.calls)))
        return
    figures: dict[str, float] = {}
    for part in PARTS:
        figures |= run_child(
            [__file__, "--part", part, "--parcels", str(args.parcels), "--calls", str(args.calls)]
        )
        print(part, figures, flush=True)
    path = write_fragment("reveal_parts", fragment(figures, args.parcels, args.calls))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

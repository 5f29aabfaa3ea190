"""A witness on another "machine": a real `witness serve` HTTP server in its own folder.
Appends never fail while it is down; its cosignatures arrive once it is back; verify asks it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from parcelguard.audit import service as audit
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.runtime import Runtime
from parcelguard.witness.api import create_witness_app
from parcelguard.witness.service import Witness


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """A witness served by uvicorn on a background thread."""

    def __init__(self, witness: Witness, port: int) -> None:
        config = uvicorn.Config(create_witness_app(witness), port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def remote(rt: Runtime, tmp_path: Path) -> Iterator[tuple[Witness, int]]:
    witness = Witness.init(tmp_path / "elsewhere", "witness.regulator.test/w1")
    witness.trust(audit.log_keys(rt).signer.verifier.vkey())
    port = free_port()
    rt.settings.sections["audit"] = {
        "local_witness": False,
        "witness_timeout_seconds": 1,
        "witnesses": [
            {"name": "regulator", "url": f"http://127.0.0.1:{port}", "public_key": witness.vkey()}
        ],
    }
    yield witness, port


def append(rt: Runtime, n: int) -> None:
    for i in range(n):
        with rt.db.session() as session:
            auditor_for(rt).record(
                session, Actor("c1", "courier"), Entry("reveal", "shipment", f"s{i}")
            )


def witness_check(cli) -> dict:
    checks = cli("doctor", "--json").json["checks"]
    return next(c for c in checks if c["name"] == "audit.witness")


def test_appends_survive_a_down_witness_and_are_cosigned_once_it_is_back(
    cli, rt: Runtime, remote, clock
) -> None:
    witness, port = remote
    append(rt, 3)  # the first append signs a checkpoint; the witness is unreachable
    report = cli("audit", "verify", "--json").json
    assert report["ok"] and report["witnessed_size"] == 0
    assert report["witnesses"] == [{"name": "regulator", "size": None, "status": "unreachable"}]
    clock.advance(minutes=rt.settings.audit_checkpoint_minutes * 3 + 1)
    down = witness_check(cli)
    assert down["status"] == "fail" and "no witness cosigned" in down["detail"]
    with Served(witness, port):
        signed = cli("audit", "checkpoint", "--json").json
        assert signed["signed"] is True
        assert signed["witnesses"] == [{"name": "regulator", "status": "cosigned", "size": 3}]
        report = cli("audit", "verify", "--json").json
        assert report["ok"] and report["witnessed_size"] == 3
        assert report["witnesses"] == [{"name": "regulator", "size": 3, "status": "ok"}]
        assert witness_check(cli)["status"] == "pass"
    assert witness.latest(audit.log_keys(rt).origin).size == 3


def test_the_remote_witness_catches_a_cut_tail(cli, rt: Runtime, remote) -> None:
    witness, port = remote
    with Served(witness, port):
        append(rt, 4)
        assert cli("audit", "checkpoint", "--json").json["witnesses"][0]["status"] == "cosigned"
        from sqlalchemy import text

        with rt.db.session() as s:  # the insider removes the tail and every trace of it
            s.execute(text("DELETE FROM audit_events WHERE seq > 2"))
            s.execute(text("DELETE FROM audit_log_checkpoints WHERE size > 2"))
            s.execute(text("DELETE FROM audit_cosignatures WHERE size > 2"))
        report = cli("audit", "verify", "--json").json
    assert (report["ok"], report["first_bad_seq"]) == (False, 3)
    assert "regulator" in report["reason"]

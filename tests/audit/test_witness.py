"""The witness (c2sp.org/tlog-witness): cosigns only a checkpoint that extends the last one
it saw for that log, refuses everything else with the spec's status codes, over HTTP too."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from parcelguard.clock import FixedClock
from parcelguard.crypto.note import (
    COSIGNATURE_V1,
    NoteSigner,
    NoteVerifier,
    SignatureLine,
    cosignature_time,
    join_note,
    open_note,
)
from parcelguard.tlog.checkpoint import Checkpoint
from parcelguard.tlog.hashing import leaf_hash
from parcelguard.tlog.proof import prove_consistency
from parcelguard.tlog.tree import Frontier, fold, perfect_subtrees
from parcelguard.tlog.witness_request import AddCheckpoint
from parcelguard.witness.api import create_witness_app
from parcelguard.witness.service import Witness

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
LOG = NoteSigner.generate("log.test/audit/t1")


class Log:
    """A log in memory: leaves, roots and signed checkpoints."""

    def __init__(self, prefix: bytes = b"e", signer: NoteSigner = LOG) -> None:
        self.hashes: list[bytes] = []
        self.prefix, self.signer = prefix, signer

    def grow(self, n: int) -> None:
        start = len(self.hashes)
        self.hashes += [leaf_hash(self.prefix + str(i).encode()) for i in range(start, start + n)]

    def root(self, size: int) -> bytes:
        frontier = Frontier()
        for h in self.hashes[:size]:
            frontier.append(h)
        return frontier.root()

    def read(self, subtrees):
        return [self.root_of(level, i) for level, i in subtrees]

    def root_of(self, level: int, index: int) -> bytes:
        frontier = Frontier()
        for h in self.hashes[index << level : (index + 1) << level]:
            frontier.append(h)
        return frontier.root()

    def note(self, size: int, root: bytes | None = None) -> str:
        body = Checkpoint(self.signer.name, size, root or self.root(size)).body()
        return join_note(body, [self.signer.sign(body)])

    def request(self, old: int, size: int, **kw: Any) -> bytes:
        proof = tuple(prove_consistency(old, size, self.read)) if old else ()
        return AddCheckpoint(
            old, kw.get("proof", proof), kw.get("note") or self.note(size)
        ).encode()


@pytest.fixture
def witness(tmp_path: Path) -> Witness:
    made = Witness.init(tmp_path / "w", "witness.test/w1", clock=FixedClock(NOW))
    made.trust(LOG.verifier.vkey())
    return made


def cosigned(witness: Witness, note: str, answer_body: str) -> SignatureLine:
    line = SignatureLine.parse(answer_body.rstrip("\n"))
    body, verified = open_note(
        note.rstrip("\n") + "\n" + answer_body, [NoteVerifier.from_vkey(witness.vkey())]
    )
    assert verified and body
    return line


def test_cosigns_the_first_checkpoint_and_each_extension(witness: Witness) -> None:
    log = Log()
    log.grow(5)
    first = witness.add_checkpoint(log.request(0, 5))
    assert first.status == 200
    line = cosigned(witness, log.note(5), first.body)
    assert cosignature_time(line.signature) == int(NOW.timestamp())
    assert NoteVerifier.from_vkey(witness.vkey()).kind == COSIGNATURE_V1
    log.grow(12)
    assert witness.add_checkpoint(log.request(5, 17)).status == 200
    assert witness.latest(LOG.name).size == 17
    again = witness.add_checkpoint(log.request(17, 17))  # same checkpoint: cosigned again
    assert again.status == 200


def test_a_stale_old_size_gets_409_with_the_size_it_knows(witness: Witness) -> None:
    log = Log()
    log.grow(9)
    assert witness.add_checkpoint(log.request(0, 4)).status == 200
    answer = witness.add_checkpoint(log.request(0, 9))
    assert (answer.status, answer.body, answer.content_type) == (409, "4\n", "text/x.tlog.size")
    assert witness.add_checkpoint(log.request(4, 9)).status == 200


def test_a_fork_is_refused_and_kept_as_evidence(witness: Witness) -> None:
    honest, forked = Log(), Log(prefix=b"e")
    honest.grow(6)
    forked.grow(6)
    forked.hashes[2] = leaf_hash(b"rewritten")
    forked.grow(4)
    assert witness.add_checkpoint(honest.request(0, 6)).status == 200
    proof = tuple(prove_consistency(6, 10, forked.read))
    answer = witness.add_checkpoint(AddCheckpoint(6, proof, forked.note(10)).encode())
    assert answer.status == 422
    same_size = witness.add_checkpoint(AddCheckpoint(6, (), forked.note(6)).encode())
    assert same_size.status == 409
    assert witness.latest(LOG.name).size == 6
    with witness.store.connect() as conn:
        kept = conn.execute("SELECT status FROM evidence ORDER BY id").fetchall()
    assert [s for (s,) in kept] == [422, 409]


def test_a_truncated_log_cannot_roll_the_witness_back(witness: Witness) -> None:
    log = Log()
    log.grow(10)
    assert witness.add_checkpoint(log.request(0, 10)).status == 200
    assert witness.add_checkpoint(AddCheckpoint(10, (), log.note(7)).encode()).status == 400
    assert witness.add_checkpoint(AddCheckpoint(7, (), log.note(7)).encode()).status == 409
    assert witness.latest(LOG.name).size == 10


def test_unknown_origin_404_and_untrusted_key_403(witness: Witness) -> None:
    stranger = Log(signer=NoteSigner.generate("other.test/log"))
    stranger.grow(2)
    assert witness.add_checkpoint(stranger.request(0, 2)).status == 404
    impostor = Log(signer=NoteSigner.generate(LOG.name))  # same origin, another key
    impostor.grow(2)
    assert witness.add_checkpoint(impostor.request(0, 2)).status == 403


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 1\n",
        b"old 01\n\nx\n",
        b"new 0\n\n",
        b"old 0\n" + b"AAAA\n" * 2 + b"\n",
        b"\xff\xfe",
    ],
)
def test_malformed_requests_get_400(witness: Witness, body: bytes) -> None:
    assert witness.add_checkpoint(body).status == 400


def test_more_than_63_proof_lines_get_400(witness: Witness) -> None:
    log = Log()
    log.grow(3)
    assert witness.add_checkpoint(log.request(0, 3, proof=(bytes(32),) * 64)).status == 400


def test_racing_submissions_from_one_size_cosign_exactly_one(witness: Witness) -> None:
    log = Log()
    log.grow(40)
    assert witness.add_checkpoint(log.request(0, 8)).status == 200
    answers: list[int] = []

    def submit(size: int) -> None:
        answers.append(witness.add_checkpoint(log.request(8, size)).status)

    threads = [threading.Thread(target=submit, args=(s,)) for s in range(10, 40, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers).count(200) == 1 and set(answers) == {200, 409}


def test_http_interface(witness: Witness) -> None:
    client = TestClient(create_witness_app(witness))
    log = Log()
    log.grow(3)
    answer = client.post("/add-checkpoint", content=log.request(0, 3))
    assert answer.status_code == 200 and answer.text.startswith("— witness.test/w1 ")
    conflict = client.post("/add-checkpoint", content=log.request(0, 3))
    assert conflict.status_code == 409
    assert conflict.headers["content-type"].startswith("text/x.tlog.size")
    latest = client.get("/checkpoint", params={"origin": LOG.name})
    assert latest.status_code == 200
    body, signed = open_note(latest.text, [LOG.verifier, NoteVerifier.from_vkey(witness.vkey())])
    assert Checkpoint.parse(body).size == 3 and len(signed) == 2
    assert client.get("/checkpoint", params={"origin": "nope"}).status_code == 404
    assert client.get("/key").text.strip() == witness.vkey()
    assert client.post("/add-checkpoint", content=b"x" * 70_000).status_code in (400, 413)


def test_witness_commands(cli: Callable[..., Any], tmp_path: Path) -> None:
    home = tmp_path / "remote-witness"
    made = cli("witness", "init", "--home", str(home), "--name", "w.test/x", "--json").json
    assert made["public_key"].startswith("w.test/x+")
    assert (home / "witness.key").stat().st_mode & 0o077 == 0
    assert cli("witness", "key", "--home", str(home), "--json").json == {
        "public_key": made["public_key"]
    }
    log_key = cli("audit", "key", "--json").json["public_key"]
    trusted = cli("witness", "trust", log_key, "--home", str(home), "--json").json
    assert trusted["origin"] == log_key.split("+")[0]
    status = cli("witness", "status", "--home", str(home), "--json").json
    assert status["logs"] == {trusted["origin"]: None}
    assert cli("witness", "trust", "not-a-key", "--home", str(home), "--json").code == 1


def test_perfect_subtrees_helper_is_used_by_the_in_memory_log() -> None:
    log = Log()
    log.grow(11)
    assert fold(log.read(perfect_subtrees(0, 11))) == log.root(11)

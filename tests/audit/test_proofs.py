"""Inclusion proofs: `audit prove` documents check offline with `audit verify-proof`; any
change to the document, or the wrong keys, is refused; proofs read a few stored hashes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from parcelguard.audit import service as audit
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.audit.tree import StoredTree
from parcelguard.cli import run
from parcelguard.crypto.note import COSIGNATURE_V1, NoteSigner
from parcelguard.runtime import Runtime
from parcelguard.tlog.proof import (
    prove_consistency,
    prove_inclusion,
    verify_consistency,
    verify_inclusion,
)


def write(rt: Runtime, n: int, batch: int = 1) -> None:
    auditor = auditor_for(rt)
    for start in range(0, n, batch):
        with rt.db.session() as session:
            auditor.record_many(
                session,
                Actor("cs-agent-seven", "customer_service", "st1"),
                [
                    Entry(
                        "reveal",
                        "shipment",
                        f"s{i}",
                        purpose="customer_service",
                        reference="TICKET-4711",
                        details={"fields": ["recipient.phone"], "key_id": "apikey-zq"},
                    )
                    for i in range(start, min(n, start + batch))
                ],
            )


def keys_args(cli: Callable[..., Any]) -> list[str]:
    keys = cli("audit", "key", "--json").json
    args = ["--log-key", keys["public_key"]]
    for witness in keys["witnesses"]:
        args += ["--witness-key", witness["public_key"]]
    return args


def offline(*args: str) -> tuple[int, dict[str, Any]]:
    """Run verify-proof with a runtime that must never be built (no database)."""

    def no_runtime() -> Runtime:
        raise AssertionError("verify-proof must not open the database")

    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        code = run(["audit", "verify-proof", *args, "--json"], make_runtime=no_runtime)
    return code, json.loads(out.getvalue())


@pytest.fixture
def proven(cli, rt: Runtime, tmp_path: Path) -> tuple[Path, list[str]]:
    write(rt, 30)
    assert cli("audit", "checkpoint", "--json").json["signed"] is True
    path = tmp_path / "proof.json"
    made = cli("audit", "prove", "17", "--out", str(path), "--json")
    assert made.code == 0, made.stdout
    return path, keys_args(cli)


def test_a_proof_checks_offline_and_hides_staff(proven) -> None:
    path, keys = proven
    code, report = offline(str(path), *keys)
    assert code == 0 and report["ok"] is True, report
    assert report["seq"] == 17 and report["tree_size"] == 30
    assert report["event"]["actor_role"] == "customer_service"
    assert report["event"]["details"] == {"fields": ["recipient.phone"]}
    assert [w["name"] for w in report["witnesses"]] == [keys[3].split("+")[0]]
    text = path.read_text()
    for secret in ("cs-agent-seven", "TICKET-4711", "apikey-zq", "actor_id", "reference"):
        assert secret not in text


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(leaf=d["leaf"].replace('"st1"', '"st2"')),
        lambda d: d["event"].update(station_id="st2"),
        lambda d: d.update(leaf_index=d["leaf_index"] + 1),
        lambda d: d.update(tree_size=d["tree_size"] - 1),
        lambda d: d["inclusion_path"].reverse(),
        lambda d: d.update(inclusion_path=d["inclusion_path"][:-1]),
        lambda d: d.update(checkpoint=d["checkpoint"].replace("\n30\n", "\n31\n")),
        lambda d: d.update(format="something-else"),
    ],
)
def test_any_change_to_the_document_is_refused(proven, change, tmp_path: Path) -> None:
    path, keys = proven
    document = json.loads(path.read_text())
    change(document)
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    code, report = offline(str(changed), *keys)
    assert (code, report["ok"]) == (4, False) and report["reason"]


def test_the_wrong_keys_are_refused(proven) -> None:
    path, keys = proven
    other_log = NoteSigner.generate(keys[1].split("+")[0]).verifier.vkey()
    other_witness = NoteSigner.generate("w.test/else", COSIGNATURE_V1).verifier.vkey()
    assert offline(str(path), "--log-key", other_log)[0] == 4
    assert offline(str(path), keys[0], keys[1], "--witness-key", other_witness)[0] == 4
    code, report = offline(str(path), keys[0], keys[1])
    assert code == 0 and report["warning"]  # no witness asked for: said so


def test_an_event_not_yet_witnessed_has_no_proof_yet(cli, rt: Runtime) -> None:
    write(rt, 3)  # the first append signs at once; events 2 and 3 wait for the next
    answer = cli("audit", "prove", "3", "--json")
    assert answer.code == 1 and answer.json["error"]["code"] == "not_yet_witnessed"


def test_proofs_read_a_few_stored_hashes_not_the_log(rt: Runtime) -> None:
    write(rt, 3000, batch=500)
    with rt.db.session() as session:
        auditor_for(rt).checkpoint(session)
    counted: list[int] = []
    with rt.db.read_session() as session:
        stored = StoredTree(session, rt.tenant)

        def reader(subtrees):
            counted.append(len(subtrees))
            return stored(subtrees)

        head = audit.head_of(session, rt.tenant)
        for index in (0, 1, 15, 16, 1023, 1500, 2047, 2999):
            proof = prove_inclusion(index, 3000, reader)
            from parcelguard.audit.models import AuditEvent

            leaf = session.get(AuditEvent, (rt.tenant, index + 1)).leaf_hash
            verify_inclusion(index, 3000, leaf, proof, head.hash)
        for old in (1, 16, 17, 1024, 2999):
            proof = prove_consistency(old, 3000, reader)
            old_root = StoredTree(session, rt.tenant)
            from parcelguard.tlog.tree import fold, perfect_subtrees

            verify_consistency(
                old, 3000, fold(old_root(perfect_subtrees(0, old))), head.hash, proof
            )
    assert max(counted) <= 2 * 12  # subtrees per proof: about two per level, never per event


def test_every_event_of_a_small_log_is_provable(cli, rt: Runtime) -> None:
    write(rt, 70, batch=7)
    cli("audit", "checkpoint", "--json")
    keys = keys_args(cli)
    with rt.db.read_session() as session:
        for seq in range(1, 71):
            document = audit.prove(rt, session, seq)
            from parcelguard.audit.proof_check import check_proof

            checked = check_proof(document, keys[1], [keys[3]])
            assert checked.ok, (seq, checked.reason)

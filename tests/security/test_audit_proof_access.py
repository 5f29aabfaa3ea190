# ruff: noqa: F811 - the portal fixtures are imported by name and used as arguments
"""A recipient gets inclusion proofs of the accesses to their own data, and nothing else:
not another person's events, not staff events, not when signed out. The proof names roles
and stations, never a member of staff, and checks offline with the published keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from parcelguard.portal.sms import RecordingSmsProvider
from tests.portal.conftest import (  # noqa: F401 - fixtures shared with the portal tests
    OTHER,
    client,
    courier_reveals_address,
    parcels,
    sign_in,
    sms,
)

LINK = re.compile(r'href="/portal/access/(\d+)/proof"')


def _keys(cli: Callable[..., Any]) -> list[str]:
    keys = cli("audit", "key", "--json").json
    args = ["--log-key", keys["public_key"]]
    for witness in keys["witnesses"]:
        args += ["--witness-key", witness["public_key"]]
    return args


def test_recipient_proves_an_access_to_their_data_and_only_theirs(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
    tmp_path: Path,
) -> None:
    mine = courier_reveals_address(cli, parcels[0]["waybill_no"])
    theirs = courier_reveals_address(cli, parcels[3]["waybill_no"], station="st-binjiang")
    assert cli("audit", "checkpoint", "--json").json["signed"] is True
    other_seqs = {e["seq"] for e in cli("audit", "log", "--actor", theirs, "--json").json["events"]}
    staff_seqs = {
        e["seq"]
        for e in cli("audit", "log", "--action", "shipments.import", "--json").json["events"]
    }
    sign_in(client, sms)
    page = client.get("/portal/access").text
    seqs = [int(s) for s in LINK.findall(page)]
    assert seqs, "every access shown offers its proof"
    assert "如何核对这份记录是真的" in page and "verify-proof" in page
    assert "How to check that a record is genuine" in client.get("/portal/access?lang=en").text

    answer = client.get(f"/portal/access/{seqs[0]}/proof")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    document = answer.json()
    assert mine not in answer.text and "actor_id" not in answer.text
    assert document["event"]["actor_role"] == "courier"
    assert document["event"]["station_id"] == "st-xihu"
    proof = tmp_path / "proof.json"
    proof.write_text(answer.text, encoding="utf-8")
    checked = cli("audit", "verify-proof", str(proof), *_keys(cli), "--json")
    assert checked.code == 0 and checked.json["ok"] is True, checked.stdout
    assert checked.json["witnesses"], "checked against a witness cosignature"

    for seq in sorted(other_seqs | staff_seqs | {999_999}):
        refused = client.get(f"/portal/access/{seq}/proof")
        assert refused.status_code == 404, seq
        assert theirs not in refused.text


def test_a_signed_out_caller_gets_no_proof(
    client: TestClient, cli: Callable[..., Any], parcels: list[dict[str, str]]
) -> None:
    courier_reveals_address(cli, parcels[0]["waybill_no"])
    cli("audit", "checkpoint", "--json")
    for seq in range(1, 12):
        answer = client.get(f"/portal/access/{seq}/proof", follow_redirects=False)
        assert answer.status_code in (303, 404)
        assert "inclusion_path" not in answer.text


def test_the_other_recipient_cannot_prove_my_access(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
) -> None:
    courier_reveals_address(cli, parcels[0]["waybill_no"])
    cli("audit", "checkpoint", "--json")
    mine = [e["seq"] for e in cli("audit", "log", "--action", "reveal", "--json").json["events"]]
    sign_in(client, sms, OTHER)
    assert not LINK.findall(client.get("/portal/access").text)
    for seq in mine:
        assert client.get(f"/portal/access/{seq}/proof").status_code == 404

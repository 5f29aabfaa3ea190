"""Bulk export: an open case, a second officer's approval, one run, formula-safe CSV, audited."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.conftest import write_csv

from parcelguard.vault.synthetic import Faker


@pytest.fixture
def setup(cli, rt, tmp_path: Path) -> dict:
    data = list(Faker(31).rows(3))
    data[1]["recipient_name"] = '=HYPERLINK("http://x")'  # a poisoned name must stay inert
    cli("import", str(write_csv(tmp_path / "s.csv", data)), "--json")
    keys = {}
    for who in ("first", "second"):
        made = cli(
            "users",
            "add",
            "--name",
            f"安全员{who}",
            "--role",
            "security_officer",
            "--trained-until",
            "2027-12-31",
            "--json",
        ).json
        keys[who] = made["api_key"]
        if "grant_id" in made:  # the second officer waits for the first one's approval
            assert cli("users", "approve", made["grant_id"], "--api-key", keys["first"]).code == 0
    rt.clock.advance(days=8)  # past the cool-off: the first made the second an officer
    opened = cli("case", "open", "--title", "list for sale", "--api-key", keys["first"], "--json")
    case = opened.json["case_id"]
    return {"data": data, "keys": keys, "case": case}


def request(cli, setup, fields=("recipient.phone", "recipient.name")) -> str:
    args = [
        "export",
        "request",
        "--case",
        setup["case"],
        "--api-key",
        setup["keys"]["first"],
        "--json",
    ]
    for row in setup["data"]:
        args += ["--waybill", row["waybill_no"]]
    for field in fields:
        args += ["--field", field]
    result = cli(*args)
    assert result.code == 0, result.stdout
    return result.json["id"]


def test_export_needs_a_second_officer_and_runs_once(cli, setup, tmp_path: Path) -> None:
    export_id = request(cli, setup)
    out = tmp_path / "out.csv"
    early = cli(
        "export", "run", export_id, "--out", str(out), "--api-key", setup["keys"]["first"], "--json"
    )
    assert early.json["error"]["code"] == "export_not_approved" and not out.exists()
    self_approval = cli(
        "export", "approve", export_id, "--api-key", setup["keys"]["first"], "--json"
    )
    assert (self_approval.code, self_approval.json["error"]["code"]) == (
        5,
        "second_officer_required",
    )
    assert (
        cli("export", "approve", export_id, "--api-key", setup["keys"]["second"], "--json").code
        == 0
    )
    done = cli(
        "export", "run", export_id, "--out", str(out), "--api-key", setup["keys"]["first"], "--json"
    )
    assert done.json["rows"] == 3
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0] == ["waybill_no", "recipient.phone", "recipient.name"]
    assert rows[1][1] == setup["data"][0]["recipient_phone"]
    assert rows[2][2] == "'" + setup["data"][1]["recipient_name"]  # formula neutralised
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    again = cli(
        "export",
        "run",
        export_id,
        "--out",
        str(tmp_path / "again.csv"),
        "--api-key",
        setup["keys"]["first"],
        "--json",
    )
    assert again.json["error"]["code"] == "export_not_approved"
    runs = cli("audit", "log", "--action", "export.run", "--json").json["events"]
    assert len(runs) == 3 and all(e["details"]["export_id"] == export_id for e in runs)


def test_export_refuses_other_roles_and_closed_cases(cli, setup) -> None:
    courier = cli(
        "users",
        "add",
        "--name",
        "快递员",
        "--role",
        "courier",
        "--trained-until",
        "2027-12-31",
        "--json",
    ).json["api_key"]
    args = [
        "export",
        "request",
        "--case",
        setup["case"],
        "--waybill",
        setup["data"][0]["waybill_no"],
        "--field",
        "recipient.phone",
        "--json",
    ]
    assert cli(*args, "--api-key", courier).json["error"]["code"] == "role_not_allowed"
    cli("case", "close", setup["case"], "--api-key", setup["keys"]["first"], "--json")
    assert cli(*args, "--api-key", setup["keys"]["first"]).json["error"]["code"] == "case_not_open"


def test_an_approval_expires_after_a_day(cli, rt, setup, tmp_path: Path) -> None:
    export_id = request(cli, setup, fields=("sender.id_no",))
    cli("export", "approve", export_id, "--api-key", setup["keys"]["second"], "--json")
    rt.clock.advance(hours=25)
    late = cli(
        "export",
        "run",
        export_id,
        "--out",
        str(tmp_path / "late.csv"),
        "--api-key",
        setup["keys"]["first"],
        "--json",
    )
    assert late.json["error"]["code"] == "export_expired"
    assert cli("export", "list", "--json").json["exports"][0]["status"] == "expired"

"""Bulk export: a browser needs a fresh passkey step-up, exported rows count toward the daily
quota, and the policy's `bulk_export_approvals` asks for that many distinct officers."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcelguard.settings import Settings
from tests.conftest import CliResult, make_settings
from tests.security.insider_world import Insiders

QUOTA = 6
POLICY = {"roles": {"security_officer": {"daily_quota": QUOTA, "bulk_export_approvals": 2}}}


@pytest.fixture
def settings(home: Path, database_url: str) -> Settings:
    """A tenant that tightened the officers' rule: six reveals a day, two approvers."""
    return make_settings(home, database_url, sections={"policy": POLICY})


def _case(world: Insiders) -> str:
    opened = world.cli("case", "open", "--title", "t", "--api-key", world.keys["so1"], "--json")
    assert opened.code == 0, opened.stdout
    return str(opened.json["case_id"])


def _request(world: Insiders, case: str, waybills: list[str]) -> str:
    args = ["export", "request", "--case", case, "--field", "recipient.phone"]
    for waybill in waybills:
        args += ["--waybill", waybill]
    made = world.cli(*args, "--api-key", world.keys["so1"], "--json")
    assert made.code == 0, made.stdout
    return str(made.json["id"])


def _approve(world: Insiders, export_id: str, who: str) -> CliResult:
    return world.cli("export", "approve", export_id, "--api-key", world.keys[who], "--json")


def _run(world: Insiders, export_id: str, out: Path) -> CliResult:
    return world.cli(
        "export", "run", export_id, "--out", str(out), "--api-key", world.keys["so1"], "--json"
    )


def _reveal(world: Insiders, case: str) -> int:
    return world.cli(
        "reveal", world.parcels["fresh"][0], "--field", "recipient.name",
        "--purpose", "investigation", "--reference", case,
        "--api-key", world.keys["so1"], "--json",
    ).code  # fmt: skip


def test_a_browser_export_needs_a_fresh_passkey_step_up(insiders: Insiders) -> None:
    case = _case(insiders)
    body = {"case_id": case, "waybills": insiders.parcels["fresh"][:2], "fields": ["sender.name"]}
    csrf = insiders.sign_in("so1", stepped_up=False)
    stale = insiders.client.post("/api/v1/exports", json=body, headers={"X-CSRF-Token": csrf})
    assert stale.status_code == 403 and stale.json()["error"]["code"] == "step_up_required"
    csrf = insiders.sign_in("so1", stepped_up=True)
    asked = insiders.client.post("/api/v1/exports", json=body, headers={"X-CSRF-Token": csrf})
    assert asked.status_code == 200, asked.text
    export_id = asked.json()["id"]
    for who in ("so2", "so3"):
        assert insiders.api(who, "POST", f"/api/v1/exports/{export_id}/approve").status_code == 200
    insiders.rt.clock.advance(minutes=6)
    csrf_late = insiders.sign_in("so1", stepped_up=False)
    late = insiders.client.post(
        f"/api/v1/exports/{export_id}/run", headers={"X-CSRF-Token": csrf_late}
    )
    assert late.status_code == 403 and late.json()["error"]["code"] == "step_up_required"
    csrf = insiders.sign_in("so1", stepped_up=True)
    done = insiders.client.post(f"/api/v1/exports/{export_id}/run", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.text.count("\n") == 3


def test_exported_rows_count_toward_the_daily_quota(insiders: Insiders, tmp_path: Path) -> None:
    case = _case(insiders)
    assert _reveal(insiders, case) == 0 and _reveal(insiders, case) == 0  # 2 used
    first = _request(insiders, case, insiders.parcels["fresh"][:3])
    second = _request(insiders, case, insiders.parcels["fresh"][1:4])
    for export_id in (first, second):
        for who in ("so2", "so3"):
            assert _approve(insiders, export_id, who).code == 0
    assert _run(insiders, first, tmp_path / "a.csv").json["rows"] == 3
    over = _run(insiders, second, tmp_path / "b.csv")
    assert over.json["error"]["code"] == "daily_quota_exceeded"
    assert not (tmp_path / "b.csv").exists()
    assert _reveal(insiders, case) == 0  # the sixth
    assert _reveal(insiders, case) == 5  # quota spent by reveals and the export together


def test_an_export_larger_than_the_daily_quota_is_refused_up_front(insiders: Insiders) -> None:
    case = _case(insiders)
    waybills = [w for group in insiders.parcels.values() for w in group][: QUOTA + 1]
    args = ["export", "request", "--case", case, "--field", "recipient.phone"]
    for waybill in waybills:
        args += ["--waybill", waybill]
    refused = insiders.cli(*args, "--api-key", insiders.keys["so1"], "--json")
    assert refused.json["error"]["code"] == "export_exceeds_quota"


def test_bulk_export_approvals_asks_for_that_many_distinct_officers(
    insiders: Insiders, tmp_path: Path
) -> None:
    case = _case(insiders)
    export_id = _request(insiders, case, insiders.parcels["fresh"][:2])
    first = _approve(insiders, export_id, "so2")
    assert first.json["status"] == "pending" and first.json["approvals"] == 1
    early = _run(insiders, export_id, tmp_path / "early.csv")
    assert early.json["error"]["code"] == "export_not_approved"
    twice = _approve(insiders, export_id, "so2")
    assert twice.json["error"]["code"] == "already_approved"
    own = _approve(insiders, export_id, "so1")
    assert own.json["error"]["code"] == "second_officer_required"
    assert _approve(insiders, export_id, "so3").json["status"] == "approved"
    listed = insiders.cli("export", "list", "--json").json["exports"][0]
    assert sorted(listed["approvers"]) == sorted([insiders.ids["so2"], insiders.ids["so3"]])
    assert _run(insiders, export_id, tmp_path / "ok.csv").json["rows"] == 2

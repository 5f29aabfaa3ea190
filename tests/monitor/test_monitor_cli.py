"""`monitor replay` (JSON lines out) and the `alerts` commands, through the real CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from tests.monitor.helpers import DAY0, line, minutes, workdays
from tests.monitor.test_monitor_incidents import finding

from parcelguard.access import service as access
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.service import SYSTEM
from parcelguard.monitor import service as monitor
from parcelguard.runtime import Runtime


def write_lines(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_replay_prints_one_json_alert_per_line(cli, tmp_path: Path) -> None:
    history = workdays(10, pid="c1") + workdays(10, pid="c2")
    burst = [
        line(at, "deny", waybill_no=f"PG{770000 + i:012d}", outcome="not_assigned", assigned=False)
        for i, at in enumerate(minutes(DAY0 + timedelta(days=10, hours=11), 30, 0.5))
    ]
    result = cli(
        "monitor", "replay", str(write_lines(tmp_path / "e.jsonl", history + burst)), "--json"
    )
    assert result.code == 0
    alerts = [json.loads(x) for x in result.stdout.splitlines()]
    assert {a["rule"] for a in alerts} >= {"unassigned_access", "denial_burst", "enumeration"}
    for alert in alerts:
        assert set(alert) == {"principal_id", "rule", "severity", "at", "details"}
        assert alert["principal_id"] == "c1"
        assert alert["at"].startswith("2026-09-11T11:")
    again = cli("monitor", "replay", str(tmp_path / "e.jsonl"), "--json")
    assert again.stdout == result.stdout


def test_replay_rejects_a_line_that_is_not_an_event(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(line(DAY0)) + "\n\n{not json\n", encoding="utf-8")
    result = cli("monitor", "replay", str(path), "--json")
    assert result.code == 1
    assert result.json["error"]["code"] == "invalid_event"
    assert result.json["error"]["details"] == {"line": 3}


def test_alerts_list_show_assign_and_resolve(cli, rt: Runtime) -> None:
    with rt.db.session() as session:
        principal, _ = access.create(
            rt,
            session,
            SYSTEM,
            NewPrincipal(name="测试", role="courier", trained_until=date(2027, 1, 1)),
        )
        monitor.record(rt, session, [finding(principal.principal_id)])
    listed = cli("alerts", "--json")
    assert listed.code == 0
    [alert] = listed.json["alerts"]
    assert (alert["rule"], alert["status"], alert["suspended"]) == (
        "unassigned_access",
        "open",
        True,
    )
    shown = cli("alerts", "show", alert["id"], "--json").json
    assert [e["seq"] for e in shown["evidence"]] == [1, 2, 3]
    officer = cli(
        "users",
        "add",
        "--name",
        "安全员",
        "--role",
        "security_officer",
        "--trained-until",
        "2027-12-31",
        "--json",
    ).json
    admin = cli("users", "add", "--name", "管理员", "--role", "admin", "--json").json
    assigned = cli(
        "alerts", "assign", alert["id"], "--to", "so-1", "--api-key", officer["api_key"], "--json"
    ).json
    assert (assigned["status"], assigned["assignee"]) == ("acknowledged", "so-1")
    refused = cli(
        "alerts", "resolve", alert["id"], "--restore", "--api-key", admin["api_key"], "--json"
    )
    assert refused.code == 5 and refused.json["error"]["code"] == "officer_required"
    done = cli(
        "alerts",
        "resolve",
        alert["id"],
        "--false-positive",
        "--api-key",
        officer["api_key"],
        "--json",
    ).json
    assert (done["status"], done["restored"], done["resolved_by"]) == (
        "false_positive",
        True,
        officer["id"],
    )
    still_open = cli("alerts", "--json").json["alerts"]
    assert alert["id"] not in {a["id"] for a in still_open}
    # What is left open: the privilege changes (the two new accounts), for an officer's review.
    assert {a["rule"] for a in still_open} == {"privilege_change"}
    closed = cli("alerts", "--status", "false_positive", "--json").json["alerts"]
    assert [a["id"] for a in closed] == [alert["id"]]
    assert cli("alerts", "show", "missing", "--json").json["error"]["code"] == "alert_not_found"


def test_monitor_rules_shows_every_rule(cli) -> None:
    rules = cli("monitor", "rules", "--json").json["rules"]
    assert rules["unassigned_access"]["count"] == 12 and rules["off_hours"]["severity"] == "medium"

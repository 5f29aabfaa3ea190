"""Separation of duties: nobody acts on an alert about themselves or restores themselves,
officers are made with a second officer's approval, two-person rules need unrelated people,
roles are checked in every service, and every privilege change raises an alert."""

from __future__ import annotations

from datetime import date

import pytest

from parcelguard.access import cases
from parcelguard.access import service as access
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.service import Actor
from parcelguard.errors import Denied
from parcelguard.monitor import service as monitor
from tests.monitor.test_monitor_incidents import finding
from tests.security.insider_world import Insiders, refused_as_usage


def _alert_about(world: Insiders, who: str) -> str:
    """Open a suspending alert about `who` (as the monitor would) and return its id."""
    with world.rt.db.session() as session:
        monitor.record(world.rt, session, [finding(world.ids[who])])
    [alert] = world.alerts("unassigned_access", about=world.ids[who])
    return str(alert["id"])


def test_an_officer_cannot_resolve_or_take_an_alert_about_themselves(insiders: Insiders) -> None:
    alert = _alert_about(insiders, "so1")
    resolved = insiders.api(
        "so1", "POST", f"/api/v1/alerts/{alert}/resolve", json={"false_positive": True}
    )
    assert resolved.status_code == 403 and resolved.json()["error"]["code"] == "own_alert"
    taken = insiders.api("so1", "POST", f"/api/v1/alerts/{alert}/assign", json={"to": "me"})
    assert taken.status_code == 403 and taken.json()["error"]["code"] == "own_alert"
    handed = insiders.api(
        "so2", "POST", f"/api/v1/alerts/{alert}/assign", json={"to": insiders.ids["so1"]}
    )
    assert handed.status_code == 403 and handed.json()["error"]["code"] == "own_alert"
    [still] = insiders.alerts("unassigned_access", about=insiders.ids["so1"])
    assert (still["status"], still["suspended"]) == ("open", True)
    [conflict] = insiders.alerts("duty_conflict", about=insiders.ids["so1"])
    assert conflict["details"]["reason"] == "own_alert"
    done = insiders.api(
        "so2", "POST", f"/api/v1/alerts/{alert}/resolve",
        json={"false_positive": True, "restore": True},
    )  # fmt: skip
    assert done.status_code == 200 and done.json()["restored"] is True


def test_a_suspended_officer_cannot_restore_themselves(insiders: Insiders) -> None:
    _alert_about(insiders, "so1")
    me = Actor(insiders.ids["so1"], "security_officer")
    with pytest.raises(Denied) as refused, insiders.rt.db.session() as session:
        access.restore_reveal(insiders.rt, session, me, insiders.ids["so1"])
    assert refused.value.code == "self_action"
    with insiders.rt.db.read_session() as session:
        assert access.get_or_raise(
            session, insiders.rt.tenant, insiders.ids["so1"]
        ).reveal_suspended


def test_alert_commands_act_with_the_officers_own_key(insiders: Insiders) -> None:
    alert = _alert_about(insiders, "courier_a")
    # usage: the officer's --api-key is required
    assert refused_as_usage(insiders, "alerts", "resolve", alert, "--false-positive", "--json")
    as_admin = insiders.cli(
        "alerts", "resolve", alert, "--api-key", insiders.keys["admin"], "--json"
    )
    assert (as_admin.code, as_admin.json["error"]["code"]) == (5, "officer_required")
    assert refused_as_usage(insiders, "alerts", "assign", alert, "--to", "x", "--json")
    done = insiders.cli(
        "alerts", "resolve", alert, "--false-positive", "--api-key", insiders.keys["so2"], "--json"
    )
    assert done.code == 0 and done.json["resolved_by"] == insiders.ids["so2"]


def test_admin_cannot_make_a_security_officer_without_a_second_officer(
    insiders: Insiders,
) -> None:
    csrf = insiders.sign_in("admin", stepped_up=True)
    made = insiders.client.post(
        "/console/admin/users",
        headers={"X-CSRF-Token": csrf},
        json={"name": "新安全员", "role": "security_officer"},
    )
    assert made.status_code == 200, made.text
    key = made.json()["show"]["value"]
    insiders.client.cookies.clear()
    blocked = insiders.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert blocked.status_code == 401  # not an officer until another officer approves
    [grant] = [g for g in grants_pending(insiders) if g["role"] == "security_officer"]
    by_admin = insiders.api("admin", "POST", f"/api/v1/staff/grants/{grant['id']}/approve")
    assert by_admin.status_code == 403
    approved = insiders.api("so2", "POST", f"/api/v1/staff/grants/{grant['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "granted"
    me = insiders.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["role"] == "security_officer"


def grants_pending(world: Insiders) -> list[dict]:
    listed = world.api("so1", "GET", "/api/v1/staff/grants")
    assert listed.status_code == 200
    return list(listed.json()["grants"])


def test_promotion_to_security_officer_waits_for_an_officer(insiders: Insiders) -> None:
    cs = insiders.ids["cs"]
    asked = insiders.cli("users", "role", cs, "--role", "security_officer", "--json")
    assert asked.code == 0 and asked.json["status"] == "pending"
    listed = insiders.cli("users", "list", "--json").json["users"]
    assert next(u for u in listed if u["id"] == cs)["role"] == "customer_service"
    self_approval = insiders.cli(
        "users", "approve", asked.json["grant_id"], "--api-key", insiders.keys["cs"], "--json"
    )
    assert self_approval.code == 5
    done = insiders.cli(
        "users", "approve", asked.json["grant_id"], "--api-key", insiders.keys["so3"], "--json"
    )
    assert done.code == 0
    listed = insiders.cli("users", "list", "--json").json["users"]
    assert next(u for u in listed if u["id"] == cs)["role"] == "security_officer"


def test_the_first_officer_of_a_tenant_is_the_only_one_made_alone(insiders: Insiders) -> None:
    with insiders.rt.db.read_session() as session:
        found = access.list_principals(session, insiders.rt.tenant, "security_officer")
        statuses = [p.status for p in found]
    assert statuses == ["active"] * 3
    log = insiders.cli("audit", "log", "--action", "principal.create", "--json").json["events"]
    bootstrap = [e for e in log if e["details"].get("bootstrap")]
    assert [e["target_id"] for e in bootstrap] == [insiders.ids["so1"]]
    extra = insiders.cli("users", "add", "--name", "又一个", "--role", "security_officer", "--json")
    assert extra.code == 0 and extra.json["status"] == "pending"


def test_officers_granted_by_each_other_cannot_approve_each_others_exports(
    insiders: Insiders,
) -> None:
    fresh = insiders.add_user("so4", "--role", "security_officer", approver="so1")
    key4 = fresh["api_key"]
    case = insiders.cli("case", "open", "--title", "t", "--api-key", insiders.keys["so1"], "--json")
    asked = insiders.cli(
        "export", "request", "--case", case.json["case_id"], "--waybill",
        insiders.parcels["fresh"][0], "--field", "recipient.phone",
        "--api-key", insiders.keys["so1"], "--json",
    )  # fmt: skip
    export_id = asked.json["id"]
    related = insiders.cli("export", "approve", export_id, "--api-key", key4, "--json")
    assert (related.code, related.json["error"]["code"]) == (5, "related_within_cooloff")
    assert insiders.alerts("duty_conflict", about=fresh["id"])
    insiders.rt.clock.advance(days=8)
    assert insiders.cli("export", "approve", export_id, "--api-key", key4, "--json").code == 0


def test_case_close_checks_the_role_in_the_service(insiders: Insiders) -> None:
    opened = insiders.cli(
        "case", "open", "--title", "leak", "--api-key", insiders.keys["so1"], "--json"
    )
    case_id = opened.json["case_id"]
    courier = Actor(insiders.ids["courier_a"], "courier")
    with pytest.raises(Denied), insiders.rt.db.session() as session:
        cases.close_case(insiders.rt, session, courier, case_id)
    assert refused_as_usage(insiders, "case", "close", case_id, "--json")
    by_admin = insiders.cli("case", "close", case_id, "--api-key", insiders.keys["admin"], "--json")
    assert by_admin.code == 5
    assert (
        insiders.cli("case", "close", case_id, "--api-key", insiders.keys["so2"], "--json").code
        == 0
    )


@pytest.mark.parametrize(
    ("who", "call"),
    [
        ("courier_a", "create"),
        ("cs", "training"),
        ("so1", "issue_key"),
        ("clerk_a", "suspend"),
        ("admin", "resolve"),
        ("admin", "approve_grant"),
    ],
)
def test_every_service_checks_the_role_of_whoever_calls_it(
    insiders: Insiders, who: str, call: str
) -> None:
    actor = Actor(insiders.ids[who], dict(courier_a="courier", cs="customer_service",
                                          so1="security_officer", clerk_a="station_clerk",
                                          admin="admin")[who])  # fmt: skip
    target = insiders.ids["courier_a2"]
    rt = insiders.rt
    alert = _alert_about(insiders, "courier_a") if call == "resolve" else ""
    with pytest.raises(Denied), rt.db.session() as session:
        if call == "create":
            access.create(rt, session, actor, NewPrincipal(name="x", role="admin"))
        elif call == "training":
            access.set_training(rt, session, actor, target, date(2030, 1, 1))
        elif call == "issue_key":
            access.issue_key(rt, session, actor, access.get_or_raise(session, rt.tenant, target))
        elif call == "suspend":
            access.suspend_reveal(rt, session, actor, target, "x")
        elif call == "resolve":
            monitor.resolve(rt, session, actor, alert)
        else:
            from parcelguard.access import grants

            grants.approve(rt, session, actor, "G-none")


def test_an_admin_cannot_silence_the_officers_by_suspending_them(insiders: Insiders) -> None:
    refused = insiders.cli("users", "suspend", insiders.ids["so1"], "--json")
    assert (refused.code, refused.json["error"]["code"]) == (5, "officer_required")
    with insiders.rt.db.read_session() as session:
        officer = access.get_or_raise(session, insiders.rt.tenant, insiders.ids["so1"])
        assert officer.reveal_suspended is False


def test_nobody_changes_their_own_privileges(insiders: Insiders) -> None:
    admin = Actor(insiders.ids["admin"], "admin")
    with pytest.raises(Denied) as refused, insiders.rt.db.session() as session:
        access.set_training(insiders.rt, session, admin, insiders.ids["admin"], date(2030, 1, 1))
    assert refused.value.code == "self_action"


def test_every_privilege_change_raises_an_alert(insiders: Insiders) -> None:
    target = insiders.ids["courier_a2"]
    cli = insiders.cli
    assert cli("users", "train", target, "--until", "2028-06-30", "--json").code == 0
    key = cli("apikey", "issue", target, "--json").json["api_key"]
    assert cli("apikey", "revoke", key.split("_")[1], "--json").code == 0
    assert cli("users", "suspend", target, "--json").code == 0
    assert cli("users", "role", target, "--role", "customer_service", "--json").code == 0
    found = insiders.alerts("privilege_change", about=target)
    created = [a for a in found if "principal.create" in [e["action"] for e in a["evidence"]]]
    assert created and created[0]["details"]["involved"]  # who made the account
    alert = max(found, key=lambda a: a["last_at"])
    actions = [e["action"] for e in alert["evidence"]]
    for action in (
        "principal.training", "apikey.issue", "apikey.revoke",
        "principal.suspend_reveal", "principal.role_change",
    ):  # fmt: skip
        assert action in actions
    assert alert["status"] == "open"

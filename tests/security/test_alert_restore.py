"""Attacks on "restore account" from an alert: nobody restores themselves, only an officer
restores, and a restore needs a suspension the alert holds. Every refusal of one's own case is
audited as `duties.refused`; a restore is audited as `monitor.restore`."""

from __future__ import annotations

from parcelguard.access import service as access
from parcelguard.audit.service import search
from parcelguard.monitor import service as monitor
from tests.monitor.test_monitor_incidents import finding
from tests.security.insider_world import Insiders


def _alert_about(world: Insiders, who: str, *, suspend: bool = True) -> str:
    with world.rt.db.session() as session:
        monitor.record(world.rt, session, [finding(world.ids[who], suspend=suspend)])
    [alert] = world.alerts("unassigned_access", about=world.ids[who])
    return str(alert["id"])


def _suspended(world: Insiders, who: str) -> bool:
    with world.rt.db.read_session() as session:
        return bool(access.get_or_raise(session, world.rt.tenant, world.ids[who]).reveal_suspended)


def _actions(world: Insiders, action: str) -> list[tuple[str | None, str]]:
    with world.rt.db.read_session() as session:
        return [(e.reason, e.actor_id) for e in search(session, world.rt.tenant, action=action)]


def test_an_officer_cannot_restore_their_own_account_from_an_alert(insiders: Insiders) -> None:
    alert = _alert_about(insiders, "so1")
    assert _suspended(insiders, "so1")
    answer = insiders.api("so1", "POST", f"/api/v1/alerts/{alert}/restore")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "own_alert"
    assert _suspended(insiders, "so1")
    assert ("own_alert", insiders.ids["so1"]) in _actions(insiders, "duties.refused")
    assert _actions(insiders, "monitor.restore") == []
    insiders.sign_in("so1", stepped_up=True)  # the page shows no button to the person
    page = insiders.client.get(f"/console/security/alerts/{alert}").text
    assert f"/api/v1/alerts/{alert}/restore" not in page


def test_a_non_officer_cannot_restore_an_account(insiders: Insiders) -> None:
    alert = _alert_about(insiders, "courier_a")
    for who in ("admin", "cs", "courier_a", "clerk_a"):
        answer = insiders.api(who, "POST", f"/api/v1/alerts/{alert}/restore")
        assert answer.status_code == 403, who
    assert _suspended(insiders, "courier_a")
    assert _actions(insiders, "monitor.restore") == []


def test_an_alert_that_suspended_nobody_restores_nobody(insiders: Insiders) -> None:
    alert = _alert_about(insiders, "courier_b", suspend=False)
    answer = insiders.api("so2", "POST", f"/api/v1/alerts/{alert}/restore")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_suspended"
    assert _actions(insiders, "monitor.restore") == []


def test_restoring_twice_is_refused_the_second_time(insiders: Insiders) -> None:
    alert = _alert_about(insiders, "courier_a")
    first = insiders.api("so2", "POST", f"/api/v1/alerts/{alert}/restore")
    assert first.status_code == 200 and first.json()["restored"] is True
    assert not _suspended(insiders, "courier_a")
    again = insiders.api("so3", "POST", f"/api/v1/alerts/{alert}/restore")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_suspended"
    assert _actions(insiders, "monitor.restore") == [(None, insiders.ids["so2"])]


def test_a_suspended_officer_cannot_restore_someone_else(insiders: Insiders) -> None:
    _alert_about(insiders, "so3")  # so3 is suspended now
    alert = _alert_about(insiders, "courier_a")
    answer = insiders.api("so3", "POST", f"/api/v1/alerts/{alert}/restore")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "officer_suspended"
    assert _suspended(insiders, "courier_a")

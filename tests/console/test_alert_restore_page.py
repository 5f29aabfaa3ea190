"""The alert page offers "恢复账号" for a person the alert suspended, and restores on click."""

from __future__ import annotations

from parcelguard.monitor import service as monitor
from tests.console.conftest import World
from tests.monitor.test_monitor_incidents import finding


def test_the_alert_page_restores_the_account_the_alert_suspended(world: World) -> None:
    with world.rt.db.session() as session:
        monitor.record(world.rt, session, [finding(world.staff["courier"])])
    with world.rt.db.read_session() as session:
        [alert_id] = [
            i.incident_id
            for i in monitor.list_alerts(session, world.rt.tenant)
            if i.principal_id == world.staff["courier"] and i.rule == "unassigned_access"
        ]
    csrf = world.sign_in("security_officer")
    page = world.client.get(f"/console/security/alerts/{alert_id}").text
    assert "恢复账号" in page and f'action="/api/v1/alerts/{alert_id}/restore"' in page
    assert '此告警暂停了<span translate="no">测*' in page  # the name is data
    done = world.post(f"/api/v1/alerts/{alert_id}/restore", csrf)
    assert done.status_code == 200 and done.json()["status"] == "open"  # the alert stays
    after = world.client.get(f"/console/security/alerts/{alert_id}").text
    assert f"/api/v1/alerts/{alert_id}/restore" not in after
    english = world.client.get(f"/console/security/alerts/{alert_id}?lang=en").text
    assert "Restore account" not in english  # nothing held any more
    world.sign_in("courier")
    assert "等待安全专员复核" not in world.client.get("/console").text

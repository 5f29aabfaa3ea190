"""A suspended courier sees no reveal button and a notice: what happened, whom to contact."""

from __future__ import annotations

from parcelguard.access import service as access
from parcelguard.monitor import service as monitor
from tests.console.conftest import World
from tests.monitor.test_monitor_incidents import finding


def _suspend_by_the_monitor(world: World) -> None:
    with world.rt.db.session() as session:
        monitor.record(world.rt, session, [finding(world.staff["courier"])])


def test_a_suspended_courier_sees_no_reveal_button_and_whom_to_contact(world: World) -> None:
    world.sign_in("courier")
    before = world.client.get("/console/deliveries").text
    assert before.count('class="pg-reveal"') == len(world.on_road)
    _suspend_by_the_monitor(world)
    with world.rt.db.read_session() as session:
        officer = access.get_or_raise(session, world.rt.tenant, world.staff["security_officer"])
        contact = f"{officer.name_masked}（{officer.employee_no}）"
    for path in ("/console/deliveries", "/console"):
        page = world.client.get(path).text
        assert 'class="pg-reveal"' not in page, path
        assert "你的查看权限已暂停" in page and "访问未分配的包裹" in page
        assert "派送、扫码和隐私号通话不受影响" in page
        assert f'请联系安全专员：<span translate="no">{contact}</span>' in page  # names are data
        assert "查看权限暂停中，不能查看完整地址。" in page
    english = world.client.get("/console/deliveries?lang=en").text
    assert "Your reveal rights are suspended" in english and "contact a security officer" in english
    assert "你的查看权限已暂停" not in english


def test_a_courier_in_good_standing_sees_no_notice(world: World) -> None:
    world.sign_in("courier")
    page = world.client.get("/console/deliveries").text
    assert "pg-suspended" not in page and 'class="pg-reveal"' in page

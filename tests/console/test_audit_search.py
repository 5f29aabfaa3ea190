"""Audit search finds events by what the pages display: staff number and name, short id,
waybill, the target as shown, local dates in the tenant's zone and the event type in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parcelguard.access import service as access_service
from tests.console.conftest import World

ROW = 'class="pg-mono" title="'


def _reveals(world: World, cli: Callable[..., Any]) -> None:
    for waybill in world.others:
        answer = cli(
            "reveal", waybill, "--field", "recipient.address", "--purpose", "delivery",
            "--api-key", world.keys["courier"], "--json",
        )  # fmt: skip
        assert answer.code == 5


def _count(world: World, **params: str) -> int:
    return world.client.get("/console/security/audit", params=params).text.count(ROW)


def test_audit_search_finds_what_the_pages_display(world: World, cli: Callable[..., Any]) -> None:
    _reveals(world, cli)
    world.sign_in("security_officer")
    courier = world.staff["courier"]
    with world.rt.db.read_session() as session:
        person = access_service.get(session, world.rt.tenant, courier)
        assert person is not None
        employee_no, masked = person.employee_no, person.name_masked
    by_id = _count(world, actor=courier, action="reveal")
    assert by_id == len(world.others)
    assert _count(world, staff=employee_no, action="reveal") == by_id
    assert _count(world, staff="测试courier", action="reveal") == by_id  # full name (both couriers)
    assert _count(world, staff=masked, event="查看完整信息") >= by_id  # both couriers share it
    assert _count(world, staff="no-such-person") == 0
    assert _count(world, actor=courier[:12], action="reveal") == by_id  # the short id shown
    assert _count(world, actor=courier[:8].upper(), action="reveal") == by_id
    assert _count(world, actor=courier, event="查看完整信息") == by_id
    assert _count(world, actor=courier, event="viewed full details") == by_id
    assert _count(world, actor=courier, event="no such words") == 0
    waybill = world.others[0]
    assert _count(world, actor=courier, waybill=waybill) == 1
    assert _count(world, waybill=waybill) >= 3  # imported, assigned, revealed...
    assert _count(world, waybill="NOPE-0000") == 0
    shown = world.client.get("/console/security/audit", params={"waybill": waybill}).text
    target = shown.split('title="shipment:')[1].split('"')[0]  # as the page's tooltip shows
    assert _count(world, target=f"shipment:{target}", actor=courier) == 1
    assert _count(world, target=target, actor=courier) == 1  # the id alone, as before
    assert _count(world, target=f"station:{target}") == 0
    today = world.rt.clock.now()
    assert _count(world, actor=courier, **{"from": f"{today:%Y-%m-%d}"}) >= by_id
    assert _count(world, actor=courier, **{"from": "2099-01-01"}) == 0
    assert _count(world, actor=courier, to="2000-01-01") == 0
    bad = world.client.get("/console/security/audit", params={"from": "yesterday"}).text
    assert "时间格式不正确" in bad


def test_local_dates_are_whole_days_in_the_tenant_zone(
    world: World, cli: Callable[..., Any]
) -> None:
    from datetime import timedelta

    from parcelguard.words.formats import zone

    _reveals(world, cli)
    world.sign_in("security_officer")
    courier = world.staff["courier"]
    local = world.rt.clock.now().astimezone(zone(world.rt.settings.timezone))
    day = f"{local:%Y-%m-%d}"
    expected = len(world.others)
    assert _count(world, actor=courier, action="reveal", to=day) == expected
    before = f"{local - timedelta(days=1):%Y-%m-%d}"
    assert _count(world, actor=courier, action="reveal", to=before) == 0


def test_local_dates_follow_the_timezone_setting(world: World, cli: Callable[..., Any]) -> None:
    from datetime import timedelta

    from parcelguard.words.formats import zone

    _reveals(world, cli)
    world.sign_in("security_officer")
    courier = world.staff["courier"]
    expected = len(world.others)
    kept = world.rt.settings.timezone
    try:
        for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11
            world.rt.settings.timezone = name
            local = world.rt.clock.now().astimezone(zone(name))
            day, before = f"{local:%Y-%m-%d}", f"{local - timedelta(days=1):%Y-%m-%d}"
            after = f"{local + timedelta(days=1):%Y-%m-%d}"
            whole_day = {"from": day, "to": day}
            assert _count(world, actor=courier, action="reveal", **whole_day) == expected
            assert _count(world, actor=courier, action="reveal", to=before) == 0
            assert _count(world, actor=courier, action="reveal", **{"from": after}) == 0
    finally:
        world.rt.settings.timezone = kept

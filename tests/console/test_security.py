"""Security centre: alerts resolved from the page, audit search and verification, leak report,
canaries, keys and the self-check; admins see keys and the self-check only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.console.conftest import World, csrf_of

ALERT_LINK = re.compile(r'href="/console/security/alerts/(\w+)"')


def _prying_courier(world: World, cli: Callable[..., Any]) -> None:
    """The courier asks for other couriers' addresses until the monitor alerts."""
    for waybill in (world.others + world.at_station) * 2:
        answer = cli(
            "reveal", waybill, "--field", "recipient.address", "--purpose", "delivery",
            "--api-key", world.keys["courier"], "--json",
        )  # fmt: skip
        assert answer.code == 5
    assert world.rt.publisher.drain(30)


def test_an_officer_resolves_an_alert_and_restores_reveal_rights(
    world: World, cli: Callable[..., Any]
) -> None:
    _prying_courier(world, cli)
    csrf = world.sign_in("security_officer")
    overview = world.client.get("/console/security").text
    assert "访问未分配的包裹" in overview and "已暂停其查看权限" in overview
    listing = world.client.get("/console/security/alerts").text
    page_of = {
        i: world.client.get(f"/console/security/alerts/{i}").text
        for i in set(ALERT_LINK.findall(listing))
    }
    alert_id, page = next((i, p) for i, p in page_of.items() if "访问未分配的包裹" in p)
    assert "测*" in page and "包裹未分配给本人" in page and world.others[0] in page
    assert f'action="/api/v1/alerts/{alert_id}/resolve"' in page and 'name="restore"' in page
    assert (
        world.post(
            f"/api/v1/alerts/{alert_id}/assign", csrf, json={"to": world.staff["security_officer"]}
        ).status_code
        == 200
    )
    assert "处理中" in world.client.get(f"/console/security/alerts/{alert_id}").text
    forged = world.client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"false_positive": True})
    assert forged.status_code == 403  # no CSRF token
    done = world.post(
        f"/api/v1/alerts/{alert_id}/resolve", csrf, json={"false_positive": True, "restore": True}
    )
    assert done.status_code == 200 and done.json()["restored"] is True
    closed = world.client.get(f"/console/security/alerts/{alert_id}").text
    assert "误报" in closed and "/resolve" not in closed and "此告警已关闭" in closed
    assert alert_id in world.client.get("/console/security/alerts?status=false_positive").text
    world.sign_in("courier")
    assert "等待安全专员复核" not in world.client.get("/console").text  # the suspension notice


def test_audit_search_and_chain_verification(world: World, cli: Callable[..., Any]) -> None:
    _prying_courier(world, cli)
    world.sign_in("security_officer")
    courier = world.staff["courier"]
    page = world.client.get(
        "/console/security/audit", params={"actor": courier, "action": "reveal"}
    ).text
    reasons = re.findall(r'<span class="muted">(包裹未分配给本人|查看权限已暂停)</span>', page)
    refusals = len(reasons)  # suspended midway: the later ones are refused for that
    assert refusals == 2 * len(world.others + world.at_station)
    assert f'value="{courier}"' in page
    since = world.client.get(
        "/console/security/audit", params={"action": "reveal", "since": "2030-01-01T00:00"}
    ).text
    assert "没有匹配的审计事件" in since
    bad = world.client.get("/console/security/audit", params={"since": "yesterday"}).text
    assert "时间格式不正确" in bad
    checked = world.client.get("/console/security/audit", params={"verify": "true"}).text
    assert "审计日志完整" in checked


def test_a_traced_leak_reads_as_a_report_with_its_suspect(world: World) -> None:
    csrf = world.sign_in("security_officer")
    lines = [
        f"{r['recipient_name']},{r['recipient_phone']},{r['recipient_address']}"
        for r in world.rows
        if r["waybill_no"] in world.others
    ]
    traced = world.post("/api/v1/forensics/trace", csrf, data={"text": "\n".join(lines)})
    assert traced.status_code == 200, traced.text
    leak_id = traced.json()["leak_id"]
    assert leak_id in world.client.get("/console/security/leaks").text
    report = world.client.get(f"/console/security/leaks/{leak_id}").text
    assert f"principal:{world.staff['courier2']}" in report
    assert f'data-principal="{world.staff["courier2"]}"' in report
    assert f"/api/v1/forensics/leaks/{leak_id}/report" in report
    assert not any(world.row(w)["recipient_phone"] in report for w in world.others)


def test_canaries_keys_and_the_self_check(world: World) -> None:
    csrf = world.sign_in("security_officer")
    page = world.client.get("/console/security/canaries").text
    assert "还没有诱饵记录" in page and world.staff["courier"] in page  # offered as a channel
    seeded = world.post(
        "/api/v1/forensics/canaries",
        csrf,
        json={"kind": "station", "channel_id": "st-xihu", "count": 2},
    )
    assert seeded.status_code == 200
    page = world.client.get("/console/security/canaries").text
    assert page.count("station:st-xihu") == 2 and "data-canary=" in page
    keys = world.client.get("/console/security/keys").text
    assert 'id="pg-active-kek">v1<' in keys
    doctor = world.client.get("/console/security/doctor").text
    assert "立即运行" in doctor and "pg-checks" not in doctor
    ran = world.client.get("/console/security/doctor", params={"run": "true"}).text
    assert 'data-check="audit.chain"' in ran and "pg-badge-pass" in ran


def test_admins_see_keys_and_the_self_check_but_not_the_officers_sections(world: World) -> None:
    world.sign_in("admin")
    overview = world.client.get("/console/security").text
    assert "管理员在此只能查看密钥状态和安全自检" in overview
    assert 'href="/console/security/alerts"' not in overview
    assert 'href="/console/security/doctor"' in overview
    assert world.client.get("/console/security/leaks").status_code == 403
    assert csrf_of(overview)

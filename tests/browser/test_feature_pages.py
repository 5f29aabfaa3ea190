"""Issue 18's pages in a real browser on a 390 px phone: lookup, restore, notice, copy, charts.

A customer-service agent looks a parcel up under a ticket; a security officer reads the charts
and restores an account from its alert; a suspended courier reads why and whom to call; an
admin makes an enrolment link and copies it; a recipient reads the "who viewed" timeline.
Every button and link in the menus and tables of these pages is at least 44 × 44 px, no page
scrolls sideways, and no page logs a CSP violation or a script error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.browser.support import (
    AUTHENTICATOR,
    cli,
    free_port,
    fresh_runtime,
    launch,
    live_server,
    portal_sign_in,
)
from tests.conftest import write_csv
from tests.monitor.test_monitor_incidents import finding, rt_start

from parcelguard.monitor import service as monitor
from parcelguard.portal.sms import RecordingSmsProvider, install
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker

pytestmark = pytest.mark.browser

PHONE = "13800138000"
WIDTH = 390
# Every visible link or button in a menu, a table, the top bar, and every button of the page.
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'nav a, table a, table button, header a, main button, main a.button'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width > 0 && r.height > 0)
  .filter(([e, r]) => r.width < 44 || r.height < 44)
  .map(([e, r]) => (e.textContent || '').trim().slice(0, 24) + ' ' + Math.round(r.width)
       + 'x' + Math.round(r.height))"""


@dataclass
class Server:
    """The running server and what the test seeded in it."""

    base_url: str
    sms: RecordingSmsProvider
    links: dict[str, str]  # who → enrolment link
    waybill: str  # on the road with the suspended courier, received by PHONE
    alert_id: str  # the alert that suspended the second courier


def _user(rt: Runtime, name: str, role: str, *extra: str) -> dict[str, Any]:
    trained = (date.today() + timedelta(days=365)).isoformat()
    args = ["users", "add", "--name", name, "--role", role, "--trained-until", trained]
    return dict(cli(rt, *args, *extra))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    rt = fresh_runtime(tmp_path / "home", port)
    sms = RecordingSmsProvider()
    install(rt, sms)
    people = {
        "courier": _user(rt, "王小明", "courier", "--station", "st-xihu"),
        "courier2": _user(rt, "李大伟", "courier", "--station", "st-xihu"),
        "agent": _user(rt, "张客服", "customer_service"),
        "officer": _user(rt, "陈安全", "security_officer"),
        "admin": _user(rt, "周管理", "admin"),
    }
    rows = list(Faker(5).rows(3))
    rows[0]["recipient_phone"] = PHONE
    cli(rt, "import", str(write_csv(tmp_path / "s.csv", rows)))
    for row in rows:
        cli(rt, "event", row["waybill_no"], "assigned", "--courier", people["courier"]["id"])
        cli(rt, "event", row["waybill_no"], "out_for_delivery")
        reveal = ["reveal", row["waybill_no"], "--field", "recipient.address"]
        cli(rt, *reveal, "--purpose", "delivery", "--api-key", people["courier"]["api_key"])
    minute = (rt.clock.now().timestamp() - rt_start()) / 60  # now, on the real clock
    with rt.db.session() as session:  # the monitor suspends both couriers
        monitor.record(rt, session, [finding(people["courier"]["id"], minute=minute)])
        monitor.record(rt, session, [finding(people["courier2"]["id"], minute=minute)])
    with rt.db.read_session() as session:
        [alert_id] = [
            i.incident_id
            for i in monitor.list_alerts(session, rt.tenant)
            if i.principal_id == people["courier2"]["id"]
        ]
    links = {
        who: cli(rt, "users", "enrol-link", people[who]["id"])["url"]
        for who in ("courier", "agent", "officer", "admin")
    }
    with live_server(rt, port):
        yield Server(rt.settings.base_url, sms, links, rows[0]["waybill_no"], alert_id)


def _browse(server: Server, steps: Callable[[Any, Any], None]) -> None:
    """Run `steps(browser, problems)` in Chromium; fail on any script or CSP error."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            steps(browser, problems)
        finally:
            browser.close()
    assert problems == []


def _phone(browser: Any, problems: list[str], server: Server, **options: Any) -> Any:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 800}, **options
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    return context, page


def _staff(browser: Any, problems: list[str], server: Server, who: str) -> Any:
    """Return the page of a member of staff who enrolled a passkey on a phone (390 px)."""
    context, page = _phone(browser, problems, server)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    page.goto(server.links[who])
    page.get_by_role("button", name="在这台设备上创建通行密钥").click()
    page.wait_for_url(f"{server.base_url}/console")
    return context, page


def _usable(page: Any) -> None:
    """Assert the page fits the phone and its menu, table and button targets are ≥ 44 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide at {WIDTH}px"
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], f"{page.url}: targets under 44 px: {small}"


def test_an_agent_looks_a_parcel_up_under_a_ticket_on_a_phone(server: Server) -> None:
    from playwright.sync_api import expect

    def steps(browser: Any, problems: list[str]) -> None:
        _context, page = _staff(browser, problems, server, "agent")
        page.get_by_role("navigation").get_by_role("link", name="查询包裹").click()
        page.wait_for_url(f"{server.base_url}/console/service/lookup")
        _usable(page)
        page.get_by_label("工单号（必填）").fill("不是工单")
        page.get_by_label("运单号", exact=True).fill(server.waybill)
        page.get_by_role("button", name="查询").click()
        expect(page.locator("#pg-lookup-error")).to_contain_text("请填写有效的工单号")
        page.get_by_label("工单号（必填）").fill("CS-123456")
        page.get_by_label("手机号", exact=True).fill(PHONE)
        page.get_by_label("运单号", exact=True).fill("")
        page.get_by_role("button", name="查询").click()
        card = page.locator(f"li[data-waybill='{server.waybill}']")
        expect(card).to_contain_text("出库派送")
        expect(card.locator(".pg-lookup-looked")).to_contain_text("查看完整信息")
        assert PHONE not in page.content()
        _usable(page)

    _browse(server, steps)


def test_an_officer_reads_the_charts_and_restores_an_account(server: Server) -> None:
    from playwright.sync_api import expect

    def steps(browser: Any, problems: list[str]) -> None:
        _context, page = _staff(browser, problems, server, "officer")
        page.goto(f"{server.base_url}/console/security")
        reveals = page.locator("#pg-chart-reveals")
        expect(reveals).to_be_visible()
        assert reveals.get_attribute("data-total") == "3"
        bars = page.locator("#pg-chart-alerts rect")
        assert sum(int(v) for v in bars.evaluate_all("b => b.map(x => x.dataset.value)")) == 2
        expect(page.get_by_role("img", name=re.compile("近 30 天各规则告警数"))).to_be_visible()
        _usable(page)
        page.goto(f"{server.base_url}/console/security/alerts/{server.alert_id}")
        _usable(page)
        page.get_by_role("button", name=re.compile("恢复账号")).click()
        expect(page.get_by_role("button", name=re.compile("恢复账号"))).to_have_count(0)
        expect(page.locator("#pg-alert-status")).to_contain_text("待处理")
        _usable(page)

    _browse(server, steps)


def test_a_suspended_courier_reads_why_and_whom_to_call(server: Server) -> None:
    from playwright.sync_api import expect

    def steps(browser: Any, problems: list[str]) -> None:
        _context, page = _staff(browser, problems, server, "courier")
        page.get_by_role("navigation").get_by_role("link", name="我的派送").click()
        notice = page.locator(".pg-suspended")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("你的查看权限已暂停")
        expect(notice).to_contain_text("请联系安全专员：陈*")
        expect(page.locator("button.pg-reveal")).to_have_count(0)
        _usable(page)
        page.goto(f"{server.base_url}/console/deliveries?lang=en")
        expect(notice).to_contain_text("Your reveal rights are suspended")

    _browse(server, steps)


def test_an_admin_copies_the_shown_once_link(server: Server) -> None:
    from playwright.sync_api import expect

    def steps(browser: Any, problems: list[str]) -> None:
        context, page = _staff(browser, problems, server, "admin")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
        page.goto(f"{server.base_url}/console/admin")
        box = page.locator("#pg-secret")
        expect(box).to_be_hidden()  # no empty box before a secret exists
        card = page.locator("li[data-principal]").filter(has_text="李大伟")
        expect(card.locator(".pg-next-step")).to_contain_text("先把注册链接发给 李大伟（工号")
        _usable(page)
        card.get_by_role("button", name=re.compile("生成通行密钥注册链接")).click()
        secret = page.locator("#pg-secret-value")
        expect(box).to_be_visible()
        expect(secret).to_be_visible()
        expect(secret).to_contain_text("/console/enrol#")
        expect(page.locator(".pg-secret-hint")).to_contain_text("只把这个链接发给 李大伟")
        assert secret.bounding_box()["height"] >= 16
        page.get_by_role("button", name="复制").click()
        expect(page.locator(".pg-copy-status")).to_have_text("已复制。")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == secret.inner_text() and copied.startswith(server.base_url)
        _usable(page)

    _browse(server, steps)


def test_a_recipient_reads_the_timeline_of_who_viewed(server: Server) -> None:
    from playwright.sync_api import expect

    def steps(browser: Any, problems: list[str]) -> None:
        _context, page = _phone(browser, problems, server)
        portal_sign_in(page, server.base_url, server.sms, PHONE)
        page.get_by_role("navigation").get_by_role("link", name="谁看过我的信息").click()
        chart = page.locator("#pg-access-dots")
        expect(chart).to_be_visible()
        cards = page.locator(".pg-access > li").count()
        assert cards >= 1 and page.locator("#pg-access-dots circle").count() == cards
        expect(page.locator(".pg-day-item").first).to_contain_text("快递员")
        _usable(page)

    _browse(server, steps)

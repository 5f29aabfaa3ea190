"""Staff in a real browser: a security officer traces a leak, a courier calls, a clerk hands over.

The real server runs in a thread (uvicorn, a fresh home on SQLite); Debian's Chromium is driven
by Playwright, with the DevTools virtual authenticator standing in for each person's passkey.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.browser.support import (
    AUTHENTICATOR,
    CHROMIUM,
    CHROMIUM_ARGS,
    cli,
    free_port,
    live_server,
)
from tests.conftest import write_csv

from parcelguard.migrations import upgrade
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from parcelguard.vault.synthetic import Division, Faker

pytestmark = pytest.mark.browser

POOL = [f"1710571{n:04d}" for n in range(1, 31)]
HANGZHOU = Division("330106", "浙江省", "杭州市", "西湖区")


@dataclass
class Server:
    """The running server and what the test seeded in it."""

    base_url: str
    links: dict[str, str]  # role → enrolment link
    rows: list[dict[str, str]]
    on_road: list[str]
    leak: Path


def _user(rt: Runtime, name: str, role: str, *extra: str) -> dict[str, Any]:
    trained = (date.today() + timedelta(days=365)).isoformat()
    args = ["users", "add", "--name", name, "--role", role, "--trained-until", trained]
    return dict(cli(rt, *args, *extra))


def _seed(rt: Runtime, tmp_path: Path) -> tuple[dict[str, str], list[dict[str, str]], Path]:
    """Two couriers, a clerk, an officer, 60 parcels; a leak of the first courier's parcels."""
    pool = tmp_path / "pool.csv"
    pool.write_text("number\n" + "\n".join(POOL) + "\n")
    cli(rt, "relay", "pool", "import", str(pool))
    leaker = _user(rt, "王小明", "courier", "--station", "st-xihu", "--phone", "13600136000")
    other = _user(rt, "李大伟", "courier", "--station", "st-xihu", "--phone", "13600136001")
    clerk = _user(rt, "赵店员", "station_clerk", "--station", "st-xihu")
    officer = _user(rt, "陈安全", "security_officer")
    faker = Faker(7)
    rows = list(faker.rows(60))
    for row in rows:  # one city-month: the leak's stratum is the whole tenant
        row["recipient_address"] = faker.address(HANGZHOU)
    cli(rt, "import", str(write_csv(tmp_path / "s.csv", rows)))
    for i, row in enumerate(rows):
        courier = leaker if i < 18 else other
        cli(rt, "event", row["waybill_no"], "assigned", "--courier", courier["id"])
        if i < 3:
            cli(rt, "event", row["waybill_no"], "out_for_delivery")
        elif i >= 58:
            cli(rt, "event", row["waybill_no"], "at_station", "--station", "st-xihu")
    links = {
        role: cli(rt, "users", "enrol-link", who["id"])["url"]
        for role, who in (("officer", officer), ("courier", leaker), ("clerk", clerk))
    }
    leak = tmp_path / "leak.csv"
    with leak.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["收货人", "联系手机", "收货地址"])
        for row in rows[:15] + list(Faker(99).rows(3, prefix="XX")):
            writer.writerow(
                [row["recipient_name"], row["recipient_phone"], row["recipient_address"]]
            )
    return links, rows, leak


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    base_url = f"http://localhost:{port}"
    rt = Runtime.from_settings(
        Settings.load(home=tmp_path / "home", database_url=None, tenant="t1", base_url=base_url)
    )
    upgrade(rt.db.engine)
    links, rows, leak = _seed(rt, tmp_path)
    on_road = [r["waybill_no"] for r in rows[:3]]
    with live_server(rt, port):
        yield Server(base_url, links, rows, on_road, leak)


def _browse(test: Any, server: Server) -> None:
    """Run `test(context_factory)` in Chromium; fail on any script or CSP error."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:

            def person(link: str, width: int = 1280) -> Any:
                context = browser.new_context(
                    locale="zh-CN", viewport={"width": width, "height": 800}
                )
                page = context.new_page()
                page.set_default_timeout(20_000)
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.on("console", lambda m: problems.append(m.text) if _complaint(m) else None)
                cdp = context.new_cdp_session(page)
                cdp.send("WebAuthn.enable", {"enableUI": False})
                cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
                page.goto(link)
                page.get_by_role("button", name="在这台设备上创建通行密钥").click()
                page.wait_for_url(f"{server.base_url}/console")
                return page

            test(person)
        finally:
            browser.close()
    assert problems == []


def test_a_security_officer_uploads_a_leaked_file_and_reads_the_report(server: Server) -> None:
    from playwright.sync_api import expect

    def steps(person: Any) -> None:
        page = person(server.links["officer"])
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url(f"{server.base_url}/console/login")
        page.get_by_role("button", name="使用通行密钥登录").click()  # the passkey signs in
        page.wait_for_url(f"{server.base_url}/console")
        page.get_by_role("link", name="安全中心", exact=True).first.click()
        page.get_by_role("link", name="泄露溯源").click()
        page.get_by_label("泄露文件").set_input_files(str(server.leak))
        page.get_by_role("button", name="开始溯源").click()
        page.wait_for_url(re.compile(r".*/console/security/leaks/\w+$"), timeout=60_000)
        expect(page.locator("#pg-matched")).to_have_text("15")
        first = page.locator(".pg-suspects > li").first
        expect(first.locator(".pg-suspect-name")).to_have_text("王**")
        expect(first).to_contain_text("指认")
        expect(first).to_contain_text("15 / 15")
        content = page.content()
        assert not any(r["recipient_phone"] in content for r in server.rows[:15])
        page.set_viewport_size({"width": 360, "height": 800})
        _fits(page)

    _browse(steps, server)


def test_a_courier_calls_through_the_virtual_number_not_the_real_one(server: Server) -> None:
    from playwright.sync_api import expect

    def steps(person: Any) -> None:
        page = person(server.links["courier"], width=360)
        page.get_by_role("link", name="我的派送").first.click()
        page.wait_for_url(f"{server.base_url}/console/deliveries")
        for waybill in server.on_road:
            call = page.locator(f"li[data-waybill='{waybill}'] a.pg-call")
            expect(call).to_have_attribute("href", re.compile(r"^tel:\+86171057100\d\d$"))
            number = (call.get_attribute("href") or "")[len("tel:+86") :]
            assert number in POOL
            expect(call).to_contain_text(f"{number[:3]} {number[3:7]} {number[7:]}")
        content = page.content()
        for row in server.rows[:3]:
            assert row["recipient_phone"] not in content
            assert row["recipient_phone"][:3] + " " not in content
        _fits(page)

    _browse(steps, server)


def test_a_clerk_sees_a_wrong_code_then_hands_a_parcel_over(server: Server) -> None:
    from playwright.sync_api import expect

    def steps(person: Any) -> None:
        page = person(server.links["clerk"], width=360)
        page.get_by_role("link", name="驿站柜台").first.click()
        rows = page.locator("tr[data-pg-item]")
        expect(rows).to_have_count(2)
        code = rows.first.get_attribute("data-pg-item") or ""
        result = page.locator("#pg-handover-result")
        page.get_by_role("textbox", name="取件码").fill("9-9-9999")
        page.get_by_role("button", name="交付", exact=True).click()
        expect(result).to_have_text("没有包裹在这个取件码下等待。请核对取件码。")
        expect(result).to_have_class(re.compile(r"\bbad\b"))
        page.get_by_role("textbox", name="取件码").fill(code)
        page.get_by_role("button", name="交付", exact=True).click()
        expect(result).to_contain_text("已交付：运单 PGT")
        expect(result).to_contain_text(f"取件码 {code}")
        expect(rows).to_have_count(1)
        _fits(page)

    _browse(steps, server)


def _fits(page: Any) -> None:
    """Assert the page needs no sideways scrolling at its viewport's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide at {viewport}px"


def _complaint(message: Any) -> bool:
    """Return whether the console reports an error (a CSP violation, a script error)."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")

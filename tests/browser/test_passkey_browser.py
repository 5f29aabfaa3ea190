"""A courier in a real browser: enrol a passkey, sign out, sign in, reveal an assigned address.

The real server runs in a thread (uvicorn, a fresh home on SQLite); Debian's Chromium is driven
by Playwright, with the DevTools virtual authenticator standing in for the phone's passkey.
"""

from __future__ import annotations

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
from parcelguard.vault.synthetic import Faker

pytestmark = pytest.mark.browser


@dataclass
class Server:
    """The running server and what the test seeded in it."""

    base_url: str
    enrol_url: str
    waybill: str
    address: str


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    base_url = f"http://localhost:{port}"
    home = tmp_path / "home"
    rt = Runtime.from_settings(
        Settings.load(home=home, database_url=None, tenant="t1", base_url=base_url)
    )
    upgrade(rt.db.engine)
    trained = (date.today() + timedelta(days=365)).isoformat()
    courier = cli(
        rt, "users", "add", "--name", "王小明", "--role", "courier", "--trained-until", trained
    )
    row = next(Faker(7).rows(1))
    cli(rt, "import", str(write_csv(tmp_path / "s.csv", [row])))
    cli(rt, "event", row["waybill_no"], "assigned", "--courier", courier["id"])
    cli(rt, "event", row["waybill_no"], "out_for_delivery")
    link = cli(rt, "users", "enrol-link", courier["id"])

    with live_server(rt, port):
        yield Server(base_url, link["url"], row["waybill_no"], row["recipient_address"])


def test_courier_enrols_signs_in_and_reveals_an_address(server: Server) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("console", lambda m: problems.append(m.text) if _complaint(m) else None)
            page.on("response", lambda r: problems.append(r.url) if _failed(r) else None)
            cdp = context.new_cdp_session(page)
            cdp.send("WebAuthn.enable", {"enableUI": False})
            added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})

            page.goto(server.enrol_url)
            page.get_by_label("通行密钥名称").fill("工作手机")
            page.get_by_role("button", name="在这台设备上创建通行密钥").click()
            page.wait_for_url(f"{server.base_url}/console")
            expect(page.locator("#pg-passkey-count")).to_have_text("1")

            page.get_by_role("button", name="退出登录").click()
            page.wait_for_url(f"{server.base_url}/console/login")

            page.get_by_role("button", name="使用通行密钥登录").click()
            page.wait_for_url(f"{server.base_url}/console")
            card = page.locator(f"li[data-waybill='{server.waybill}']")
            address = card.locator(".pg-address")
            expect(address).not_to_have_text(server.address)  # masked until revealed

            card.get_by_role("button", name="查看完整地址").click()
            expect(address).to_have_text(server.address)
            expect(page.locator("#pg-status")).to_contain_text("已显示完整地址")
            held = cdp.send(
                "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
            )
            assert len(held["credentials"]) == 1 and held["credentials"][0]["isResidentCredential"]
            assert held["credentials"][0]["signCount"] >= 2  # the sign-in and the step-up
        finally:
            browser.close()
    assert problems == []


def _failed(response: Any) -> bool:
    """Return whether a page's request failed (the browser's own favicon probe aside)."""
    return response.status >= 400 and not response.url.endswith("/favicon.ico")


def _complaint(message: Any) -> bool:
    """Return whether the console reports an error (a CSP violation, a script error)."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")

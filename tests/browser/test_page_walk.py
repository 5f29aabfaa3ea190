"""Every page each role and the recipient reach, on a phone and a laptop, in Chinese and English.

The demo tenant (`parcelguard.demo.seed`: every role, 300 parcels in every state, alerts,
complaints, canaries) plus one traced leak runs on the real server (uvicorn in a thread,
SQLite). Each member of staff signs in with a passkey (DevTools virtual authenticator), the
recipient with the code the recording SMS provider got; `walk.discover` follows their menus
and opens one of each detail page. Every page, at 390 px and 1280 px, in zh-CN and English,
must pass `walk.problems`: no sideways scrolling, no raw code, no words of the other language,
no axe-core violation of WCAG A/AA. A failure lists every problem of the role at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.browser import walk
from tests.browser.support import AUTHENTICATOR, free_port, launch, live_server

from parcelguard.assembly import install as wire
from parcelguard.audit.service import Actor
from parcelguard.demo import DEMO_RECIPIENT_PHONE, DemoTenant, seed
from parcelguard.forensics import service as forensics
from parcelguard.migrations import upgrade
from parcelguard.portal.sms import RecordingSmsProvider
from parcelguard.portal.sms import install as install_sms
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings

pytestmark = pytest.mark.browser

STAFF = ("admin", "station_clerk", "courier", "customer_service", "security_officer")
SIGNED_OUT = ("/", "/console/login", "/portal")


@dataclass
class Site:
    """The running demo tenant, its recording SMS provider and one browser."""

    base_url: str
    demo: DemoTenant
    sms: RecordingSmsProvider
    browser: Any

    def login(self, role: str) -> dict[str, Any]:
        """Return the first seeded member of staff of a role."""
        return next(x for x in self.demo.logins if x["role"] == role)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("walk")
    port = free_port()
    base_url = f"http://localhost:{port}"
    rt = Runtime.from_settings(
        Settings.load(home=home / "home", database_url=None, tenant="t1", base_url=base_url)
    )
    upgrade(rt.db.engine)
    wire(rt)
    sms = RecordingSmsProvider()
    install_sms(rt, sms)
    rt.settings.demo_mode = True
    demo = seed(rt)
    officer = next(x for x in demo.logins if x["role"] == "security_officer")
    assert demo.leak_file is not None
    forensics.trace(rt, Actor(officer["id"], "security_officer"), Path(demo.leak_file))
    with live_server(rt, port), sync_playwright() as p:
        browser = launch(p)
        try:
            yield Site(base_url, demo, sms, browser)
        finally:
            browser.close()


@pytest.mark.parametrize("role", STAFF)
def test_every_page_a_member_of_staff_reaches_reads_well(site: Site, role: str) -> None:
    page = _context(site).new_page()
    errors = _watch(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    found: list[str] = []
    for lang in ("en", "zh"):  # the enrolment page, the first one each person opens
        _language(page, site, lang)
        page.goto("about:blank")  # the link's secret is in its fragment: load it afresh
        page.goto(site.login(role)["enrol_url"])
        found += _check_here(page, f"/console/enrol {lang}", lang)
    page.get_by_role("button", name="在这台设备上创建通行密钥").click()
    page.wait_for_url(f"{site.base_url}/console")
    paths = walk.discover(page, site.base_url, "/console")
    assert len(paths) >= 2, paths
    found += _check_all(page, site, paths)
    page.context.close()
    _report(found + errors)


def test_every_page_of_the_recipient_portal_reads_well(site: Site) -> None:
    page = _context(site).new_page()
    errors = _watch(page)
    found = _check_all(page, site, SIGNED_OUT)
    for lang in walk.LANGS:  # the page asking for the code, in each language
        _language(page, site, lang)
        page.goto(f"{site.base_url}/portal")
        page.locator("#pg-phone").fill(DEMO_RECIPIENT_PHONE)
        page.locator("form[action='/portal/code'] button[type=submit]").click()
        page.locator("#pg-code").wait_for()
        found += _check_here(page, f"/portal/code {lang}", lang)
    page.locator("#pg-code").fill(site.sms.last_code(DEMO_RECIPIENT_PHONE))
    page.locator("form[action='/portal/signin'] button[type=submit]").click()
    page.wait_for_url(f"{site.base_url}/portal")
    walk.unsatisfied(page, site.base_url)
    paths = walk.discover(page, site.base_url, "/portal")
    assert "/portal/parcels" in paths and any(p.endswith("/appeal") for p in paths), paths
    found += _check_all(page, site, paths)
    page.context.close()
    _report(found + errors)


def _report(found: list[str]) -> None:
    """Fail with every problem, one a line (the same problem at both widths once)."""
    if found:
        pytest.fail("\n".join(dict.fromkeys(found)), pytrace=False)


def _context(site: Site) -> Any:
    context = site.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    return context


def _watch(page: Any) -> list[str]:
    """Collect script errors and CSP violations the page logs."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"console: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    return errors


def _language(page: Any, site: Site, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": site.base_url}])


def _check_all(page: Any, site: Site, paths: Any) -> list[str]:
    """Open every path in each language and check it at each width."""
    found: list[str] = []
    for lang in walk.LANGS:
        _language(page, site, lang)
        for path in paths:
            page.goto(site.base_url + path)
            found += _check_here(page, f"{path} {lang}", lang)
    return found


def _check_here(page: Any, where: str, lang: str) -> list[str]:
    found: list[str] = []
    for width, height in walk.WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        found += [f"{where} {width}px: {p}" for p in walk.problems(page, lang)]
    page.set_viewport_size({"width": 1280, "height": 800})
    return found


@pytest.mark.parametrize(
    "text",
    [
        "动作 shipment.at_station",
        "原因 assigned_courier",
        "['a', 'b']",
        "{'rule': 'x'}",
        "None",
        "告警 01a23bce830c705e71294a2a095d0151",
        "2026-12-03T12:08:00+00:00",
        "at 12:08:00Z",
    ],
)
def test_the_raw_code_check_finds_codes_a_reader_should_not_see(text: str) -> None:
    assert walk.raw_codes(text) != []


def test_the_raw_code_check_lets_addresses_and_file_names_through() -> None:
    text = (
        "下载 label.pdf 或 demo-leak.csv；http://localhost:8080/portal?lang=en；ops@example.com；"
    )
    text += "申诉网站 sswz.spb.gov.cn; a passkey, e.g. your phone"
    assert walk.raw_codes(text) == []


def test_the_language_check_finds_the_other_language() -> None:
    assert walk.wrong_language(["派送", "Out for delivery"], "zh") != []
    assert walk.wrong_language(["My deliveries", "派送"], "en") != []
    assert walk.wrong_language(["我的派送", "PG20260000001", "3-2-0417"], "zh") == []


def test_the_page_checks_name_a_box_too_wide_and_a_field_without_a_label(site: Site) -> None:
    page = _context(site).new_page()
    page.goto(f"{site.base_url}/console/login")
    page.set_viewport_size({"width": 390, "height": 844})
    assert walk.problems(page, "zh", axe=False) == []
    page.evaluate("""() => {
      const wide = document.createElement('div');
      wide.id = 'pg-too-wide';
      wide.style.width = '900px';
      wide.textContent = '太宽';
      document.querySelector('main').append(wide);
    }""")
    found = walk.problems(page, "zh", axe=False)
    assert len(found) == 1 and "wide at 390px" in found[0] and "div#pg-too-wide" in found[0]
    page.evaluate("""() => {
      document.getElementById('pg-too-wide').remove();
      const field = document.createElement('input');
      field.id = 'pg-unlabelled';
      document.querySelector('main').append(field);
    }""")
    found = walk.problems(page, "zh")
    page.context.close()
    assert any(p.startswith("axe label ") and "#pg-unlabelled" in p for p in found), found

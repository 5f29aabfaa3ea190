"""A recipient on a 360 px phone and a customer-service agent, in a real browser.

The recipient signs in with the code the (recording) SMS provider got, sees their parcel and
who viewed it, checks a real and a fake caller, checks whether their number leaked (hashed in
the browser), redacts a photo, and files a complaint; the agent signs in with a passkey
(DevTools virtual authenticator), reveals one field under the complaint and answers it in the
console; the recipient sees the answer. The real server runs in a thread (uvicorn, SQLite); Debian's
Chromium is driven by Playwright; no page may log a CSP violation or a script error.
"""

from __future__ import annotations

import io
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
    portal_sign_in,
)
from tests.conftest import write_csv

from parcelguard.migrations import upgrade
from parcelguard.portal.sms import RecordingSmsProvider, install
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from parcelguard.vault.synthetic import Faker

pytestmark = pytest.mark.browser

PHONE = "13800138000"
COURIER_PHONE = "13600136000"
STRANGER = "17000170000"
COMPLAINT = "有人冒充快递员打电话，要我报验证码。"
ANSWER = "已核实：来电不是我司员工，号码已上报。请勿提供验证码。"


@dataclass
class Server:
    """The running server and what the test seeded in it."""

    base_url: str
    sms: RecordingSmsProvider
    agent_enrol_url: str
    waybill: str
    address: str


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    base_url = f"http://localhost:{port}"
    rt = Runtime.from_settings(
        Settings.load(home=tmp_path / "home", database_url=None, tenant="t1", base_url=base_url)
    )
    upgrade(rt.db.engine)
    sms = RecordingSmsProvider()
    install(rt, sms)
    trained = (date.today() + timedelta(days=365)).isoformat()
    row = next(Faker(11).rows(1))
    row["recipient_phone"] = PHONE
    cli(rt, "import", str(write_csv(tmp_path / "s.csv", [row])))
    courier = cli(
        rt,
        "users",
        "add",
        "--name",
        "李快递",
        "--role",
        "courier",
        "--station",
        "st-xihu",
        "--phone",
        COURIER_PHONE,
        "--trained-until",
        trained,
    )
    cli(rt, "event", row["waybill_no"], "assigned", "--courier", courier["id"])
    cli(rt, "event", row["waybill_no"], "out_for_delivery")
    cli(
        rt,
        "reveal",
        row["waybill_no"],
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        courier["api_key"],
    )
    agent = cli(
        rt,
        "users",
        "add",
        "--name",
        "张客服",
        "--role",
        "customer_service",
        "--trained-until",
        trained,
    )
    link = cli(rt, "users", "enrol-link", agent["id"])
    _seed_leak(rt, PHONE)

    with live_server(rt, port):
        yield Server(base_url, sms, link["url"], row["waybill_no"], row["recipient_address"])


def test_recipient_complains_and_an_agent_answers(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    photo = _parcel_photo(tmp_path / "parcel.png")

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            phone = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
            page = _watched(phone.new_page(), problems)
            _recipient_signs_in(page, server, expect)
            _recipient_checks_callers_leaks_and_a_photo(page, server, photo, expect)
            complaint_id = _recipient_files_a_complaint(page, server, expect)

            desk = browser.new_context(locale="zh-CN")
            agent = _watched(desk.new_page(), problems)
            cdp = desk.new_cdp_session(agent)
            cdp.send("WebAuthn.enable", {"enableUI": False})
            cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
            _agent_answers(agent, server, complaint_id, expect)

            page.reload()
            expect(page.locator("#pg-answer")).to_have_text(ANSWER)
            expect(page.locator("#pg-c-status")).to_have_text("已答复")
            _fits(page)
            assert any("已有答复" in m for m in server.sms.messages_to(PHONE))
            page.goto(f"{server.base_url}/portal/access")
            expect(page.locator(".pg-role").first).to_be_visible()
            assert "客服" in page.locator(".pg-access").inner_text()
        finally:
            browser.close()
    assert problems == []


def _recipient_signs_in(page: Any, server: Server, expect: Any) -> None:
    page.goto(f"{server.base_url}/portal")
    _fits(page)
    portal_sign_in(page, server.base_url, server.sms, PHONE)
    _fits(page)


def _recipient_files_a_complaint(page: Any, server: Server, expect: Any) -> str:
    page.get_by_role("navigation").get_by_role("link", name="我的包裹").click()
    expect(page.get_by_text(server.waybill).first).to_be_visible()
    assert server.address not in page.content()
    page.get_by_role("link", name=re.compile("详情")).first.click()
    page.wait_for_url(re.compile(r".*/portal/parcels/.+"))
    expect(page.locator(".pg-role").first).to_have_text("快递员")
    _fits(page)

    page.get_by_role("navigation").get_by_role("link", name="谁看过我的信息").click()
    expect(page.locator(".pg-access")).to_contain_text("st-xihu")
    expect(page.locator(".pg-access")).to_contain_text("派送")
    _fits(page)

    page.get_by_role("navigation").get_by_role("link", name="投诉").click()
    page.get_by_role("link", name="提交新投诉").click()
    page.get_by_label("冒充快递的诈骗电话").check()
    page.get_by_label(re.compile(server.waybill)).check()
    page.get_by_label("投诉内容", exact=True).fill(COMPLAINT)
    _fits(page)
    page.get_by_role("button", name="提交投诉").click()
    page.wait_for_url(re.compile(r".*/portal/complaints/C\d{8}-\w{6}\?done=filed"))
    expect(page.get_by_role("status")).to_contain_text("投诉已提交")
    expect(page.locator("#pg-c-status")).to_have_text("待答复")
    found = re.search(r"/portal/complaints/(C\d{8}-\w{6})", page.url)
    assert found
    return found.group(1)


def _recipient_checks_callers_leaks_and_a_photo(
    page: Any, server: Server, photo: Path, expect: Any
) -> None:
    page.get_by_role("navigation").get_by_role("link", name="核实来电").click()
    page.get_by_label("来电号码").fill(COURIER_PHONE)
    page.get_by_role("button", name="核实").click()
    expect(page.locator("#pg-verdict")).to_have_text("是你包裹的快递员")
    page.get_by_label("来电号码").fill(STRANGER)
    page.get_by_role("button", name="核实").click()
    expect(page.locator("#pg-verdict")).to_contain_text("无法确认")
    _fits(page)

    page.get_by_role("navigation").get_by_role("link", name="号码泄露查询").click()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.get_by_label("手机号", exact=True).fill(PHONE)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#pg-exposure-result")).to_have_attribute("data-found", "true")
    page.get_by_label("手机号", exact=True).fill(STRANGER)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#pg-exposure-result")).to_have_attribute("data-found", "false")
    assert requests and all(PHONE not in u and STRANGER not in u for u in requests)
    assert any(re.search(r"/api/v1/exposure/range/[0-9a-f]{5}$", u) for u in requests)
    _fits(page)

    page.get_by_role("navigation").get_by_role("link", name="照片打码").click()
    page.get_by_label("照片", exact=True).set_input_files(str(photo))
    page.get_by_role("button", name="打码").click()
    expect(page.locator("#pg-redact-status")).to_contain_text("已遮盖", timeout=90_000)
    expect(page.locator("#pg-redact-preview")).to_be_visible()
    href = page.locator("#pg-redact-download").get_attribute("href") or ""
    assert href.startswith("data:image/png;base64,")
    _fits(page)


def _agent_answers(agent: Any, server: Server, complaint_id: str, expect: Any) -> None:
    agent.goto(server.agent_enrol_url)
    agent.get_by_role("button", name="在这台设备上创建通行密钥").click()
    agent.wait_for_url(f"{server.base_url}/console")
    agent.goto(f"{server.base_url}/console/service")
    agent.get_by_role("link", name=re.compile(complaint_id)).click()
    agent.wait_for_url(f"{server.base_url}/console/service/complaints/{complaint_id}")
    expect(agent.get_by_text(COMPLAINT)).to_be_visible()
    address = agent.locator("[id$='-address']").first
    expect(address).not_to_have_text(server.address)
    agent.get_by_role("button", name="查看 收件人地址").click()
    expect(address).to_have_text(server.address)
    agent.get_by_role("textbox", name="答复").fill(ANSWER)
    agent.get_by_role("button", name="提交答复").click()
    expect(agent.locator("#pg-cs-answer-text")).to_have_text(ANSWER)


def _seed_leak(rt: Runtime, phone: str) -> None:
    """Record `phone` as seen in a traced leak (what `trace` stores: two digests, no number)."""
    from parcelguard.forensics.exposure import hasher_for
    from parcelguard.forensics.models import ExposedPhone

    hasher = hasher_for(rt)
    e164 = "+86" + phone
    with rt.db.session() as session:
        session.add(
            ExposedPhone(
                tenant_id=rt.tenant,
                digest=hasher.keyed(e164),
                leak_id="leak-1",
                public_hash=hasher.public(e164),
                leaked_on=date.today(),
            )
        )


def _parcel_photo(path: Path) -> Path:
    """Draw a parcel photo with a QR code on it (a code the redactor must fill)."""
    import segno
    from PIL import Image

    code = io.BytesIO()
    segno.make("https://parcelguard.example/s/abcdef", error="m").save(code, kind="png", scale=8)
    canvas = Image.new("RGB", (640, 480), (200, 170, 120))
    canvas.paste(Image.open(code).convert("RGB"), (180, 100))
    canvas.save(path)
    return path


def _watched(page: Any, problems: list[str]) -> Any:
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if _complaint(m) else None)
    page.on("response", lambda r: problems.append(r.url) if _failed(r) else None)
    return page


def _fits(page: Any) -> None:
    """Assert the page needs no sideways scrolling at its viewport's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide at {viewport}px"


def _failed(response: Any) -> bool:
    return response.status >= 400 and not response.url.endswith("/favicon.ico")


def _complaint(message: Any) -> bool:
    return message.type == "error" and not message.text.startswith("Failed to load resource")

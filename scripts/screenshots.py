"""Screenshots of every page people reach, laptop (1280 px) and phone (390 px), into docs/images/.

Runs `parcelguard demo` on a fresh temporary home, exactly as `make demo` does, and drives
Debian's Chromium through Playwright: staff register a passkey with their enrolment link
(the DevTools virtual authenticator stands in for the phone), the recipient signs in with the
one-time code the demo's SMS provider prints on the server console. The pages are the page
walk's (`tests/browser/walk.py`: each role's menus and one of each detail page), in Chinese,
plus a few states worth seeing (an address revealed, a wrong pickup code, a caller checked).
Every person and parcel
is fictional. Usage: `make screenshots` (or `.venv/bin/python scripts/screenshots.py [OUT]`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtual environment running this script
sys.path.insert(0, str(ROOT))
from tests.browser import walk  # noqa: E402 - the page walk's list of pages

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}
WIDTHS = {1280: 800, 390: 844}  # width → viewport height (a laptop, a phone)
MAX_HEIGHT = 2400  # long pages are cut here
ROLES = {
    "courier": "courier-",
    "station_clerk": "clerk-",
    "customer_service": "service-",
    "admin": "admin-",
}
STRANGER = "17000170000"


class Demo:
    """The demo server on a temporary home, and what its seeding printed."""

    def __init__(self, home: Path, port: int) -> None:
        self.home, self.port = home, port
        self.url = f"http://localhost:{port}"
        self.env = {**os.environ, "PARCELGUARD_HOME": str(home)}
        seeded = subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [str(BIN / "parcelguard"), "demo", "--port", str(port), "--no-serve", "--json"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.seed: dict[str, Any] = json.loads(seeded.stdout)
        self.log = home / "server.log"
        with self.log.open("w") as sink:
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                [str(BIN / "parcelguard"), "demo", "--port", str(port)],
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the demo server stopped; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("the demo server did not start")

    def login(self, role: str, index: int = 0) -> dict[str, Any]:
        """Return the index-th seeded login of a role (enrolment link, API key)."""
        return [x for x in self.seed["logins"] if x["role"] == role][index]

    def last_code(self) -> str:
        """Return the newest one-time code the console SMS provider printed."""
        for _ in range(50):
            codes = re.findall(r"\[SMS → [^\]]*\][^\n]*?(?<!\d)(\d{6})(?!\d)", self.log.read_text())
            if codes:
                return codes[-1]
            time.sleep(0.2)
        raise SystemExit("no one-time code on the server console")

    def api(self, path: str, key: str) -> Any:
        """GET an API document with a key."""
        request = urllib.request.Request(  # noqa: S310 - http://localhost only
            f"{self.url}{path}", headers={"Authorization": f"Bearer {key}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return json.load(answer)

    def stop(self) -> None:
        """Stop the server this script started."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Camera:
    """Takes each page at both widths (Chinese); remembers pages wider than the viewport."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.too_wide: list[str] = []
        self.taken: list[str] = []

    def shoot(self, page: Any, name: str) -> None:
        """Write `<name>-1280.png` and `<name>-390.png`, then go back to the desktop width."""
        for width, height in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(150)
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                self.too_wide.append(f"{name} at {width}px is {wide}px wide")
            full = page.evaluate("document.documentElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT)}
            path = self.out / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True, clip=clip)
            self.taken.append(path.name)
        page.set_viewport_size({"width": 1280, "height": WIDTHS[1280]})

    def walk(self, page: Any, demo: Demo, start: str, prefix: str = "") -> None:
        """Shoot every page reachable from `start` (the page walk's list of pages)."""
        for path in walk.discover(page, demo.url, start):
            page.goto(demo.url + path)
            self.shoot(page, prefix + walk.name_of(path))


def staff_page(browser: Any, demo: Demo, role: str, index: int = 0) -> Any:
    """Open a browser context for a member of staff, enrol their passkey, land on /console."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    page.goto(demo.login(role, index)["enrol_url"])
    page.get_by_role("button", name="在这台设备上创建通行密钥").click()
    page.wait_for_url(f"{demo.url}/console")
    return page


def security(browser: Any, demo: Demo, cam: Camera) -> None:
    """Shoot the security centre as an officer, after tracing the demo's leaked file."""
    page = staff_page(browser, demo, "security_officer")
    page.goto(f"{demo.url}/console/security/leaks")
    page.get_by_label("泄露文件").set_input_files(demo.seed["leak_file"])
    page.get_by_role("button", name="开始溯源").click()
    page.wait_for_url(re.compile(r".*/console/security/leaks/\w+"), timeout=60_000)
    cam.walk(page, demo, "/console", prefix="officer-")
    prying = demo.login("courier", 4)["id"]
    page.goto(f"{demo.url}/console/security/audit?actor={prying}&verify=true")
    cam.shoot(page, "officer-console-security-audit-courier")
    page.goto(f"{demo.url}/console/security/doctor?run=true")
    cam.shoot(page, "officer-console-security-doctor-run")


def staff(browser: Any, demo: Demo, cam: Camera) -> None:
    """Shoot every page of the courier, the clerk, customer service and the admin."""
    for role, prefix in ROLES.items():
        page = staff_page(browser, demo, role)
        cam.walk(page, demo, "/console", prefix=prefix)
        if role == "courier":  # an address revealed with the passkey
            page.goto(f"{demo.url}/console/deliveries")
            page.locator(".pg-reveal").first.click()
            page.locator("[data-revealed='true']").first.wait_for()
            cam.shoot(page, "courier-console-deliveries-revealed")
        if role == "station_clerk":  # a wrong pickup code
            page.goto(f"{demo.url}/console/station")
            page.get_by_role("textbox", name="取件码").fill("9-9-9999")
            page.get_by_role("button", name="交付", exact=True).click()
            page.locator("#pg-handover-result.bad").wait_for()
            cam.shoot(page, "clerk-console-station-wrong-code")
        page.context.close()


def recipient(browser: Any, demo: Demo, cam: Camera) -> None:
    """Shoot the signed-out pages and the recipient portal (sign-in, code, every page)."""
    phone = demo.seed["recipient_phone"]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    for path in ("/", "/console/login", "/portal"):
        page.goto(demo.url + path)
        cam.shoot(page, walk.name_of(path) if path != "/portal" else "portal-signin")
    page.get_by_label("手机号", exact=True).fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("6 位验证码", exact=True).wait_for()
    cam.shoot(page, "portal-code")
    page.get_by_label("6 位验证码", exact=True).fill(demo.last_code())
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{demo.url}/portal")
    walk.unsatisfied(page, demo.url)
    cam.walk(page, demo, "/portal")
    page.goto(f"{demo.url}/portal/verify")
    number = _courier_number(demo, phone) or STRANGER
    page.get_by_label("来电号码").fill(number.removeprefix("+86"))
    page.get_by_role("button", name="核实").click()
    page.locator("#pg-verdict").wait_for()
    cam.shoot(page, "portal-verify-answer")
    page.goto(f"{demo.url}/portal/exposure")
    page.get_by_label("手机号", exact=True).fill(phone)
    page.get_by_role("button", name="查询").click()
    page.locator("#pg-exposure-result[data-found]").wait_for()
    cam.shoot(page, "portal-exposure-answer")
    context.close()


def _courier_number(demo: Demo, phone: str) -> str | None:
    """Return the privacy number a courier of the recipient's parcels calls from."""
    found = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(BIN / "parcelguard"), "find", "--phone", phone, "--json"],
        env=demo.env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = demo.login("admin")["api_key"]
    for waybill in json.loads(found.stdout)["waybills"]:
        for binding in demo.api(f"/api/v1/relay/bindings?waybill={waybill}", key)["bindings"]:
            if binding["kind"] == "axb" and binding["virtual_number"]:
                return str(binding["virtual_number"])
    return None


def free_port() -> int:
    """Return a free local port."""
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return int(sock.getsockname()[1])


def main(out: Path) -> int:
    """Run the demo, take every screenshot, report pages too wide for a phone."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="parcelguard-shots-"))
    demo = Demo(home, free_port())
    cam = Camera(out)
    steps: list[Callable[[Any, Demo, Camera], None]] = [
        security,
        recipient,
        staff,
    ]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for step in steps:
                    step(browser, demo, cam)
            finally:
                browser.close()
    finally:
        demo.stop()
        shutil.rmtree(home, ignore_errors=True)
    print(f"wrote {len(cam.taken)} screenshots to {out}", file=sys.stderr)
    for problem in cam.too_wide:
        print(f"too wide: {problem}", file=sys.stderr)
    return 1 if cam.too_wide else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"))

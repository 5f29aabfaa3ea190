"""What every browser test shares: Debian Chromium's launch, a live server, a CLI, problems.

The server is the real application under uvicorn in a thread, on a fresh SQLite home, on a
`localhost` port (WebAuthn needs a host name); Chromium is Debian's, never a downloaded one.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

import uvicorn

from parcelguard.app import create_app
from parcelguard.cli import run
from parcelguard.runtime import Runtime
from parcelguard.web.security.log_hygiene import server_options

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


def free_port() -> int:
    """Return a free port on localhost."""
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return int(sock.getsockname()[1])


def cli(rt: Runtime, *args: str) -> Any:
    """Run a CLI command with --json against `rt`; return its JSON (it must succeed)."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert run([*args, "--json"], make_runtime=lambda: rt) == 0, out.getvalue()
    return json.loads(out.getvalue())


@contextmanager
def live_server(rt: Runtime, port: int) -> Iterator[None]:
    """Serve the application for `rt` on localhost:`port` until the block ends."""
    options = {**server_options(), "log_level": "warning"}  # as `parcelguard serve` runs it
    config = uvicorn.Config(create_app(rt), host="localhost", port=port, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)
        rt.close()


def fresh_runtime(home: Path, port: int) -> Runtime:
    """Return a runtime on a fresh SQLite home, migrated, serving `http://localhost:port`."""
    from parcelguard.migrations import upgrade
    from parcelguard.settings import Settings

    base_url = f"http://localhost:{port}"
    rt = Runtime.from_settings(
        Settings.load(home=home, database_url=None, tenant="t1", base_url=base_url)
    )
    upgrade(rt.db.engine)
    return rt


def portal_sign_in(page: Any, base_url: str, sms: Any, phone: str) -> None:
    """Sign a recipient in on the portal with the code the recording SMS provider got."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/portal")
    page.get_by_label("手机号", exact=True).fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text(f"{phone[:3]}******{phone[-2:]}")
    page.get_by_label("6 位验证码", exact=True).fill(sms.last_code(phone))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/portal")


def launch(playwright: Any) -> Any:
    """Launch Debian's Chromium headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def add_authenticator(context: Any, page: Any) -> tuple[Any, str]:
    """Attach a DevTools virtual authenticator with user verification; return (cdp, id)."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    return cdp, added["authenticatorId"]


def failed(response: Any) -> bool:
    """Return whether a page's request failed (the browser's own favicon probe aside)."""
    return response.status >= 400 and not response.url.endswith("/favicon.ico")

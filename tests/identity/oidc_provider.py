"""Starts the real OpenID provider (node oidc-provider, tests/oidc/server.mjs) on a free port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

SERVER = Path(__file__).resolve().parents[1] / "oidc" / "server.mjs"
CLIENT_SECRET = "client-secret-for-tests-0123456789abcdef"
OTHER_SECRET = "other-client-secret-0123456789abcdef"
REDIRECT = "http://localhost:8080/auth/sso/callback"
ACCOUNTS: dict[str, dict[str, Any]] = {
    "alice": {"name": "Alice Courier", "email": "alice@corp.test", "groups": ["pg-couriers-hz"]},
    "bob": {"name": "Bob Clerk", "email": "bob@corp.test", "groups": ["staff", "pg-clerks"]},
    "carol": {"name": "Carol Nobody", "email": "carol@corp.test", "groups": ["finance"]},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class OpenIdProvider:
    """A running provider: its issuer URL and the process."""

    issuer: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_provider(*, groups_in_userinfo_only: bool = False) -> OpenIdProvider:
    """Start node oidc-provider with two clients ("parcelguard" and "other") and test accounts."""
    node = shutil.which("node")
    if node is None or not (SERVER.parent / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("node and tests/oidc/node_modules are needed: run `make install`")
    port = free_port()
    client = {
        "redirect_uris": [REDIRECT],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "id_token_signed_response_alg": "RS256",
    }
    config = {
        "port": port,
        "clients": [
            {**client, "client_id": "parcelguard", "client_secret": CLIENT_SECRET},
            {**client, "client_id": "other-app", "client_secret": OTHER_SECRET},
        ],
        "accounts": ACCOUNTS,
        "conform": groups_in_userinfo_only,
    }
    env = {**os.environ, "OIDC_TEST_CONFIG": json.dumps(config), "NODE_NO_WARNINGS": "1"}
    process = subprocess.Popen(
        [node, str(SERVER)],
        cwd=SERVER.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            if (
                httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code
                == 200
            ):
                return OpenIdProvider(issuer, process)
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the test OpenID provider did not start")


def follow_to_callback(url: str) -> str:
    """Play the browser at the provider: follow redirects until it sends us to our callback."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        for _ in range(12):
            answer = browser.get(url)
            location = answer.headers.get("location")
            if location is None:
                raise AssertionError(f"the provider stopped at {answer.status_code}")
            url = str(httpx.URL(url).join(location))
            if url.startswith(REDIRECT):
                return url
    raise AssertionError("too many redirects")

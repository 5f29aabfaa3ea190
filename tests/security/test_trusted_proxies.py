"""Forwarded-for headers count only when they come from a configured proxy.

An anonymous caller who may set `X-Forwarded-For` (or `Forwarded`, `X-Real-IP`) at will would
escape every per-address limit by inventing a new address per request, or lock somebody else
out by naming their address. The client address is resolved once, from `[http]
trusted_proxies` (CIDRs, none by default), and every limit, lockout and audit detail uses it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.errors import ConfigError
from parcelguard.runtime import Runtime
from tests.security.edges_world import BAD_KEY, bearer, served

LOCKOUT_LIMIT = 5


def lockout_events(cli) -> list[dict]:
    return cli("audit", "log", "--action", "auth.lockout", "--json").json["events"]


def test_a_direct_caller_cannot_dodge_the_lockout_with_forwarded_for(
    rt: Runtime, cli, tmp_path: Path
) -> None:
    with served(rt, tmp_path) as server:
        codes = [
            server.get(
                "/api/v1/auth/me",
                headers={**bearer(BAD_KEY), "X-Forwarded-For": f"198.51.100.{i}"},
            ).status_code
            for i in range(LOCKOUT_LIMIT + 2)
        ]
    assert codes == [401] * LOCKOUT_LIMIT + [429, 429]
    [event] = lockout_events(cli)
    assert event["details"]["network"] == "127.0.0.0/24"  # the real peer, not a claimed one


def test_a_direct_caller_cannot_frame_another_address(rt: Runtime, cli) -> None:
    attacker = TestClient(create_app(rt), client=("203.0.113.9", 40000))
    for header in ("X-Forwarded-For", "X-Real-IP"):
        for _ in range(LOCKOUT_LIMIT):
            attacker.get("/api/v1/auth/me", headers={**bearer(BAD_KEY), header: "198.51.100.4"})
    victim = TestClient(create_app(rt), client=("198.51.100.4", 40000))
    assert victim.get("/api/v1/auth/me", headers=bearer(BAD_KEY)).status_code == 401
    assert [e["details"]["network"] for e in lockout_events(cli)] == ["203.0.113.0/24"]


def test_a_configured_proxy_is_believed_and_its_client_is_limited(rt: Runtime, cli) -> None:
    rt.settings.sections["http"] = {"trusted_proxies": ["10.0.0.0/24"]}
    proxy = TestClient(create_app(rt), client=("10.0.0.2", 40000))
    # The client prepends a fake hop; the proxy appends the address it really saw.
    chain = {"X-Forwarded-For": "192.0.2.77, 198.51.100.4"}
    codes = [
        proxy.get("/api/v1/auth/me", headers={**bearer(BAD_KEY), **chain}).status_code
        for _ in range(LOCKOUT_LIMIT + 1)
    ]
    assert codes == [401] * LOCKOUT_LIMIT + [429]
    other = {"X-Forwarded-For": "198.51.100.99"}
    assert proxy.get("/api/v1/auth/me", headers={**bearer(BAD_KEY), **other}).status_code == 401
    [event] = lockout_events(cli)
    assert event["details"]["network"] == "198.51.100.0/24"


def test_per_address_limits_of_anonymous_endpoints_use_the_resolved_address(
    rt: Runtime,
) -> None:
    rt.settings.sections["ratelimit"] = {"limits": {"exposure_check": {"limit": 3, "window": 60}}}
    direct = TestClient(create_app(rt), client=("203.0.113.9", 1))
    codes = [
        direct.get(
            "/api/v1/exposure/range/abcde", headers={"X-Forwarded-For": f"192.0.2.{i}"}
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


RESOLUTION = [
    # peer, headers, trusted, expected client
    ("203.0.113.9", {"x-forwarded-for": "198.51.100.1"}, [], "203.0.113.9"),
    ("10.0.0.2", {"x-forwarded-for": "198.51.100.1"}, [], "10.0.0.2"),
    ("10.0.0.2", {"x-forwarded-for": "198.51.100.1"}, ["10.0.0.0/8"], "198.51.100.1"),
    (
        "10.0.0.2",
        {"x-forwarded-for": "1.2.3.4, 198.51.100.1, 10.0.0.9"},
        ["10.0.0.0/8"],
        "198.51.100.1",
    ),
    ("10.0.0.2", {"x-forwarded-for": "10.0.0.8, 10.0.0.9"}, ["10.0.0.0/8"], "10.0.0.8"),
    ("10.0.0.2", {"x-forwarded-for": "not-an-ip"}, ["10.0.0.0/8"], "10.0.0.2"),
    (
        "10.0.0.2",
        {"forwarded": 'for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"'},
        ["10.0.0.0/8"],
        "2001:db8::1",
    ),
    ("10.0.0.2", {"x-real-ip": "198.51.100.3"}, ["10.0.0.0/8"], "198.51.100.3"),
    (
        "10.0.0.2",
        {"x-real-ip": "198.51.100.3", "x-forwarded-for": "198.51.100.1"},
        ["10.0.0.0/8"],
        "198.51.100.1",
    ),
    ("::1", {"x-forwarded-for": "198.51.100.1"}, ["::1/128"], "198.51.100.1"),
]


@pytest.mark.parametrize(("peer", "headers", "trusted", "expected"), RESOLUTION)
def test_client_address_resolution(
    peer: str, headers: dict[str, str], trusted: list[str], expected: str
) -> None:
    from parcelguard.web.security.client_address import TrustedProxies, resolve

    assert resolve(peer, headers, TrustedProxies.parse(trusted)).client == expected


def test_the_forwarded_scheme_counts_only_from_a_proxy() -> None:
    from parcelguard.web.security.client_address import TrustedProxies, resolve

    proxies = TrustedProxies.parse(["10.0.0.0/8"])
    forwarded = {"x-forwarded-for": "198.51.100.1", "x-forwarded-proto": "https"}
    assert resolve("10.0.0.2", forwarded, proxies).scheme == "https"
    assert resolve("203.0.113.9", forwarded, proxies).scheme is None


def test_a_bad_proxy_setting_is_refused_at_start(rt: Runtime) -> None:
    rt.settings.sections["http"] = {"trusted_proxies": ["10.0.0.0/33"]}
    with pytest.raises(ConfigError) as refused:
        create_app(rt)
    assert "trusted_proxies" in refused.value.message

"""`/metrics` answers only its own token: not anonymous, not a wrong token, not an API key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from tests.conftest import make_settings

TOKEN = "metrics-token-for-security-0123456789abcd"


@pytest.fixture
def settings(home, database_url):
    return make_settings(
        home, database_url, sections={"metrics": {"enabled": True, "token": TOKEN}}
    )


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ", "Bearer wrong-token-0123456789abcdefghijklmn", f"Basic {TOKEN}", TOKEN],
    ids=["none", "empty", "wrong", "basic", "no-scheme"],
)
def test_metrics_without_the_token_is_refused(rt, header: str | None) -> None:
    client = TestClient(create_app(rt), base_url="http://localhost:8080")
    answer = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert "parcelguard_" not in answer.text


def test_an_admin_api_key_does_not_open_metrics(rt, cli) -> None:
    admin = cli("users", "add", "--name", "管理员", "--role", "admin", "--json").json
    client = TestClient(create_app(rt), base_url="http://localhost:8080")
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {admin['api_key']}"})
    assert answer.status_code == 401


def test_metrics_are_off_without_configuration(home, database_url, clock) -> None:
    rt = Runtime.from_settings(make_settings(home, database_url), clock=clock)
    client = TestClient(create_app(rt), base_url="http://localhost:8080")
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401
    rt.close()


def test_a_short_token_is_not_accepted(home, database_url, clock) -> None:
    settings = make_settings(
        home, database_url, sections={"metrics": {"enabled": True, "token": "short"}}
    )
    rt = Runtime.from_settings(settings, clock=clock)
    client = TestClient(create_app(rt), base_url="http://localhost:8080")
    assert client.get("/metrics", headers={"Authorization": "Bearer short"}).status_code == 401
    rt.close()

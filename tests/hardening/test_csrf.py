"""The double-submit CSRF helper for server-rendered forms."""

from __future__ import annotations

import re

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from jinja2 import Environment

from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from parcelguard.web import csrf

PAGE = Environment(autoescape=True).from_string(
    '<form method="post" action="/form">{{ csrf_field(request) }}<button>go</button></form>'
)


def _app(rt: Runtime) -> FastAPI:
    app = create_app(rt)

    @app.get("/form", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        html = PAGE.render(request=request, csrf_field=csrf.csrf_field)
        return csrf.attach(HTMLResponse(html), request)  # type: ignore[return-value]

    @app.post("/form", dependencies=[Depends(csrf.require_form_csrf)])
    def post() -> dict:
        return {"done": True}

    return app


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    return TestClient(_app(rt), base_url="http://localhost:8080")


def test_form_with_the_token_passes(client: TestClient) -> None:
    token = _token(client.get("/form").text)
    assert client.cookies.get("pg_csrf") == token
    answer = client.post("/form", data={"csrf_token": token}, headers={"Origin": "null"})
    assert answer.status_code == 200


def test_the_same_token_is_reused_while_the_cookie_lives(client: TestClient) -> None:
    assert _token(client.get("/form").text) == _token(client.get("/form").text)


@pytest.mark.parametrize("sent", [None, "", "x" * 43, "wrong-token-" * 4])
def test_missing_or_wrong_token_is_refused(client: TestClient, sent: str | None) -> None:
    _token(client.get("/form").text)
    data = {} if sent is None else {"csrf_token": sent}
    answer = client.post("/form", data=data)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_failed"


def test_token_without_cookie_is_refused(rt: Runtime) -> None:
    first = TestClient(_app(rt))
    token = _token(first.get("/form").text)
    stranger = TestClient(_app(rt))  # an attacker's page cannot make the victim send the cookie
    assert stranger.post("/form", data={"csrf_token": token}).status_code == 403


def test_post_from_another_origin_is_refused(client: TestClient) -> None:
    token = _token(client.get("/form").text)
    answer = client.post(
        "/form", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403


def test_header_token_works_for_scripts(client: TestClient) -> None:
    token = _token(client.get("/form").text)
    assert client.post("/form", json={}, headers={"X-CSRF-Token": token}).status_code == 200


def test_secure_cookies_use_the_host_prefix(rt: Runtime) -> None:
    rt.settings.secure_cookies = True
    client = TestClient(_app(rt), base_url="https://localhost:8080")
    response = client.get("/form")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-pg_csrf=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
    token = _token(response.text)
    assert client.post("/form", data={"csrf_token": token}).status_code == 200

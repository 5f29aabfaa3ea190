"""One error mapping: JSON for programs, a page in Chinese (or English) for people.

A person never sees raw JSON or a trace: a browser asking for a page gets the error page that
says what happened and what to do next, in the words of the part of the site it is in. A
program (an `/api/` path, or a client asking for JSON) keeps the contract's error document.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from parcelguard.access import sessions as staff_sessions
from parcelguard.app import create_app
from parcelguard.errors import RateLimited
from parcelguard.runtime import Runtime
from tests.security.edges_world import staff

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PROGRAM = {"Accept": "application/json"}
SECRET = "13812345678"


def app_with_failures(rt: Runtime) -> FastAPI:
    """The real app plus two pages that fail: one rate-limited, one crashing."""
    app = create_app(rt)

    @app.get("/limited")
    def limited() -> None:
        raise RateLimited("too many", details={"retry_after": 120})

    @app.get("/crash")
    def crash() -> None:
        raise ValueError(f"cannot route {SECRET}")

    return app


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    return TestClient(app_with_failures(rt), raise_server_exceptions=False)


def is_page(answer: httpx.Response) -> bool:
    """Return whether an answer is one of our HTML pages (not JSON, not a trace)."""
    return answer.headers["content-type"].startswith("text/html") and "<!doctype html>" in (
        answer.text
    )


def test_an_unknown_page_is_the_chinese_404_page(client: TestClient) -> None:
    answer = client.get("/no/such/page", headers=BROWSER)
    assert answer.status_code == 404 and is_page(answer)
    assert "找不到这个页面" in answer.text and "返回首页" in answer.text
    assert 'lang="zh-CN"' in answer.text and '"error"' not in answer.text
    assert "default-src 'self'" in answer.headers["content-security-policy"]


def test_the_english_switch_works_on_error_pages(client: TestClient) -> None:
    answer = client.get("/no/such/page?lang=en", headers=BROWSER)
    assert answer.status_code == 404 and "Page not found" in answer.text
    assert 'lang="en"' in answer.text and "找不到" not in answer.text
    switch = client.get("/no/such/page", headers=BROWSER)  # the choice is remembered
    assert "Page not found" in switch.text


def test_programs_keep_the_json_error_document(client: TestClient) -> None:
    for path, headers in (
        ("/api/v1/nothing", BROWSER),  # an API path is JSON whatever the client accepts
        ("/no/such/page", PROGRAM),
        ("/relay/nothing", {}),
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found", path


def test_a_signed_out_console_action_says_to_sign_in(client: TestClient) -> None:
    answer = client.post(
        "/console/service/complaints/x1/answer", json={"text": "好"}, headers=BROWSER
    )
    assert answer.status_code == 401 and is_page(answer)
    assert "请先登录" in answer.text and 'href="/console/login"' in answer.text
    program = client.post(
        "/console/service/complaints/x1/answer", json={"text": "好"}, headers=PROGRAM
    )
    assert program.status_code == 401 and program.json()["error"]["code"] == "not_authenticated"


def test_a_page_of_another_role_is_the_403_page_with_the_callers_menu(
    rt: Runtime, client: TestClient
) -> None:
    courier, _ = staff(rt, "courier")
    with rt.db.session() as session:
        opened = staff_sessions.open_session(rt, session, courier, "courier", step_up_at=None)
    client.cookies.set(staff_sessions.COOKIE, opened.token)
    answer = client.get("/console/admin", headers=BROWSER)
    assert answer.status_code == 403 and is_page(answer)
    assert "没有权限" in answer.text and "此页面不属于你的岗位" in answer.text
    assert 'href="/console/deliveries"' in answer.text  # their own menu, to go on from
    english = client.get("/console/admin?lang=en", headers=BROWSER)
    assert "This page is not for your role." in english.text


def test_too_many_attempts_says_when_to_try_again(client: TestClient) -> None:
    answer = client.get("/limited", headers=BROWSER)
    assert answer.status_code == 429 and is_page(answer)
    assert "操作太频繁" in answer.text and "2 分钟" in answer.text
    assert answer.headers["retry-after"] == "120"
    program = client.get("/limited", headers=PROGRAM)
    assert program.json()["error"] == {
        "code": "rate_limited",
        "message": "too many",
        "details": {"retry_after": 120},
    }


def test_a_crash_is_a_calm_page_without_trace_or_values(client: TestClient) -> None:
    answer = client.get("/crash", headers=BROWSER)
    assert answer.status_code == 500 and is_page(answer)
    assert "系统出错了" in answer.text and "没有生效" in answer.text
    for leak in (SECRET, "Traceback", "ValueError", "cannot route"):
        assert leak not in answer.text
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    program = client.get("/crash", headers=PROGRAM)
    assert program.status_code == 500 and program.json()["error"]["code"] == "internal_error"
    assert SECRET not in program.text


def test_a_stale_portal_form_says_to_reload(client: TestClient) -> None:
    client.get("/portal")  # the sign-in form's pre-session
    answer = client.post("/portal/code", data={"phone": "13800138000"}, headers=BROWSER)
    assert answer.status_code == 403 and is_page(answer)
    assert "页面已过期，请刷新后重试" in answer.text and 'href="/portal"' in answer.text


def test_opening_a_forms_address_is_not_found_in_words(client: TestClient) -> None:
    answer = client.get("/portal/code", headers=BROWSER)
    assert answer.status_code == 405 and is_page(answer)
    assert "找不到这个页面" in answer.text and "这个地址不支持这种操作" in answer.text

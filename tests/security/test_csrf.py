"""Cross-site request forgery against every surface a browser cookie opens: console and portal.

The attacker's page makes the victim's browser post to us. It cannot read our pages, so it
never has the victim's CSRF token; at most the browser attaches the victim's cookies (or a
cookie the attacker planted). Every state-changing request a session cookie would authorise
must be refused unless it carries that very session's token, whichever route it aims at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from parcelguard.access import service as access_service
from parcelguard.access import sessions as staff_sessions
from parcelguard.app import create_app
from parcelguard.portal.sms import RecordingSmsProvider, install
from parcelguard.runtime import Runtime
from tests.security.edges_world import bearer, staff

PHONE = "13800138000"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
JSON = {"Accept": "application/json"}  # as the pages' scripts ask
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def sms(rt: Runtime) -> RecordingSmsProvider:
    provider = RecordingSmsProvider()
    install(rt, provider)
    return provider


@pytest.fixture
def client(rt: Runtime, sms: RecordingSmsProvider) -> Iterator[TestClient]:
    with TestClient(create_app(rt)) as test_client:
        yield test_client


def sign_in_staff(rt: Runtime, client: TestClient, principal_id: str, role: str) -> str:
    """Leave the client signed in as the passkey flow does; return the session's CSRF token."""
    with rt.db.session() as session:
        opened = staff_sessions.open_session(
            rt, session, principal_id, role, step_up_at=rt.clock.now()
        )
    client.cookies.set(staff_sessions.COOKIE, opened.token)
    return opened.csrf_token


def sign_in_person(client: TestClient, sms: RecordingSmsProvider) -> str:
    """Sign a recipient in on the portal; return the CSRF token its pages' forms carry."""
    first = client.get("/portal")
    pre = CSRF_FIELD.search(first.text)
    assert pre, "the sign-in form carries the pre-session's token"
    assert client.post("/portal/code", data={"phone": PHONE, "csrf": pre.group(1)}).is_success
    signed = client.post(
        "/portal/signin",
        data={"phone": PHONE, "code": sms.last_code(PHONE), "csrf": pre.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text[:300]
    token = CSRF_FIELD.search(client.get("/portal").text)
    assert token
    return token.group(1)


def api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Yield (full path, route) of every route, into included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        included = getattr(route, "original_router", None)  # FastAPI's lazily included router
        if included is not None:
            yield from api_routes(included.routes, prefix + route.include_context.prefix)


def unsafe_routes(client: TestClient, prefix: str) -> list[tuple[str, str]]:
    """Return (method, path) of every state-changing route under `prefix`, params filled in."""
    found = []
    for full, route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        if full.startswith(prefix):
            path = re.sub(r"\{[^}]+\}", "x1", full)
            found += [(method, path) for method in sorted((route.methods or set()) & UNSAFE)]
    return sorted(set(found))


def refused(answer: httpx.Response) -> bool:
    """Return whether the answer is the CSRF refusal (403 csrf_failed)."""
    return answer.status_code == 403 and answer.json()["error"]["code"] == "csrf_failed"


def test_no_console_or_api_route_accepts_a_staff_cookie_without_the_token(
    rt: Runtime, client: TestClient
) -> None:
    admin, _ = staff(rt, "admin")
    sign_in_staff(rt, client, admin, "admin")
    routes = unsafe_routes(client, "/console") + unsafe_routes(client, "/api/")
    assert len(routes) > 30
    for method, path in routes:
        answer = client.request(method, path, json={}, headers=JSON)
        assert refused(answer), (method, path, answer.status_code, answer.text[:200])


def test_no_portal_route_accepts_a_person_cookie_without_the_token(
    client: TestClient, sms: RecordingSmsProvider
) -> None:
    sign_in_person(client, sms)
    routes = unsafe_routes(client, "/portal")
    assert len(routes) >= 8
    for method, path in routes:
        answer = client.request(method, path, data={"confirm": "yes"}, headers=JSON)
        assert refused(answer), (method, path, answer.status_code, answer.text[:200])
    assert client.get("/portal/parcels", follow_redirects=False).status_code == 200  # signed in


def test_a_forged_admin_form_creates_no_account(rt: Runtime, client: TestClient) -> None:
    admin, _ = staff(rt, "admin")
    token = sign_in_staff(rt, client, admin, "admin")
    form = {"name": "攻击者", "role": "security_officer", "station": "", "phone": ""}
    with rt.db.read_session() as session:
        before = len(access_service.list_principals(session, rt.tenant))
    for forged in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": token[:-1]}):
        answer = client.post("/console/admin/users", json=form, headers={**JSON, **forged})
        assert refused(answer)
    with rt.db.read_session() as session:
        assert len(access_service.list_principals(session, rt.tenant)) == before
    made = client.post("/console/admin/users", json=form, headers={**JSON, "X-CSRF-Token": token})
    assert made.status_code == 200, made.text[:300]


def test_the_token_is_bound_to_its_own_session(rt: Runtime, client: TestClient) -> None:
    admin, _ = staff(rt, "admin")
    officer, _ = staff(rt, "security_officer")
    attacker = TestClient(client.app)
    attackers_token = sign_in_staff(rt, attacker, officer, "security_officer")
    sign_in_staff(rt, client, admin, "admin")
    # The attacker's own (valid) token does not open the victim's session.
    answer = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": attackers_token})
    assert refused(answer)
    assert client.get("/api/v1/auth/me").status_code == 200  # the victim is still signed in


def test_a_cross_site_request_is_refused_even_with_the_token(
    rt: Runtime, client: TestClient
) -> None:
    admin, _ = staff(rt, "admin")
    token = sign_in_staff(rt, client, admin, "admin")
    cross = {"X-CSRF-Token": token, "Sec-Fetch-Site": "cross-site"}
    assert refused(client.post("/api/v1/auth/logout", headers=cross))
    same = {"X-CSRF-Token": token, "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/v1/auth/logout", headers=same).status_code == 200


def test_a_bearer_key_is_not_ambient_and_needs_no_token(rt: Runtime, client: TestClient) -> None:
    admin, key = staff(rt, "admin")
    sign_in_staff(rt, client, admin, "admin")
    answer = client.post(
        "/api/v1/auth/enrolment-links", json={"principal_id": admin}, headers=bearer(key)
    )
    assert answer.status_code == 200, answer.text[:300]


def test_portal_forms_refuse_a_forged_token_and_change_nothing(
    client: TestClient, sms: RecordingSmsProvider
) -> None:
    token = sign_in_person(client, sms)
    forged = client.post("/portal/signout", data={"csrf": "forged-" * 6}, headers=JSON)
    assert refused(forged)
    assert client.get("/portal/parcels", follow_redirects=False).status_code == 200  # still in
    done = client.post("/portal/signout", data={"csrf": token}, follow_redirects=False)
    assert done.status_code == 303


def test_a_cross_site_sign_in_form_neither_texts_nor_signs_in(
    rt: Runtime, sms: RecordingSmsProvider
) -> None:
    victim = TestClient(create_app(rt))  # the browser never opened our sign-in page
    answer = victim.post("/portal/code", data={"phone": PHONE})
    assert answer.status_code == 403 and not sms.sent
    planted = victim.post("/portal/code", data={"phone": PHONE, "csrf": "x" * 32})
    assert planted.status_code == 403 and not sms.sent
    victim.get("/portal")  # a pre-session now; the attacker still does not know its token
    forged = victim.post("/portal/code", data={"phone": PHONE, "csrf": "y" * 32})
    assert forged.status_code == 403 and not sms.sent


def test_a_refused_browser_form_gets_a_page_that_says_to_reload(
    client: TestClient, sms: RecordingSmsProvider
) -> None:
    sign_in_person(client, sms)
    answer = client.post("/portal/erase", data={"confirm": "yes"}, headers={"Accept": "text/html"})
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "页面已过期，请刷新后重试" in answer.text and '"error"' not in answer.text

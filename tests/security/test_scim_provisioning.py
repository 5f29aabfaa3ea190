"""Attacks on SCIM provisioning: no or wrong token, and officers without a second officer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from parcelguard.access import grants, service
from parcelguard.app import create_app
from parcelguard.audit.service import Actor
from tests.conftest import make_settings
from tests.identity.scim_client import Scim, patch, user

TOKEN = "scim-token-for-security-tests-0123456789abc"
OPERATOR = Actor("operator", "operator")


@pytest.fixture
def settings(home, database_url):
    return make_settings(
        home,
        database_url,
        sections={
            "scim": {"enabled": True, "token": TOKEN},
            "sso": {"roles": [{"group": "pg-officers", "role": "security_officer"}]},
        },
    )


@pytest.fixture
def app(rt) -> TestClient:
    return TestClient(create_app(rt), base_url="http://localhost:8080")


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ", "Bearer wrong-token-0123456789abcdefghijklmnop", f"Basic {TOKEN}", TOKEN],
    ids=["none", "empty", "wrong", "basic", "no-scheme"],
)
def test_scim_without_the_token_is_refused(app: TestClient, rt, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    for method, path in (("GET", "/Users"), ("POST", "/Users"), ("GET", "/Groups")):
        answer = app.request(method, f"/scim/v2{path}", json=user("x.y"), headers=headers)
        assert answer.status_code == 401, (method, path)
    with rt.db.session() as session:
        assert service.list_principals(session, rt.tenant) == []


def test_an_api_key_is_not_a_scim_token(app: TestClient, cli) -> None:
    admin = cli("users", "add", "--name", "管理员", "--role", "admin", "--json").json
    assert Scim(app, admin["api_key"]).get("/Users").status_code == 401


def test_scim_is_off_without_configuration(home, database_url, clock) -> None:
    from parcelguard.runtime import Runtime

    rt = Runtime.from_settings(make_settings(home, database_url), clock=clock)
    client = TestClient(create_app(rt), base_url="http://localhost:8080")
    assert Scim(client, TOKEN).get("/Users").status_code == 401
    rt.close()


def test_scim_cannot_make_the_first_security_officer(app: TestClient, rt) -> None:
    answer = Scim(app, TOKEN).post("/Users", user("mallory", role="security_officer"))
    assert answer.status_code == 403
    with rt.db.session() as session:
        assert service.list_principals(session, rt.tenant) == []


def test_scim_officer_waits_for_a_second_officer(app: TestClient, rt, cli) -> None:
    officer = cli("users", "add", "--name", "安全员", "--role", "security_officer", "--json").json
    scim = Scim(app, TOKEN)
    created = scim.post("/Users", user("mallory", role="security_officer"))
    assert created.status_code == 201, created.text
    assert created.json()["active"] is False  # pending: cannot sign in or use a key
    uid = created.json()["id"]
    with rt.db.session() as session:
        assert service.get_or_raise(session, rt.tenant, uid).status == "pending"
        waiting = grants.pending(session, rt.tenant)
        assert [(g.principal_id, g.role, g.requested_by) for g in waiting] == [
            (uid, "security_officer", "scim")
        ]
    # Re-sending active=true does not skip the approval.
    scim.patch(f"/Users/{uid}", patch({"op": "replace", "path": "active", "value": True}))
    with rt.db.session() as session:
        assert service.get_or_raise(session, rt.tenant, uid).status == "pending"
    grants.decide_grant(
        rt, Actor(officer["id"], "security_officer"), waiting[0].grant_id, approved=True
    )
    with rt.db.session() as session:
        assert service.get_or_raise(session, rt.tenant, uid).status == "active"


def test_scim_promotion_to_officer_waits_for_a_second_officer(app: TestClient, rt, cli) -> None:
    cli("users", "add", "--name", "安全员", "--role", "security_officer", "--json")
    scim = Scim(app, TOKEN)
    uid = scim.post("/Users", user("eve")).json()["id"]
    promoted = scim.patch(
        f"/Users/{uid}",
        patch({"op": "replace", "path": "roles", "value": [{"value": "security_officer"}]}),
    )
    assert promoted.status_code == 200
    assert promoted.json()["roles"][0]["value"] == "courier"
    with rt.db.session() as session:
        assert [g.role for g in grants.pending(session, rt.tenant)] == ["security_officer"]


def test_scim_group_cannot_make_an_officer_either(app: TestClient, rt, cli) -> None:
    cli("users", "add", "--name", "安全员", "--role", "security_officer", "--json")
    scim = Scim(app, TOKEN)
    uid = scim.post("/Users", user("trent")).json()["id"]
    scim.post("/Groups", {"displayName": "pg-officers", "members": [{"value": uid}]})
    with rt.db.session() as session:
        assert service.get_or_raise(session, rt.tenant, uid).role == "courier"
        assert [g.role for g in grants.pending(session, rt.tenant)] == ["security_officer"]

"""SCIM 2.0 provisioning: create, update, group roles, and deactivation that ends everything."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.access import service, sessions
from parcelguard.access.models import ApiKey, WebSession
from parcelguard.app import create_app
from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import Actor
from tests.identity.conftest import SCIM_TOKEN
from tests.identity.scim_client import Scim, patch, user

OPERATOR = Actor("operator", "operator")


@pytest.fixture
def app(rt) -> TestClient:
    return TestClient(create_app(rt), base_url="http://localhost:8080")


@pytest.fixture
def scim(app: TestClient) -> Scim:
    return Scim(app, SCIM_TOKEN)


def test_create_read_and_list_a_user(scim: Scim, rt) -> None:
    created = scim.post("/Users", user("wang.xm"))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith("application/scim+json")
    body = created.json()
    assert body["active"] is True and body["roles"][0]["value"] == "courier"
    assert (
        body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"] == "HZ-01"
    )
    assert scim.get(f"/Users/{body['id']}").json()["userName"] == "wang.xm"
    listed = scim.get("/Users", filter='userName eq "wang.xm"').json()
    assert listed["totalResults"] == 1 and listed["Resources"][0]["id"] == body["id"]
    by_external = scim.get("/Users", filter='externalId eq "ext-wang.xm"').json()
    assert [r["id"] for r in by_external["Resources"]] == [body["id"]]
    assert scim.get("/Users", filter='userName eq "nobody"').json()["totalResults"] == 0
    assert scim.get("/Users", filter='displayName co "x"').status_code == 400
    with rt.db.session() as session:
        principal = service.get_or_raise(session, rt.tenant, body["id"])
        assert (principal.role, principal.station_id, principal.status) == (
            "courier",
            "HZ-01",
            "active",
        )


def test_same_user_name_twice_is_a_conflict(scim: Scim) -> None:
    assert scim.post("/Users", user("li.si")).status_code == 201
    again = scim.post("/Users", user("li.si"))
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"


def test_put_and_patch_update_name_station_and_role(scim: Scim, rt) -> None:
    uid = scim.post("/Users", user("zhao.liu")).json()["id"]
    replaced = scim.put(f"/Users/{uid}", user("zhao.liu", role="courier", station="HZ-09"))
    assert replaced.status_code == 200, replaced.text
    patched = scim.patch(
        f"/Users/{uid}",
        patch({"op": "replace", "path": "roles", "value": [{"value": "station_clerk"}]}),
    )
    assert patched.status_code == 200, patched.text
    with rt.db.session() as session:
        principal = service.get_or_raise(session, rt.tenant, uid)
        assert (principal.role, principal.station_id) == ("station_clerk", "HZ-09")


def test_group_membership_maps_to_a_role(scim: Scim, rt) -> None:
    uid = scim.post("/Users", user("chen.qi", role=None, station=None)).status_code
    assert uid == 400  # no role and no mapped group: the directory must say what they are
    uid = scim.post("/Users", user("chen.qi")).json()["id"]
    group = scim.post("/Groups", {"displayName": "pg-clerks", "members": [{"value": uid}]})
    assert group.status_code == 201, group.text
    with rt.db.session() as session:
        principal = service.get_or_raise(session, rt.tenant, uid)
        assert (principal.role, principal.station_id) == ("station_clerk", "HZ-02")
    gid = group.json()["id"]
    removed = scim.patch(
        f"/Groups/{gid}", patch({"op": "remove", "path": f'members[value eq "{uid}"]'})
    )
    assert removed.json()["members"] == []
    assert scim.get(f"/Users/{uid}").json()["groups"] == []


def test_deactivation_ends_every_session_and_api_key_at_once(
    scim: Scim, app: TestClient, rt
) -> None:
    uid = scim.post("/Users", user("sun.ba")).json()["id"]
    with rt.db.session() as session:
        principal = service.get_or_raise(session, rt.tenant, uid)
        keys = [service.issue_key(rt, session, OPERATOR, principal) for _ in range(2)]
        for _ in range(2):
            sessions.open_session(rt, session, uid, "courier", step_up_at=None)
    assert (
        app.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {keys[0]}"}).status_code
        == 200
    )

    answer = scim.patch(f"/Users/{uid}", patch({"op": "replace", "value": {"active": False}}))
    assert answer.status_code == 200 and answer.json()["active"] is False

    for key in keys:
        assert (
            app.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code
            == 401
        )
    with rt.db.session() as session:
        assert session.scalars(select(WebSession).where(WebSession.principal_id == uid)).all() == []
        revoked = session.scalars(select(ApiKey).where(ApiKey.principal_id == uid)).all()
        assert len(revoked) == 2 and all(k.revoked_at is not None for k in revoked)
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "principal.deactivate")
        ).one()
        details = json.loads(event.details)
        assert (event.actor_id, event.reason, details["sessions_ended"]) == ("scim", "scim", 2)
        assert sorted(details["api_keys_revoked"]) == sorted(k.split("_")[1] for k in keys)


def test_delete_deactivates_and_the_person_stays_for_the_audit_trail(scim: Scim, rt) -> None:
    uid = scim.post("/Users", user("zhou.jiu")).json()["id"]
    assert scim.delete(f"/Users/{uid}").status_code == 204
    assert scim.get(f"/Users/{uid}").json()["active"] is False
    reactivated = scim.patch(
        f"/Users/{uid}", patch({"op": "replace", "path": "active", "value": True})
    )
    assert reactivated.json()["active"] is True


def test_discovery_endpoints_describe_the_service(scim: Scim) -> None:
    config = scim.get("/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    types = scim.get("/ResourceTypes").json()
    assert [t["endpoint"] for t in types["Resources"]] == ["/Users", "/Groups"]

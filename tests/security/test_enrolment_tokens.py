"""Enrolment links keep their token out of every URL the server (or a proxy) sees and logs.

The attacker reads a log — the server's access log, a proxy's, a link-preview service's —
before the person enrols, and takes the link. The token therefore travels in the URL's
fragment (never sent to a server) and in POST bodies only; a token that does arrive in a
path has been exposed on the way and is cancelled; links stay single-use and short-lived.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from parcelguard.access import enrolment
from parcelguard.app import create_app
from parcelguard.audit.service import Actor
from parcelguard.runtime import Runtime
from tests.security.edges_world import bearer, served, staff

AUTH = "/api/v1/auth"


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    return TestClient(create_app(rt))


def issue(rt: Runtime, principal_id: str, hours: int = 24) -> str:
    """Issue a link as an admin would; return its URL."""
    with rt.db.session() as session:
        return enrolment.issue(rt, session, Actor("a1", "admin"), principal_id, hours=hours).url


def token_of(url: str) -> str:
    """Return the token a link carries, wherever the link puts it."""
    parts = urlsplit(url)
    return parts.fragment or parts.path.rsplit("/", 1)[1]


def test_enrolment_link_carries_its_token_in_the_fragment_only(rt: Runtime) -> None:
    courier, _ = staff(rt, "courier")
    url = issue(rt, courier)
    parts = urlsplit(url)
    token = token_of(url)
    assert len(token) >= 43
    assert token not in parts.path and token not in parts.query
    assert parts.path == "/console/enrol" and parts.fragment == token


def test_admin_api_and_cli_hand_out_the_fragment_form(rt: Runtime, client: TestClient, cli) -> None:
    courier, _ = staff(rt, "courier")
    _admin, admin_key = staff(rt, "admin")
    answer = client.post(
        f"{AUTH}/enrolment-links", json={"principal_id": courier}, headers=bearer(admin_key)
    )
    assert answer.status_code == 200, answer.text
    issued = cli("users", "enrol-link", courier, "--json").json
    for url in (answer.json()["url"], issued["url"]):
        assert urlsplit(url).path == "/console/enrol" and urlsplit(url).fragment


def test_the_enrolment_page_is_served_without_any_token(rt: Runtime, client: TestClient) -> None:
    courier, _ = staff(rt, "courier")
    token = token_of(issue(rt, courier))
    page = client.get("/console/enrol")
    assert page.status_code == 200
    assert token not in page.text
    assert 'id="pg-enrol"' in page.text  # the script reads location.hash and posts the token
    checked = client.post(f"{AUTH}/enrolment-links/check", json={"token": token})
    assert checked.status_code == 200 and checked.json()["valid"] is True
    assert client.post(f"{AUTH}/enrolment-links/check", json={"token": token}).status_code == 200
    options = client.post(f"{AUTH}/register/options", json={"token": token})
    assert options.status_code == 200  # checking twice spent nothing


def test_a_token_that_arrives_in_a_path_is_cancelled(rt: Runtime, client: TestClient) -> None:
    courier, _ = staff(rt, "courier")
    token = token_of(issue(rt, courier))
    exposed = client.get(f"/console/enrol/{token}")
    assert exposed.status_code == 404
    assert token not in exposed.text
    refused = client.post(f"{AUTH}/register/options", json={"token": token})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "enrolment_link_used"
    checked = client.post(f"{AUTH}/enrolment-links/check", json={"token": token})
    assert (checked.status_code, checked.json()["error"]["code"]) == (401, "enrolment_link_used")


def test_links_stay_single_use_and_short_lived(rt: Runtime, client: TestClient, clock) -> None:
    courier, _ = staff(rt, "courier")
    with pytest.raises(Exception) as too_long:
        issue(rt, courier, hours=24 * 8)
    assert getattr(too_long.value, "code", "") == "invalid_hours"
    token = token_of(issue(rt, courier, hours=1))
    clock.advance(minutes=61)
    checked = client.post(f"{AUTH}/enrolment-links/check", json={"token": token})
    assert (checked.status_code, checked.json()["error"]["code"]) == (401, "enrolment_link_expired")
    for bad in ("", "x" * 129, "not-a-token"):
        refused = client.post(f"{AUTH}/enrolment-links/check", json={"token": bad})
        assert refused.status_code in (401, 422)


def test_the_server_log_never_holds_an_enrolment_token(rt: Runtime, tmp_path: Path) -> None:
    courier, _ = staff(rt, "courier")
    url = issue(rt, courier)
    token = token_of(url)
    with served(rt, tmp_path) as server:
        opened = server.get(urlsplit(url).path)  # what a browser requests: no fragment
        assert opened.status_code in (200, 404)
        server.post(f"{AUTH}/enrolment-links/check", json={"token": token})
        server.post(f"{AUTH}/register/options", json={"token": token})
    assert '"GET /console/enrol' in server.log  # the access log did run
    assert token not in server.log

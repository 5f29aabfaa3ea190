"""OIDC single sign-on against a real OpenID provider (node oidc-provider)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from parcelguard.access import service
from parcelguard.app import create_app
from parcelguard.audit.models import AuditEvent
from parcelguard.errors import NotAuthenticated
from parcelguard.identity import api as identity_api
from parcelguard.identity.api import STATE_COOKIE, oidc_client
from parcelguard.identity.config import SsoConfig
from parcelguard.identity.oidc import OidcClient
from tests.identity.oidc_provider import OTHER_SECRET, REDIRECT, follow_to_callback

pytestmark = pytest.mark.slow


def sign_in(client: TestClient, account: str) -> httpx.Response:
    """Start at our login route, play the browser at the provider, land on our callback."""
    start = client.get("/auth/sso/login", params={"login_hint": account}, follow_redirects=False)
    assert start.status_code == 302, start.text
    back = follow_to_callback(start.headers["location"])
    return client.get(back.removeprefix("http://localhost:8080"), follow_redirects=False)


def genuine_token(client: OidcClient, account: str) -> tuple[str, str]:
    """Run a whole login for `client` at the provider; return (ID token, nonce)."""
    request = client.start(login_hint=account)
    back = follow_to_callback(request.url)
    code = parse_qs(urlparse(back).query)["code"][0]
    return client.exchange(code, request.code_verifier), request.nonce


def audited(rt, action: str) -> list[tuple[str | None, str | None, dict[str, Any]]]:
    with rt.db.session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [(e.decision, e.reason, json.loads(e.details or "{}")) for e in rows]


@pytest.fixture
def app(rt, idp) -> TestClient:
    return TestClient(create_app(rt), base_url="http://localhost:8080")


def test_sign_in_maps_groups_to_role_and_station(app: TestClient, rt) -> None:
    answer = sign_in(app, "alice")
    assert answer.status_code == 200, answer.text
    assert "pg_session" in answer.cookies
    me = app.get("/api/v1/auth/me").json()
    assert me["role"] == "courier"
    assert me["step_up_at"] is None  # SSO proves who it is; a reveal still wants the passkey
    with rt.db.session() as session:
        principal = service.get_or_raise(session, rt.tenant, me["id"])
        assert (principal.role, principal.station_id, principal.name) == (
            "courier",
            "HZ-01",
            "Alice Courier",
        )
    assert [(d, r) for d, r, _ in audited(rt, "session.sign_in")] == [("allow", None)]
    assert audited(rt, "session.sign_in")[0][2]["method"] == "oidc"


def test_second_sign_in_reuses_the_account_and_follows_group_changes(app: TestClient, rt) -> None:
    first = sign_in(app, "bob")
    assert first.status_code == 200
    pid = app.get("/api/v1/auth/me").json()["id"]
    app.cookies.clear()
    assert sign_in(app, "bob").status_code == 200
    assert app.get("/api/v1/auth/me").json()["id"] == pid
    with rt.db.session() as session:
        assert len(service.list_principals(session, rt.tenant)) == 1
        assert service.get_or_raise(session, rt.tenant, pid).station_id == "HZ-02"


def test_person_without_a_mapped_group_is_refused(app: TestClient, rt) -> None:
    answer = sign_in(app, "carol")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "sso_no_role"
    with rt.db.session() as session:
        assert service.list_principals(session, rt.tenant) == []
    assert [(d, r) for d, r, _ in audited(rt, "session.sign_in")] == [("deny", "sso_no_role")]


def test_replayed_callback_and_code_are_refused(app: TestClient, rt) -> None:
    start = app.get("/auth/sso/login", params={"login_hint": "alice"}, follow_redirects=False)
    back = follow_to_callback(start.headers["location"]).removeprefix("http://localhost:8080")
    assert app.get(back, follow_redirects=False).status_code == 200
    app.cookies.set(STATE_COOKIE, parse_qs(urlparse(back).query)["state"][0], path="/auth/sso")
    again = app.get(back, follow_redirects=False)
    assert (again.status_code, again.json()["error"]["code"]) == (401, "sso_state_unknown")
    # The provider itself refuses the same code a second time, whatever state we kept.
    client = oidc_client(rt)
    with pytest.raises(NotAuthenticated) as refused:
        client.exchange(parse_qs(urlparse(back).query)["code"][0], "x" * 64)
    assert refused.value.code == "sso_code_refused"


def test_callback_from_another_browser_is_refused(app: TestClient, rt) -> None:
    start = app.get("/auth/sso/login", params={"login_hint": "alice"}, follow_redirects=False)
    back = follow_to_callback(start.headers["location"]).removeprefix("http://localhost:8080")
    stranger = TestClient(app.app, base_url="http://localhost:8080")
    answer = stranger.get(back, follow_redirects=False)
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "sso_state_mismatch")


def test_forged_token_is_refused(rt, idp) -> None:
    client = oidc_client(rt)
    _, nonce = genuine_token(client, "alice")
    forger = RSAKey.generate_key(2048, parameters={"kid": "test-rs256"})
    now = int(time.time())
    claims = {
        "iss": idp.issuer,
        "aud": "parcelguard",
        "sub": "alice",
        "nonce": nonce,
        "iat": now,
        "exp": now + 600,
        "groups": ["pg-officers"],
    }
    forged = jwt.encode({"alg": "RS256", "kid": "test-rs256"}, claims, forger)
    with pytest.raises(NotAuthenticated) as refused:
        client.verify_id_token(forged, nonce=nonce, now=rt.clock.now())
    assert refused.value.code == "sso_bad_signature"


def test_unsigned_and_shared_secret_tokens_are_refused(rt, idp) -> None:
    client = oidc_client(rt)
    now = int(time.time())
    claims = {
        "iss": idp.issuer,
        "aud": "parcelguard",
        "sub": "alice",
        "nonce": "n",
        "iat": now,
        "exp": now + 600,
    }
    import base64

    def b64(doc: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    unsigned = f"{b64({'alg': 'none'})}.{b64(claims)}."
    from joserfc.jwk import OctKey

    hs256 = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(b"k" * 32))
    for token in (unsigned, hs256):
        with pytest.raises(NotAuthenticated) as refused:
            client.verify_id_token(token, nonce="n", now=rt.clock.now())
        assert refused.value.code == "sso_bad_signature"


def test_token_for_another_client_is_refused(rt, idp) -> None:
    other = OidcClient(
        SsoConfig(
            enabled=True, issuer=idp.issuer, client_id="other-app", client_secret=OTHER_SECRET
        ),
        REDIRECT,
        httpx.Client(),
    )
    token, nonce = genuine_token(other, "alice")
    assert other.verify_id_token(token, nonce=nonce, now=rt.clock.now())["sub"] == "alice"
    with pytest.raises(NotAuthenticated) as refused:
        oidc_client(rt).verify_id_token(token, nonce=nonce, now=rt.clock.now())
    assert refused.value.code == "sso_wrong_audience"


def test_expired_token_is_refused(rt, idp) -> None:
    client = oidc_client(rt)
    token, nonce = genuine_token(client, "alice")
    assert client.verify_id_token(token, nonce=nonce, now=rt.clock.now())["sub"] == "alice"
    later = rt.clock.now() + timedelta(hours=2)
    with pytest.raises(NotAuthenticated) as refused:
        client.verify_id_token(token, nonce=nonce, now=later)
    assert refused.value.code == "sso_token_expired"


def test_token_of_another_login_is_refused(rt, idp) -> None:
    client = oidc_client(rt)
    token, _ = genuine_token(client, "alice")
    with pytest.raises(NotAuthenticated) as refused:
        client.verify_id_token(token, nonce="a-different-login", now=rt.clock.now())
    assert refused.value.code == "sso_nonce_mismatch"


@pytest.mark.parametrize("algorithms", [["none"], ["HS256"], ["RS256", "HS512"], []])
def test_config_refuses_unpinned_or_symmetric_algorithms(algorithms: list[str]) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        SsoConfig(enabled=True, issuer="https://idp", client_id="c", algorithms=algorithms)


def test_provider_whose_metadata_names_another_issuer_is_refused(idp) -> None:
    from parcelguard.errors import ConfigError

    lookalike = OidcClient(
        SsoConfig(
            enabled=True, issuer=idp.issuer + "/", client_id="parcelguard", client_secret="x"
        ),
        REDIRECT,
        httpx.Client(),
    )
    with pytest.raises(ConfigError):
        lookalike.start()


def test_groups_served_only_by_userinfo_still_map_to_a_role(rt) -> None:
    from tests.identity.conftest import ROLES
    from tests.identity.oidc_provider import CLIENT_SECRET, start_provider

    provider = start_provider(groups_in_userinfo_only=True)
    try:
        config = SsoConfig(
            enabled=True,
            issuer=provider.issuer,
            client_id="parcelguard",
            client_secret=CLIENT_SECRET,
            roles=ROLES,
        )
        client = OidcClient(config, REDIRECT, httpx.Client())
        token, nonce = genuine_token(client, "bob")
        assert "groups" not in client.verify_id_token(token, nonce=nonce, now=rt.clock.now())
        identity_api._CLIENTS[rt] = client
        app = TestClient(create_app(rt), base_url="http://localhost:8080")
        assert sign_in(app, "bob").status_code == 200
        assert app.get("/api/v1/auth/me").json()["role"] == "station_clerk"
    finally:
        provider.stop()


def test_token_signed_by_an_unknown_key_id_is_refused_after_a_jwks_refresh(rt, idp) -> None:
    client = oidc_client(rt)
    _, nonce = genuine_token(client, "alice")
    stranger = RSAKey.generate_key(2048, parameters={"kid": "rotated-key"})
    now = int(time.time())
    claims = {
        "iss": idp.issuer,
        "aud": "parcelguard",
        "sub": "alice",
        "nonce": nonce,
        "iat": now,
        "exp": now + 600,
    }
    token = jwt.encode({"alg": "RS256", "kid": "rotated-key"}, claims, stranger)
    with pytest.raises(NotAuthenticated) as refused:
        client.verify_id_token(token, nonce=nonce, now=rt.clock.now())
    assert refused.value.code == "sso_bad_signature"

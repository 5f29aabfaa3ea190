"""After an SSO sign-in, a reveal still needs a passkey step-up by the same person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.vault.synthetic import Faker
from tests.access.soft_authenticator import SoftAuthenticator
from tests.conftest import write_csv
from tests.identity.test_sso import sign_in

pytestmark = pytest.mark.slow
ORIGIN = "http://localhost:8080"
AUTH = "/api/v1/auth"


def enrol(app: TestClient, admin_key: str, principal_id: str) -> SoftAuthenticator:
    """Give a person a passkey through an enrolment link (in a browser of its own)."""
    link = app.post(
        f"{AUTH}/enrolment-links",
        json={"principal_id": principal_id},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    token = link.json()["url"].split("#", 1)[1]
    browser = TestClient(app.app, base_url=ORIGIN)
    authenticator = SoftAuthenticator(ORIGIN)
    start = browser.post(f"{AUTH}/register/options", json={"token": token}).json()
    body = {
        "token": token,
        "challenge_id": start["challenge_id"],
        "credential": authenticator.create(start["publicKey"]),
    }
    assert browser.post(f"{AUTH}/register/verify", json=body).status_code == 200
    return authenticator


def step_up(app: TestClient, authenticator: SoftAuthenticator) -> Any:
    start = app.post(f"{AUTH}/step-up/options").json()
    body = {
        "challenge_id": start["challenge_id"],
        "credential": authenticator.get(start["publicKey"]),
    }
    return app.post(f"{AUTH}/step-up/verify", json=body)


def test_sso_session_reveals_only_after_the_same_persons_passkey(
    rt, idp, cli, tmp_path: Path
) -> None:
    admin = cli("users", "add", "--name", "管理员", "--role", "admin", "--json").json
    other = cli("users", "add", "--name", "李四", "--role", "courier", "--json").json
    app = TestClient(create_app(rt), base_url=ORIGIN)
    assert sign_in(app, "alice").status_code == 200
    me = app.get(f"{AUTH}/me").json()
    app.headers["X-CSRF-Token"] = me["csrf_token"]
    assert cli("users", "train", me["id"], "--until", "2030-01-01", "--json").code == 0
    row = next(Faker(5).rows(1))
    cli("import", str(write_csv(tmp_path / "s.csv", [row])), "--json")
    cli("event", row["waybill_no"], "assigned", "--courier", me["id"], "--json")
    cli("event", row["waybill_no"], "out_for_delivery", "--json")
    reveal = f"/api/v1/shipments/{row['waybill_no']}/reveal"
    body = {"fields": ["recipient.address"], "purpose": "delivery"}

    denied = app.post(reveal, json=body)
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "step_up_required")

    stranger = enrol(app, admin["api_key"], other["id"])
    assert step_up(app, stranger).status_code == 401  # someone else's passkey proves nothing
    assert app.post(reveal, json=body).status_code == 403

    own = enrol(app, admin["api_key"], me["id"])
    assert step_up(app, own).status_code == 200
    answer = app.post(reveal, json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["fields"]["recipient.address"] == row["recipient_address"]

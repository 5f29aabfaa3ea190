"""Passkeys through the HTTP API: enrolment links, sign-in, step-up, reveal, and every refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.access.soft_authenticator import SoftAuthenticator, b64url
from tests.conftest import write_csv

from parcelguard.access import sessions
from parcelguard.access.models import WebSession
from parcelguard.app import create_app
from parcelguard.audit.models import AuditEvent
from parcelguard.vault.synthetic import Faker

ORIGIN = "http://localhost:8080"
AUTH = "/api/v1/auth"


@dataclass
class World:
    """A tenant with an admin (API key), a trained courier and a parcel out for delivery to them."""

    client: TestClient
    admin_key: str
    courier_id: str
    courier_key: str
    waybill: str
    address: str

    def link(self, principal_id: str | None = None, hours: int = 24) -> str:
        """Issue an enrolment link through the admin API; return its token."""
        answer = self.client.post(
            f"{AUTH}/enrolment-links",
            json={"principal_id": principal_id or self.courier_id, "hours": hours},
            headers={"Authorization": f"Bearer {self.admin_key}"},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["url"].split("#", 1)[1]  # the token rides in the fragment

    def post(self, path: str, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST JSON as the browser would."""
        return self.client.post(path, json=body or {}, **kwargs)

    def signed_in(self, answer: Any) -> dict[str, Any]:
        """Check a sign-in answer and adopt its CSRF token, as console.js does."""
        assert answer.status_code == 200, answer.text
        self.client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return answer.json()

    def enrol(self, authenticator: SoftAuthenticator, token: str | None = None, **kw: Any) -> Any:
        """Register a passkey with an enrolment link; return the verify answer."""
        token = token or self.link()
        start = self.post(f"{AUTH}/register/options", {"token": token}).json()
        credential = authenticator.create(start["publicKey"], **kw)
        body = {"token": token, "challenge_id": start["challenge_id"], "credential": credential}
        return self.post(f"{AUTH}/register/verify", body)

    def ceremony(self, kind: str, authenticator: SoftAuthenticator, **kw: Any) -> tuple[Any, dict]:
        """Run login or step-up; return the verify answer and the body that was posted."""
        start = self.post(f"{AUTH}/{kind}/options")
        assert start.status_code == 200, start.text
        body = {
            "challenge_id": start.json()["challenge_id"],
            "credential": authenticator.get(start.json()["publicKey"], **kw),
        }
        return self.post(f"{AUTH}/{kind}/verify", body), body

    def sign_in(self, authenticator: SoftAuthenticator, **kw: Any) -> Any:
        """Sign in with a passkey; return the verify answer."""
        return self.ceremony("login", authenticator, **kw)[0]

    def step_up(self, authenticator: SoftAuthenticator, **kw: Any) -> Any:
        """Step up with a passkey; return the verify answer."""
        return self.ceremony("step-up", authenticator, **kw)[0]

    def reveal(self) -> Any:
        """Ask for the parcel's address for delivery."""
        body = {"fields": ["recipient.address"], "purpose": "delivery"}
        return self.post(f"/api/v1/shipments/{self.waybill}/reveal", body)

    def logout(self) -> None:
        """Sign out and forget the CSRF token."""
        assert self.post(f"{AUTH}/logout").json() == {"signed_out": True}
        self.client.headers.pop("X-CSRF-Token", None)


@pytest.fixture
def world(rt, cli, tmp_path: Path) -> World:
    admin = cli("users", "add", "--name", "管理员", "--role", "admin", "--json").json
    courier = cli(
        "users",
        "add",
        "--name",
        "王小明",
        "--role",
        "courier",
        "--trained-until",
        "2027-06-30",
        "--json",
    ).json
    row = next(Faker(11).rows(1))
    cli("import", str(write_csv(tmp_path / "s.csv", [row])), "--json")
    cli("event", row["waybill_no"], "assigned", "--courier", courier["id"], "--json")
    assert (
        cli("event", row["waybill_no"], "out_for_delivery", "--json").json["status"]
        == "out_for_delivery"
    )
    client = TestClient(create_app(rt), base_url="http://localhost:8080")
    return World(
        client,
        admin["api_key"],
        courier["id"],
        courier["api_key"],
        row["waybill_no"],
        row["recipient_address"],
    )


def error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def audit(rt, action: str) -> list[tuple[str | None, str | None]]:
    with rt.db.session() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        return [(e.decision, e.reason) for e in rows]


def test_two_passkeys_sign_in_step_up_and_reveal(world: World, rt, clock) -> None:
    phone, laptop = SoftAuthenticator(ORIGIN), SoftAuthenticator(ORIGIN)
    enrolled = world.signed_in(world.enrol(phone))
    assert enrolled["principal_id"] == world.courier_id and enrolled["step_up_at"] is None

    assert error(world.reveal()) == (403, "step_up_required")  # enrolment is not a step-up
    assert world.step_up(phone).status_code == 200
    assert world.reveal().json() == {"fields": {"recipient.address": world.address}}

    start = world.post(f"{AUTH}/register/options")  # a second passkey, signed in and stepped up
    excluded = [c["id"] for c in start.json()["publicKey"]["excludeCredentials"]]
    assert excluded == [b64url(phone.only.credential_id)]  # the same device is not enrolled twice
    credential = laptop.create(start.json()["publicKey"])
    added = world.post(
        f"{AUTH}/register/verify",
        {"challenge_id": start.json()["challenge_id"], "credential": credential, "label": "laptop"},
    )
    assert added.status_code == 200, added.text
    me = world.client.get(f"{AUTH}/me").json()
    assert [p["label"] for p in me["passkeys"]] == ["passkey", "laptop"]
    assert me["via"] == "session" and me["role"] == "courier"

    for authenticator in (laptop, phone):
        world.logout()
        assert error(world.client.get(f"{AUTH}/me")) == (401, "not_authenticated")
        session = world.signed_in(world.sign_in(authenticator))
        assert session["step_up_at"] is not None  # a sign-in is a passkey assertion
        assert world.reveal().status_code == 200

    clock.advance(minutes=6)
    assert error(world.reveal()) == (403, "step_up_required")
    assert world.step_up(laptop).status_code == 200
    assert world.reveal().json()["fields"]["recipient.address"] == world.address
    assert audit(rt, "passkey.register") == [("allow", None), ("allow", None)]
    assert audit(rt, "enrolment.use") == [(None, None)]
    assert [d for d, _ in audit(rt, "session.sign_in")] == ["allow", "allow"]
    assert [d for d, _ in audit(rt, "session.step_up")] == ["allow", "allow"]


def test_sessions_store_only_a_hash_and_cookies_are_strict(world: World, rt) -> None:
    answer = world.enrol(SoftAuthenticator(ORIGIN))
    cookie = answer.headers["set-cookie"]
    assert "pg_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie
    token = world.client.cookies["pg_session"]
    with rt.db.session() as session:
        (row,) = session.scalars(select(WebSession))
        assert token.encode() not in row.session_hash and len(row.session_hash) == 32


def test_secure_cookies_setting_marks_the_cookie_secure(world: World, rt) -> None:
    rt.settings.secure_cookies = True
    cookie = world.enrol(SoftAuthenticator(ORIGIN)).headers["set-cookie"]
    assert "Secure" in cookie


def test_replayed_answers_are_refused(world: World, rt) -> None:
    phone = SoftAuthenticator(ORIGIN)
    world.signed_in(world.enrol(phone))
    answer, body = world.ceremony("login", phone)
    world.signed_in(answer)
    assert error(world.post(f"{AUTH}/login/verify", body)) == (401, "challenge_unknown")
    answer, body = world.ceremony("step-up", phone)
    assert answer.status_code == 200
    assert error(world.post(f"{AUTH}/step-up/verify", body)) == (401, "challenge_unknown")
    assert ("deny", "challenge_unknown") in audit(rt, "session.sign_in")


def test_a_challenge_expires_after_two_minutes(world: World, clock) -> None:
    phone = SoftAuthenticator(ORIGIN)
    world.signed_in(world.enrol(phone))
    world.logout()
    start = world.post(f"{AUTH}/login/options").json()
    clock.advance(minutes=2, seconds=1)
    body = {"challenge_id": start["challenge_id"], "credential": phone.get(start["publicKey"])}
    assert error(world.post(f"{AUTH}/login/verify", body)) == (401, "challenge_expired")


def phone_for(world: World, rt) -> SoftAuthenticator:
    """Enrol a fresh authenticator with a new link and sign out; return it."""
    phone = SoftAuthenticator(ORIGIN)
    world.signed_in(world.enrol(phone))
    world.logout()
    return phone


def test_wrong_origin_is_refused(world: World, rt) -> None:
    token = world.link()
    answer = world.enrol(SoftAuthenticator(ORIGIN), token, origin="http://localhost:9999")
    assert error(answer) == (401, "origin_mismatch")
    world.signed_in(world.enrol(SoftAuthenticator(ORIGIN), token))  # the refusal left the link
    world.logout()
    phone = phone_for(world, rt)
    assert error(world.sign_in(phone, origin="https://parcelguard.evil.example")) == (
        401,
        "origin_mismatch",
    )
    assert ("deny", "origin_mismatch") in audit(rt, "session.sign_in")


def test_user_verification_is_required(world: World, rt) -> None:
    lazy = SoftAuthenticator(ORIGIN, user_verified=False)
    token = world.link()
    assert error(world.enrol(lazy, token)) == (401, "user_not_verified")
    phone = phone_for(world, rt)
    phone.user_verified = False
    assert error(world.sign_in(phone)) == (401, "user_not_verified")
    assert ("deny", "user_not_verified") in audit(rt, "passkey.register")


def test_a_sign_counter_that_goes_back_is_refused(world: World, rt) -> None:
    phone = phone_for(world, rt)
    world.signed_in(world.sign_in(phone))
    world.logout()
    world.signed_in(world.sign_in(phone))
    world.logout()
    phone.only.sign_count = 1  # a clone of the authenticator, taken after its first use
    assert error(world.sign_in(phone)) == (401, "sign_count_regressed")
    assert ("deny", "sign_count_regressed") in audit(rt, "session.sign_in")


def test_enrolment_links_are_single_use_and_expire(world: World, cli, clock) -> None:
    token = world.link()
    world.signed_in(world.enrol(SoftAuthenticator(ORIGIN), token))
    world.logout()
    assert error(world.post(f"{AUTH}/register/options", {"token": token})) == (
        401,
        "enrolment_link_used",
    )
    assert error(world.post(f"{AUTH}/enrolment-links/check", {"token": token})) == (
        401,
        "enrolment_link_used",
    )

    issued = cli("users", "enrol-link", world.courier_id, "--hours", "1", "--json").json
    assert issued["url"].startswith(f"{ORIGIN}/console/enrol#") and issued["expires_at"]
    late = issued["url"].split("#", 1)[1]
    assert world.post(f"{AUTH}/enrolment-links/check", {"token": late}).status_code == 200
    clock.advance(minutes=61)
    assert error(world.post(f"{AUTH}/register/options", {"token": late})) == (
        401,
        "enrolment_link_expired",
    )
    assert error(world.post(f"{AUTH}/register/options", {"token": "nope"})) == (
        401,
        "enrolment_link_invalid",
    )


def test_only_admins_issue_links_and_only_for_staff(world: World, cli) -> None:
    courier = {"Authorization": f"Bearer {world.courier_key}"}
    body = {"principal_id": world.courier_id}
    assert error(world.post(f"{AUTH}/enrolment-links", body, headers=courier)) == (
        403,
        "role_not_allowed",
    )
    service = cli(
        "users", "add", "--name", "labels", "--role", "service", "--scope", "labels", "--json"
    ).json
    refused = cli("users", "enrol-link", service["id"], "--json")
    assert refused.code == 1 and refused.json["error"]["code"] == "passkeys_for_staff_only"
    assert cli("users", "enrol-link", world.courier_id, "--hours", "999", "--json").code == 1


def test_csrf_token_is_required_with_the_cookie(world: World) -> None:
    world.signed_in(world.enrol(SoftAuthenticator(ORIGIN)))
    csrf = world.client.headers.pop("X-CSRF-Token")
    assert error(world.reveal()) == (403, "csrf_failed")
    assert error(world.post(f"{AUTH}/step-up/options")) == (403, "csrf_failed")
    assert error(world.post(f"{AUTH}/logout", headers={"X-CSRF-Token": "forged"})) == (
        403,
        "csrf_failed",
    )
    assert world.client.get(f"{AUTH}/me").json()["csrf_token"] == csrf  # reads need none
    bearer = {"Authorization": f"Bearer {world.courier_key}"}
    body = {"fields": ["recipient.address"], "purpose": "delivery"}
    keyed = world.post(f"/api/v1/shipments/{world.waybill}/reveal", body, headers=bearer)
    assert keyed.status_code == 200  # a bearer key is exempt: it is not sent by the browser


def test_step_up_needs_a_session_and_the_persons_own_passkey(world: World, rt, cli) -> None:
    bearer = {"Authorization": f"Bearer {world.courier_key}"}
    assert error(world.post(f"{AUTH}/step-up/options", headers=bearer)) == (403, "session_required")
    other = cli("users", "add", "--name", "李四", "--role", "courier", "--json").json
    stranger = SoftAuthenticator(ORIGIN)
    world.signed_in(world.enrol(stranger, world.link(other["id"])))
    world.logout()
    phone = phone_for(world, rt)
    world.signed_in(world.sign_in(phone))
    start = world.post(f"{AUTH}/step-up/options").json()
    start["publicKey"]["allowCredentials"] = []  # the stranger answers anyway
    body = {"challenge_id": start["challenge_id"], "credential": stranger.get(start["publicKey"])}
    assert error(world.post(f"{AUTH}/step-up/verify", body)) == (401, "unknown_passkey")


def test_sessions_expire_after_eight_hours(world: World, clock) -> None:
    world.signed_in(world.enrol(SoftAuthenticator(ORIGIN)))
    clock.advance(hours=8, minutes=1)
    assert error(world.client.get(f"{AUTH}/me")) == (401, "session_expired")


def test_console_pages(world: World) -> None:
    assert (
        world.client.get("/console", follow_redirects=False).headers["location"] == "/console/login"
    )
    login = world.client.get("/console/login")
    assert (
        "使用通行密钥登录" in login.text
        and "script-src 'self'" in login.headers["content-security-policy"]
    )
    assert "Sign in with a passkey" in world.client.get("/console/login?lang=en").text
    world.signed_in(world.enrol(SoftAuthenticator(ORIGIN)))
    page = world.client.get("/console?lang=zh")
    assert world.waybill in page.text and "查看完整地址" in page.text
    assert world.address not in page.text  # masked until revealed
    # Static scripts only (answer.js, then webauthn.js and console.js), never an inline one.
    assert "<script>" not in page.text and page.text.count("<script src=") == 3
    assert page.text.index("/static/answer.js") < page.text.index("/static/console.js")
    assert world.client.get("/console/login", follow_redirects=False).status_code == 303


def test_another_passkey_needs_a_fresh_step_up(world: World, clock) -> None:
    phone = SoftAuthenticator(ORIGIN)
    world.signed_in(world.enrol(phone))  # enrolment signs in without a step-up
    assert error(world.post(f"{AUTH}/register/options")) == (403, "step_up_required")
    world.step_up(phone)
    clock.advance(minutes=5, seconds=1)
    assert error(world.post(f"{AUTH}/register/options")) == (403, "step_up_required")
    world.step_up(phone)
    assert world.post(f"{AUTH}/register/options").status_code == 200


def test_the_csrf_guard_covers_every_kind_of_session(world: World, rt, clock) -> None:
    token = "a-portal-session-token"
    with rt.db.session() as session:
        session.add(
            WebSession(
                tenant_id=rt.tenant,
                session_hash=sessions.token_hash(token),
                principal_id="r1",
                kind="person",
                csrf_token="portal-csrf",
                created_at=clock.now(),
                expires_at=clock.now() + timedelta(hours=1),
            )
        )
    world.client.cookies.set("pg_session", token)
    assert error(world.reveal()) == (403, "csrf_failed")
    answer = world.post(f"{AUTH}/logout", headers={"X-CSRF-Token": "portal-csrf"})
    assert answer.status_code == 200  # the guard let it through; a staff sign-out finds none


def test_a_lost_passkey_is_revoked_after_recovery(world: World, rt, cli) -> None:
    lost, new_phone = SoftAuthenticator(ORIGIN), SoftAuthenticator(ORIGIN)
    world.signed_in(world.enrol(lost))
    world.logout()
    world.signed_in(world.enrol(new_phone))  # recovery: an admin issues a fresh link
    listed = cli("users", "passkeys", world.courier_id, "--json").json["passkeys"]
    assert len(listed) == 2
    lost_id = b64url(lost.only.credential_id)[:16]
    assert cli("users", "revoke-passkey", "--json", "--", world.courier_id, lost_id).code == 0
    assert error(world.client.get(f"{AUTH}/me")) == (401, "session_expired")  # signed out
    world.client.headers.pop("X-CSRF-Token", None)
    assert world.sign_in(lost).status_code == 401  # the lost device no longer opens the door
    assert world.sign_in(new_phone).status_code == 200
    assert [
        p["id"] for p in cli("users", "passkeys", world.courier_id, "--json").json["passkeys"]
    ] != [lost_id]
    assert (
        cli("users", "revoke-passkey", world.courier_id, "short", "--json").json["error"]["code"]
        == "ambiguous_id"
    )

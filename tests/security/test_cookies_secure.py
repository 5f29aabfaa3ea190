"""Every cookie we set is Secure whenever the public URL is https.

An attacker on the recipient's network (café Wi-Fi) lures the browser to `http://` on our host
name: a cookie without `Secure` — the portal's pre-session token, a language choice, a CSRF
token — would travel in clear text and could be read or planted.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.portal.sms import RecordingSmsProvider, install
from parcelguard.runtime import Runtime

PUBLIC = "https://parcels.example.com"
PHONE = "13800138000"


def set_cookies(answer) -> list[str]:
    return answer.headers.get_list("set-cookie")


def tour(client: TestClient) -> list[str]:
    """Visit the pages and forms that set cookies, as a browser would; return every Set-Cookie."""
    seen: list[str] = []
    for path in ("/", "/portal", "/portal?lang=en", "/console/login", "/console/enrol"):
        seen += set_cookies(client.get(path))
    pre = client.cookies.get("pg_portal_pre") or ""
    assert pre, "the portal handed out its pre-session cookie"
    seen += set_cookies(client.post("/portal/code", data={"phone": PHONE, "pre": pre}))
    return seen


def only_https(rt: Runtime) -> TestClient:
    rt.settings.base_url = PUBLIC
    rt.settings.secure_cookies = False  # the operator forgot; https alone must be enough
    return TestClient(create_app(rt), base_url=PUBLIC)


def test_every_cookie_is_secure_when_the_public_url_is_https(rt: Runtime) -> None:
    client = only_https(rt)
    seen = tour(client)
    names = {next(iter(SimpleCookie(c))) for c in seen}
    assert {"pg_portal_pre", "lang"} <= names
    for cookie in seen:
        assert "secure" in [p.strip().lower() for p in cookie.split(";")], cookie


def test_the_portal_session_cookie_is_secure_too(rt: Runtime) -> None:
    sms = RecordingSmsProvider()
    install(rt, sms)
    client = only_https(rt)
    client.get("/portal")
    pre = client.cookies.get("pg_portal_pre")
    client.post("/portal/code", data={"phone": PHONE, "pre": pre})
    signed = client.post(
        "/portal/signin",
        data={"phone": PHONE, "code": sms.last_code(PHONE), "pre": pre},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text[:300]
    cookies = set_cookies(signed)
    assert {next(iter(SimpleCookie(c))) for c in cookies} >= {"pg_portal"}
    for cookie in cookies:
        assert "secure" in [p.strip().lower() for p in cookie.split(";")], cookie


def test_plain_http_development_keeps_working(rt: Runtime) -> None:
    rt.settings.base_url = "http://localhost:8080"
    client = TestClient(create_app(rt), base_url="http://localhost:8080")
    client.get("/portal")
    assert client.cookies.get("pg_portal_pre")  # not Secure: the browser keeps it over http

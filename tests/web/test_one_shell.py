"""One page shell and one place for the security headers.

Every page extends `base.html`, the only template that opens `<html>`; the Content-Security-
Policy is written only in `web/security/headers.py` and reaches every answer from the one
middleware, including the standalone leak report (stricter there: its inline stylesheet by
hash, no script).
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

import parcelguard
from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from parcelguard.web.reports import leak_report_html
from parcelguard.web.security.headers import document_policy

SOURCE = Path(parcelguard.__file__).parent
HEADERS_MODULE = SOURCE / "web" / "security" / "headers.py"


def test_only_the_base_template_opens_a_page() -> None:
    shells = sorted(
        str(p.relative_to(SOURCE))
        for p in SOURCE.rglob("*")
        if p.suffix in (".html", ".j2") and "<html" in p.read_text(encoding="utf-8").lower()
    )
    assert shells == ["web/templates/base.html"]
    for page in (SOURCE / "web" / "templates").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        partial = page.name.startswith("_") or page.name == "base.html"
        assert partial or '{% extends "base.html" %}' in text, page


def test_the_security_policy_is_written_in_one_place() -> None:
    writers = sorted(
        str(p.relative_to(SOURCE))
        for p in SOURCE.rglob("*.py")
        if "frame-ancestors" in p.read_text(encoding="utf-8")
    )
    assert writers == ["web/security/headers.py"]


def test_pages_get_their_headers_from_the_middleware(rt: Runtime) -> None:
    client = TestClient(create_app(rt))
    for path in ("/", "/portal", "/console/login", "/console/enrol", "/s/nothing-here"):
        answer = client.get(path)
        csp = answer.headers["content-security-policy"]
        assert csp.startswith("default-src 'self'; script-src 'self'"), path
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "camera=(self)" in answer.headers["permissions-policy"]
        assert answer.headers["cache-control"] == "no-store"


def test_hsts_on_https_when_the_public_url_is_https(rt: Runtime) -> None:
    rt.settings.base_url = "https://parcels.example.com"
    client = TestClient(create_app(rt), base_url="https://parcels.example.com")
    assert client.get("/").headers["strict-transport-security"] == "max-age=31536000"
    plain = TestClient(create_app(rt), base_url="http://parcels.example.com")
    assert "strict-transport-security" not in plain.get("/").headers


def test_the_leak_report_is_a_standalone_page_of_the_same_shell() -> None:
    document = {
        "leak_id": "L1",
        "at": "2026-11-05T10:00:00+08:00",
        "rows": 3,
        "records": 2,
        "matched": 1,
        "unmatched": 1,
        "unmatched_reasons": {},
        "threshold": 6.0,
        "canaries": [],
        "suspects": [],
    }
    rows = [{"row": 2, "name": "张*", "phone": "138******78", "how": "phone", "waybills": []}]
    html = leak_report_html(document, rows)
    assert html.startswith("<!doctype html>") and "<style>" in html and "<link" not in html
    assert "<script" not in html and "泄露溯源报告" in html and "138******78" in html
    assert 'class="pg-table-wrap"' in html  # tables scroll in their own box on a phone
    policy = document_policy(html)
    assert "style-src 'sha256-" in policy and "script-src" not in policy

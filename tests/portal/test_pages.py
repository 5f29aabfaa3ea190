"""Portal pages that work in the browser: the leak check and photo redaction, and the menu."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from parcelguard.portal.sms import RecordingSmsProvider
from tests.portal.conftest import sign_in


def test_the_leak_check_never_submits_the_number(client: TestClient) -> None:
    page = client.get("/portal/exposure")
    assert page.status_code == 200 and "我的号码泄露了吗" in page.text
    field = re.search(r'<input id="pg-exposure-phone"[^>]*>', page.text)
    assert field and "name=" not in field.group(0)  # nothing to submit without JavaScript
    assert '<script src="/static/portal.js" defer></script>' in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    salt = client.get("/api/v1/exposure/salt").json()
    assert salt["prefix_length"] == 5


def test_the_photo_form_works_without_javascript_too(client: TestClient) -> None:
    page = client.get("/portal/redact?lang=en")
    assert page.status_code == 200 and "Redact a parcel photo" in page.text
    form = re.search(r'<form id="pg-redact-form"[^>]*>', page.text, re.S)
    assert form and 'action="/api/v1/pii/redact-image"' in form.group(0)
    assert 'enctype="multipart/form-data"' in form.group(0)


def test_the_menu_offers_every_page_built(client: TestClient, sms: RecordingSmsProvider) -> None:
    sign_in(client, sms)
    home = client.get("/portal").text
    for path in (
        "/portal/parcels",
        "/portal/access",
        "/portal/verify",
        "/portal/exposure",
        "/portal/redact",
        "/portal/complaints",
        "/portal/copy",
        "/portal/erase",
    ):
        assert f'href="{path}"' in home
        assert client.get(path).status_code == 200, path

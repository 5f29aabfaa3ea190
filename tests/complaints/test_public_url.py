"""Complaint SMS texts carry the absolute portal address from `public_url`."""

from __future__ import annotations

from fastapi.testclient import TestClient

from parcelguard.portal.sms import RecordingSmsProvider
from parcelguard.runtime import Runtime
from tests.complaints.conftest import file_complaint
from tests.portal.conftest import PHONE, sign_in


def test_a_configured_public_url_is_the_link_in_the_sms(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime, parcels: list[dict[str, str]]
) -> None:
    rt.settings.public_url = "https://parcels.example.cn/pg/"
    csrf = sign_in(client, sms)
    file_complaint(client, csrf, [parcels[0]["waybill_no"]])
    text = sms.messages_to(PHONE)[-1]
    assert "已受理" in text and "https://parcels.example.cn/pg/portal " in text
    assert " /portal" not in text and "localhost" not in text


def test_without_public_url_the_sms_link_is_the_absolute_base_url(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime, parcels: list[dict[str, str]]
) -> None:
    assert rt.settings.public_url is None
    csrf = sign_in(client, sms)
    file_complaint(client, csrf, [parcels[0]["waybill_no"]])
    assert f"{rt.settings.base_url.rstrip('/')}/portal " in sms.messages_to(PHONE)[-1]

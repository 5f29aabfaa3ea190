"""Complaints fixtures: the portal's (app, SMS recorder, parcels) plus filing helpers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.portal.conftest import client, parcels, sms  # noqa: F401 - shared fixtures

TEXT = "昨天 13812345678 打电话说是快递员，要我提供验证码，说包裹丢了要理赔。"


def file_complaint(
    client: TestClient,  # noqa: F811
    csrf: str,
    waybills: list[str],
    kind: str = "scam_call",
    text: str = TEXT,
) -> str:
    """File a complaint through the portal form; return its id."""
    answer = client.post(
        "/portal/complaints",
        data={"csrf": csrf, "kind": kind, "waybill": waybills, "text": text},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    return location.split("/portal/complaints/")[1].split("?")[0]


def bearer(key: str) -> dict[str, str]:
    """Return the headers of an API call with this key."""
    return {"Authorization": f"Bearer {key}"}

"""Forensics over HTTP: security officers upload leaks and manage canaries; nobody else may."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.forensics.conftest import Tenant, add_principal, leak_rows, outsiders, write_leak

from parcelguard.app import create_app
from parcelguard.runtime import Runtime


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    return TestClient(create_app(rt))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def leak_file(tenant: Tenant, tmp_path: Path) -> Path:
    leaker = tenant.agents[0].principal_id
    people = [tenant.people[w] for w in sorted(set(tenant.revealed[leaker]))[:22]]
    rows = leak_rows(people, masked=4) + leak_rows(outsiders(21, 5))
    random.Random(2).shuffle(rows)
    return write_leak(tmp_path / "leak.csv", rows, order=["name", "address", "phone"])


def test_an_officer_uploads_a_leak_and_reads_its_report(
    client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    key = tenant.officer[1]
    with leak_file(tenant, tmp_path).open("rb") as fh:
        answer = client.post(
            "/api/v1/forensics/trace",
            files={"file": ("leak.csv", fh, "text/csv")},
            data={"at": "2026-11-05T10:00:00+08:00"},
            headers=bearer(key),
        )
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["matched"] == 22 and document["unmatched"] == 5
    assert document["suspects"][0]["principal_id"] == tenant.agents[0].principal_id
    stored = client.get(
        f"/api/v1/forensics/leaks/{document['leak_id']}", headers=bearer(key)
    ).json()
    assert stored["leak_id"] == document["leak_id"] and len(stored["matched_records"]) == 22
    page = client.get(f"/api/v1/forensics/leaks/{document['leak_id']}/report", headers=bearer(key))
    assert page.status_code == 200 and "泄露溯源报告" in page.text
    assert not any(p.phone in page.text for p in tenant.people.values())
    csp = page.headers["content-security-policy"]
    # The standalone report keeps its own stylesheet (allowed by hash) and runs no script.
    assert "style-src 'sha256-" in csp and "script-src" not in csp and "default-src 'none'" in csp


def test_pasted_text_is_traced_too(client: TestClient, tenant: Tenant) -> None:
    person = tenant.people[sorted(tenant.people)[0]]
    text = f"收件人：{person.name} 电话：{person.phone} 地址：{person.address}\n无关的一行\n"
    answer = client.post(
        "/api/v1/forensics/trace", data={"text": text}, headers=bearer(tenant.officer[1])
    )
    assert answer.status_code == 200 and answer.json()["matched"] == 1


def test_nobody_else_may_trace_or_see_canaries(
    client: TestClient, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    _courier, courier_key = add_principal(rt, "courier")
    _admin, admin_key = add_principal(rt, "admin")
    for key in (courier_key, admin_key, tenant.service[1]):
        with leak_file(tenant, tmp_path).open("rb") as fh:
            answer = client.post(
                "/api/v1/forensics/trace", files={"file": ("l.csv", fh)}, headers=bearer(key)
            )
        assert answer.status_code == 403
        assert client.get("/api/v1/forensics/canaries", headers=bearer(key)).status_code == 403
    assert client.post("/api/v1/forensics/trace", data={"text": "x"}).status_code == 401


def test_an_officer_seeds_lists_and_rotates_canaries(client: TestClient, tenant: Tenant) -> None:
    key = bearer(tenant.officer[1])
    courier = tenant.couriers["3301"][1]
    seeded = client.post(
        "/api/v1/forensics/canaries", json={"kind": "courier", "channel_id": courier}, headers=key
    )
    assert seeded.status_code == 200, seeded.text
    canary = seeded.json()["canaries"][0]
    listed = client.get("/api/v1/forensics/canaries", headers=key).json()["canaries"]
    assert [c["canary_id"] for c in listed] == [canary["canary_id"]]
    rotated = client.post("/api/v1/forensics/canaries/rotate", json={}, headers=key).json()
    assert rotated["retired"] == [canary["canary_id"]]
    unknown = client.post(
        "/api/v1/forensics/canaries", json={"kind": "courier", "channel_id": "nobody"}, headers=key
    )
    assert unknown.status_code == 404
    wrong = client.post(
        "/api/v1/forensics/canaries", json={"kind": "printer", "channel_id": "x"}, headers=key
    )
    assert wrong.status_code == 400

"""A customer-service reveal needs a ticket reference that matches the configured pattern.

A dishonest agent types anything into the ticket field ("x", "checking", the customer's own
phone number) and reveals at will: the audit trail then points at no ticket anyone can check,
and a phone number typed as a "ticket" is plaintext PII in the audit log. The reference must
look like a ticket of the tenant's ticket system, or the reveal is refused and audited.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parcelguard.access.policy import load_policy
from parcelguard.app import create_app
from parcelguard.errors import ConfigError
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv
from tests.security.edges_world import bearer, staff

REVEAL = {"fields": ["recipient.phone"], "purpose": "customer_service"}


@pytest.fixture
def waybill(cli, tmp_path: Path) -> str:
    rows = list(Faker(17).rows(1))
    assert cli("import", str(write_csv(tmp_path / "s.csv", rows)), "--json").code == 0
    return rows[0]["waybill_no"]


def reveal(client: TestClient, key: str, waybill: str, reference: str) -> tuple[int, str]:
    answer = client.post(
        f"/api/v1/shipments/{waybill}/reveal",
        json={**REVEAL, "reference": reference},
        headers=bearer(key),
    )
    return answer.status_code, answer.json().get("error", {}).get("code", "ok")


@pytest.mark.parametrize(
    "reference", ["x", "checking", "13912345678", "张三的单子", "T", "--", "#1"]
)
def test_a_made_up_ticket_is_refused_by_default(
    rt: Runtime, cli, waybill: str, reference: str
) -> None:
    _, key = staff(rt, "customer_service")
    client = TestClient(create_app(rt))
    assert reveal(client, key, waybill, reference) == (403, "ticket_invalid")
    [event] = cli("audit", "log", "--action", "reveal", "--json").json["events"]
    assert (event["decision"], event["reason"]) == ("deny", "ticket_invalid")
    assert "13912345678" not in str(event)  # a phone typed as a ticket is not kept


@pytest.mark.parametrize("reference", ["CS-123456", "T2026-0042", "TICKET-88", "C20261102-AB12CD"])
def test_ticket_shaped_references_pass_by_default(
    rt: Runtime, waybill: str, reference: str
) -> None:
    _, key = staff(rt, "customer_service")
    assert reveal(TestClient(create_app(rt)), key, waybill, reference) == (200, "ok")


def test_the_tenant_pattern_decides(rt: Runtime, waybill: str) -> None:
    rt.settings.sections["policy"] = {
        "roles": {"customer_service": {"reference_pattern": r"^CS-\d{6,}$"}}
    }
    _, key = staff(rt, "customer_service")
    client = TestClient(create_app(rt))
    assert reveal(client, key, waybill, "TICKET-88") == (403, "ticket_invalid")
    assert reveal(client, key, waybill, "CS-12345") == (403, "ticket_invalid")
    assert reveal(client, key, waybill, "CS-123456") == (200, "ok")


@pytest.mark.parametrize("pattern", [".*", r"^\d+$", "^[", "", r"^\w+$"])
def test_a_pattern_that_would_admit_a_phone_or_anything_is_refused(pattern: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_policy({"roles": {"customer_service": {"reference_pattern": pattern}}})
    assert "reference_pattern" in refused.value.message

"""`/metrics`: reveals, denials, alerts by rule, queue lag, import rates and relay routes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from parcelguard.app import create_app
from parcelguard.audit.service import SYSTEM, Actor, Entry, auditor_for
from parcelguard.siem.models import SiemCursor
from tests.conftest import make_settings

TOKEN = "metrics-token-for-tests-0123456789abcdef"
COURIER = Actor("P-courier", "courier", "HZ-01")


@pytest.fixture
def settings(home, database_url):
    return make_settings(
        home, database_url, sections={"metrics": {"enabled": True, "token": TOKEN}}
    )


@pytest.fixture
def app(rt) -> TestClient:
    return TestClient(create_app(rt), base_url="http://localhost:8080")


def scrape(app: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = app.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def record(rt, *entries: tuple[Actor, Entry]) -> None:
    with rt.db.session() as session:
        for actor, entry in entries:
            auditor_for(rt).record(session, actor, entry)


def test_counts_reveals_denials_alerts_imports_and_routes(app: TestClient, rt) -> None:
    record(
        rt,
        (COURIER, Entry("reveal", "shipment", "S1", decision="allow", purpose="delivery")),
        (COURIER, Entry("reveal", "shipment", "S2", decision="allow", purpose="delivery")),
        (
            COURIER,
            Entry(
                "reveal",
                "shipment",
                "S3",
                decision="deny",
                reason="not_assigned",
                purpose="delivery",
            ),
        ),
        (
            SYSTEM,
            Entry(
                "monitor.alert",
                "incident",
                "I1",
                reason="reveal_burst",
                details={"rule": "reveal_burst", "severity": "high"},
            ),
        ),
        (SYSTEM, Entry("shipments.import", "import", None, details={"count": 250})),
        (SYSTEM, Entry("shipments.import", "import", None, details={"count": 50})),
        (SYSTEM, Entry("relay.connect", "shipment", "S1", decision="allow", reason="bound")),
        (SYSTEM, Entry("relay.route", "relay_number", "N1", decision="deny", reason="expired")),
    )
    m = scrape(app)
    assert m[("parcelguard_reveals_total", (("decision", "allow"), ("purpose", "delivery")))] == 2
    assert m[("parcelguard_reveals_total", (("decision", "deny"), ("purpose", "delivery")))] == 1
    assert m[("parcelguard_denials_total", (("action", "reveal"), ("reason", "not_assigned")))] == 1
    assert m[("parcelguard_denials_total", (("action", "relay.route"), ("reason", "expired")))] == 1
    assert m[("parcelguard_alerts_total", (("rule", "reveal_burst"), ("severity", "high")))] == 1
    assert m[("parcelguard_imported_shipments_total", ())] == 300
    assert m[("parcelguard_import_batches_total", ())] == 2
    assert m[("parcelguard_relay_routes_total", (("outcome", "connect"), ("reason", "bound")))] == 1
    assert (
        m[("parcelguard_relay_routes_total", (("outcome", "reject"), ("reason", "expired")))] == 1
    )
    assert m[("parcelguard_audit_events_total", ())] == 8


def test_later_scrapes_add_only_new_events_and_show_queue_lag(app: TestClient, rt) -> None:
    record(rt, (COURIER, Entry("reveal", "shipment", "S1", decision="allow", purpose="delivery")))
    assert (
        scrape(app)[("parcelguard_reveals_total", (("decision", "allow"), ("purpose", "delivery")))]
        == 1
    )
    record(
        rt,
        *[(COURIER, Entry("reveal", "shipment", "S1", decision="allow", purpose="delivery"))] * 3,
    )
    with rt.db.session() as session:
        session.add(
            SiemCursor(
                tenant_id=rt.tenant,
                destination="soc",
                last_seq=1,
                exported=1,
                updated_at=rt.clock.now(),
            )
        )
    m = scrape(app)
    assert m[("parcelguard_reveals_total", (("decision", "allow"), ("purpose", "delivery")))] == 4
    assert m[("parcelguard_siem_lag_events", (("destination", "soc"),))] == 3
    assert m[("parcelguard_outbox_lag_events", ())] >= 0
    assert m[("parcelguard_audit_unsigned_events", ())] >= 0

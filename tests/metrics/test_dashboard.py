"""The sample Grafana dashboard only queries metrics that `/metrics` really exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"
EXPORTED = {
    "parcelguard_reveals_total",
    "parcelguard_denials_total",
    "parcelguard_alerts_total",
    "parcelguard_alerts_open",
    "parcelguard_import_batches_total",
    "parcelguard_imported_shipments_total",
    "parcelguard_relay_routes_total",
    "parcelguard_audit_events_total",
    "parcelguard_outbox_lag_events",
    "parcelguard_audit_unsigned_events",
    "parcelguard_siem_lag_events",
}


def test_dashboard_queries_exported_metrics_only() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"parcelguard_[a-z_]+", target["expr"])
    }
    assert used and used <= EXPORTED
    assert {
        "parcelguard_reveals_total",
        "parcelguard_denials_total",
        "parcelguard_alerts_total",
        "parcelguard_siem_lag_events",
        "parcelguard_imported_shipments_total",
        "parcelguard_relay_routes_total",
    } <= used

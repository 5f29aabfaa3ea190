"""The collector: counters read from the audit log, incrementally, and gauges of queue lag.

Counters come from the audit log itself, not from process memory, so every worker reports
the same totals and a restart loses nothing. Each scrape reads only the events after the last
one it counted (by sequence number); the first scrape of a process reads the log once.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from parcelguard.audit import queries as audit_log
from parcelguard.monitor.service import open_counts
from parcelguard.runtime import Runtime
from parcelguard.siem.service import cursors_of

WATCHED = (
    "reveal",
    "monitor.alert",
    "shipments.import",
    "relay.connect",
    "relay.route",
    "relay.canary_hit",
)
CHUNK = 5000
COUNTED_COLUMNS = ("seq", "action", "decision", "reason", "purpose", "details")


class AuditCounts:
    """Running totals over the audit log, advanced by each scrape."""

    def __init__(self) -> None:
        self.last_seq = 0
        self.reveals: Counter[tuple[str, str]] = Counter()
        self.denials: Counter[tuple[str, str]] = Counter()
        self.alerts: Counter[tuple[str, str]] = Counter()
        self.imports = Counter({"batches": 0, "shipments": 0})
        self.routes: Counter[tuple[str, str]] = Counter()

    def add(
        self,
        action: str,
        decision: str | None,
        reason: str | None,
        purpose: str | None,
        details: dict[str, Any],
    ) -> None:
        """Count one event."""
        if decision == "deny":
            self.denials[(action, reason or "")] += 1
        if action == "reveal":
            self.reveals[(decision or "", purpose or "")] += 1
        elif action == "monitor.alert":
            self.alerts[
                (str(details.get("rule") or reason or ""), str(details.get("severity", "")))
            ] += 1
        elif action == "shipments.import":
            self.imports["batches"] += 1
            self.imports["shipments"] += int(details.get("count") or 0)
        elif action == "relay.connect":
            self.routes[("connect", reason or "")] += 1
        elif action == "relay.route":
            self.routes[("reject", reason or "")] += 1
        elif action == "relay.canary_hit":
            self.routes[("canary", reason or "")] += 1


class ParcelGuardCollector(Collector):
    """A prometheus_client collector over one runtime's database."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.counts = AuditCounts()
        self._lock = threading.Lock()

    def _advance(self) -> tuple[audit_log.LogPosition, dict[str, int], dict[str, int]]:
        rt, counts = self.rt, self.counts
        with rt.db.read_session() as session:
            while True:
                rows = audit_log.events_after(
                    session, rt.tenant, counts.last_seq, CHUNK, COUNTED_COLUMNS
                )
                for seq, action, decision, reason, purpose, details in rows:
                    watched = action in WATCHED
                    if watched or decision == "deny":
                        parsed = json.loads(details or "{}") if watched else {}
                        counts.add(action, decision, reason, purpose, parsed)
                    counts.last_seq = seq
                if len(rows) < CHUNK:
                    break
            head = audit_log.position(session, rt.tenant)
            cursors = cursors_of(session, rt.tenant)
            alerts_open = open_counts(session, rt.tenant)
        return head, cursors, alerts_open

    def collect(self) -> Iterator[Metric]:
        """Yield every metric family (called by the registry on each scrape)."""
        with self._lock:
            head, cursors, alerts_open = self._advance()
            c = self.counts
            reveals = CounterMetricFamily(
                "parcelguard_reveals", "Reveal decisions.", labels=["decision", "purpose"]
            )
            for (decision, purpose), n in sorted(c.reveals.items()):
                reveals.add_metric([decision, purpose], n)
            denials = CounterMetricFamily(
                "parcelguard_denials",
                "Denied decisions of any action.",
                labels=["action", "reason"],
            )
            for (action, reason), n in sorted(c.denials.items()):
                denials.add_metric([action, reason], n)
            alerts = CounterMetricFamily(
                "parcelguard_alerts", "Alerts raised by the monitor.", labels=["rule", "severity"]
            )
            for (rule, severity), n in sorted(c.alerts.items()):
                alerts.add_metric([rule, severity], n)
            routes = CounterMetricFamily(
                "parcelguard_relay_routes", "Relay routing decisions.", labels=["outcome", "reason"]
            )
            for (outcome, reason), n in sorted(c.routes.items()):
                routes.add_metric([outcome, reason], n)
            batches = CounterMetricFamily("parcelguard_import_batches", "Committed import batches.")
            batches.add_metric([], c.imports["batches"])
            imported = CounterMetricFamily("parcelguard_imported_shipments", "Shipments imported.")
            imported.add_metric([], c.imports["shipments"])
            size = head.seq
            events = CounterMetricFamily("parcelguard_audit_events", "Events in the audit log.")
            events.add_metric([], size)
            outbox = GaugeMetricFamily(
                "parcelguard_outbox_lag_events", "Audit events not yet published to NATS."
            )
            outbox.add_metric([], size - head.published_seq)
            unsigned = GaugeMetricFamily(
                "parcelguard_audit_unsigned_events", "Audit events after the last checkpoint."
            )
            unsigned.add_metric([], size - head.checkpoint_seq)
            siem = GaugeMetricFamily(
                "parcelguard_siem_lag_events",
                "Audit events a SIEM destination has not confirmed.",
                labels=["destination"],
            )
            for name, seq in sorted(cursors.items()):
                siem.add_metric([name], max(size - seq, 0))
            open_alerts = GaugeMetricFamily(
                "parcelguard_alerts_open", "Open alerts by severity.", labels=["severity"]
            )
            for severity, n in sorted(alerts_open.items()):
                open_alerts.add_metric([severity], n)
        yield from (
            reveals,
            denials,
            alerts,
            routes,
            batches,
            imported,
            events,
            outbox,
            unsigned,
            siem,
            open_alerts,
        )

"""An isolation forest over per-principal-hour features, trained per role on history."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Detector,
    Finding,
    RuleParams,
    Severity,
)
from parcelguard.monitor.events import LOCAL_OFFSET, AccessEvent
from parcelguard.monitor.forest import FastForest
from parcelguard.monitor.profile import Profile

SLOTS = {"reveal": 0, "deny": 1, "scan": 2, "export": 3, "login": 4, "pickup": 5}
UNASSIGNED, NOT_FOUND, EVENTS = 6, 7, 8
FEATURES = (
    "reveals",
    "denials",
    "scans",
    "export_records",
    "logins",
    "pickups",
    "unassigned",
    "not_found",
    "distinct_targets",
    "deny_ratio",
    "off_habit",
    "hour_sin",
    "hour_cos",
)


class IsolationForestParams(RuleParams):
    """Model and threshold settings; scores are sklearn's `score_samples` (lower = stranger)."""

    severity: Severity = "low"
    train_after_days: int = Field(default=7, ge=1)
    retrain_days: int = Field(default=7, ge=1)
    n_estimators: int = Field(default=100, ge=10, le=500)
    max_samples: int = Field(default=256, ge=16)
    sample_rows: int = Field(default=20_000, ge=100)
    min_rows: int = Field(default=200, ge=10)
    min_events: int = Field(default=20, ge=1)
    quantile: float = Field(default=0.0005, gt=0, lt=0.5)
    margin: float = Field(default=0.05, ge=0)
    random_state: int = 0


class IsolationForestDetector(Detector[IsolationForestParams]):
    """Scores each principal-hour when the hour closes, against its role's forest.

    Rows are kept for training in a bounded, seeded reservoir per role; a role's forest is
    (re)fitted once enough days have been seen. An hour fires when its score is below the
    `quantile` of the training scores by more than `margin`, and it had `min_events`.
    """

    rule = "isolation_forest"
    actions = ("reveal", "deny", "scan", "export", "login", "pickup")
    Params = IsolationForestParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.hour: dict[str, list[float]] = {}
        self.targets: dict[str, set[str]] = {}
        self.last: dict[str, AccessEvent] = {}
        self.rows: dict[str, list[list[float]]] = {}
        self.offered: dict[str, int] = {}
        self.forests: dict[str, tuple[FastForest, float]] = {}
        self.rng = random.Random(self.p.random_state)  # noqa: S311 - sampling, not secrets
        self.days_seen = 0
        self.trained_day: int | None = None

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Add the event to its principal's current hour."""
        pid = event.principal_id
        acc = self.hour.get(pid)
        if acc is None:
            acc = self.hour[pid] = [0.0] * 9
            self.targets[pid] = set()
        action = event.action
        if action == "export":
            acc[3] += event.count
        else:
            acc[SLOTS[action]] += 1
            if action == "reveal" or action == "deny":
                self.targets[pid].add(event.target or event.waybill or "")
        acc[EVENTS] += 1
        if event.assigned is False:
            acc[UNASSIGNED] += 1
        if event.outcome == "shipment_not_found":
            acc[NOT_FOUND] += 1
        self.last[pid] = event
        return None

    def roll_hour(self, hour: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Close the hour: score its rows, keep them for training, start afresh."""
        if not self.hour:
            return []
        by_role: dict[str, list[tuple[str, list[float]]]] = {}
        local_hour = hour % 24  # the engine numbers hours in China time
        ts = (hour + 1) * 3600.0 - LOCAL_OFFSET  # findings are dated at the hour's end
        for pid, acc in self.hour.items():
            prof = profiles[pid]
            row = self._row(acc, len(self.targets[pid]), prof, local_hour)
            by_role.setdefault(prof.role, []).append((pid, row))
            if acc[EVENTS] >= self.p.min_events:
                self._keep(prof.role, row)
        found = []
        for role, items in by_role.items():
            forest = self.forests.get(role)
            if forest is not None:
                found.extend(self._score(forest, items, ts))
        self.hour.clear()
        self.targets.clear()
        self.last.clear()
        return found

    def _row(self, acc: list[float], targets: int, prof: Profile, hour: int) -> list[float]:
        angle = 2 * math.pi * hour / 24
        habit = 1.0 - prof.hour_share(hour) if prof.active_days else 1.0
        row = [math.log1p(v) for v in acc[:8]]
        row += [math.log1p(targets), acc[1] / max(1.0, acc[0] + acc[1]), habit]
        return [*row, math.sin(angle), math.cos(angle), acc[EVENTS]]

    def _keep(self, role: str, row: list[float]) -> None:
        rows = self.rows.setdefault(role, [])
        seen = self.offered[role] = self.offered.get(role, 0) + 1
        if len(rows) < self.p.sample_rows:
            rows.append(row)
        else:
            slot = self.rng.randrange(seen)
            if slot < self.p.sample_rows:
                rows[slot] = row

    def _score(
        self, forest: tuple[FastForest, float], items: list[tuple[str, list[float]]], ts: float
    ) -> list[Finding]:
        model, limit = forest
        busy = [(pid, row) for pid, row in items if row[-1] >= self.p.min_events]
        if not busy:
            return []
        scores = model.score(np.array([row[:-1] for _, row in busy]))
        found = []
        for (pid, row), score in zip(busy, scores, strict=True):
            if score < limit:
                last = self.last[pid]
                details: dict[str, Any] = {
                    "score": round(float(score), 4),
                    "limit": round(limit, 4),
                }
                details["features"] = {
                    name: round(value, 3) for name, value in zip(FEATURES, row, strict=False)
                }
                found.append(Finding(self.rule, pid, ts, details, [last], last.role))
        return found

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Fit (or refit) each role's forest once enough days of rows are kept."""
        self.days_seen += 1
        p = self.p
        due = self.trained_day is None or ended - self.trained_day >= p.retrain_days
        if self.days_seen < p.train_after_days or not due:
            return []
        from sklearn.ensemble import IsolationForest

        for role, rows in self.rows.items():
            if len(rows) < p.min_rows:
                continue
            x = np.array([row[:-1] for row in rows])
            model = IsolationForest(
                n_estimators=p.n_estimators,
                max_samples=min(p.max_samples, len(rows)),
                random_state=p.random_state,
            ).fit(x)
            fast = FastForest(model, x)
            limit = float(np.quantile(fast.score(x), p.quantile)) - p.margin
            self.forests[role] = (fast, limit)
        self.trained_day = ended
        return []

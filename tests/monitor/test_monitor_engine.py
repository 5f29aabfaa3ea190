"""The engine and its parts: repeats folded per window, determinism, bounded state, the
forest scorer, sequence de-duplication and the `[monitor]` configuration."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest
from tests.monitor.helpers import DAY0, config, line, minutes, run, workdays

from parcelguard.errors import ConfigError
from parcelguard.monitor.config import MonitorConfig, monitor_config, rule_table
from parcelguard.monitor.detectors.base import Detector
from parcelguard.monitor.detectors.registry import DETECTORS, RULES, detector_class
from parcelguard.monitor.forest import FastForest
from parcelguard.monitor.replay import replay
from parcelguard.monitor.seen import SeenSequences


def burst_at(start, n: int = 12) -> list[dict]:
    return [
        line(
            at, "deny", waybill_no=f"PG{9000 + 31 * i:012d}", outcome="not_assigned", assigned=False
        )
        for i, at in enumerate(minutes(start, n, 1))
    ]


def test_the_same_principal_and_rule_within_the_window_is_one_alert() -> None:
    t = DAY0 + timedelta(days=2, hours=10)
    lines = burst_at(t) + burst_at(t + timedelta(minutes=40)) + burst_at(t + timedelta(hours=5))
    every = run(lines, config("unassigned_access"), repeats=True)
    assert [f.repeat for f in every] == [False, True, False]
    assert len(run(lines, config("unassigned_access"))) == 2


def test_replay_is_deterministic() -> None:
    lines = [json.dumps(x) for x in workdays(12, pid="c1") + workdays(12, pid="c2")]
    lines += [json.dumps(x) for x in burst_at(DAY0 + timedelta(days=12, hours=2), 40)]
    first = [f.as_alert() for f in replay(lines, MonitorConfig())]
    second = [f.as_alert() for f in replay(lines, MonitorConfig())]
    assert first == second and first
    assert all(set(a) == {"principal_id", "rule", "severity", "at", "details"} for a in first)


def test_state_stays_bounded_for_a_relentless_principal() -> None:
    cfg = config("unassigned_access", "denial_burst", "enumeration", "distinct_targets")
    start = DAY0 + timedelta(hours=10)
    lines = [
        line(
            start + timedelta(seconds=i),
            "deny",
            waybill_no=f"PG{i:012d}",
            outcome="not_assigned",
            assigned=False,
        )
        for i in range(20_000)
    ]
    from parcelguard.monitor.engine import Engine
    from parcelguard.monitor.events import from_replay

    engine = Engine(cfg)
    for item in lines:
        engine.feed(from_replay(item))
    profile = engine.profiles["c1"]
    assert len(profile.window) <= 4096 and len(profile.recent) <= 8
    for detector in engine.detectors:
        for attr in ("burst", "steps", "unknown"):
            window = getattr(detector, attr, None)
            if window is not None:
                assert all(len(v) <= window.count for v in window.recent.values())


def test_every_rule_is_registered_once_with_its_own_parameters() -> None:
    assert len(RULES) == len(set(RULES)) == len(DETECTORS)
    for rule in RULES:
        cls = detector_class(rule)
        assert issubclass(cls, Detector) and cls.rule == rule and cls.__doc__
    table = rule_table(MonitorConfig())
    assert set(table) == set(RULES)
    assert table["canary_hit"]["severity"] == "critical" and table["canary_hit"]["suspend"]
    assert table["isolation_forest"]["suspend"] is False


def test_the_monitor_table_is_validated_again_when_it_changes(rt) -> None:
    rt.settings.sections["monitor"] = {"rules": {"enumeration": {"steps": 5}}}
    assert monitor_config(rt).rule("enumeration").steps == 5
    rt.settings.sections["monitor"] = {"rules": {"enumeration": {"stepz": 5}}}
    with pytest.raises(ConfigError, match=r"rules\.enumeration\.stepz"):
        monitor_config(rt)
    rt.settings.sections["monitor"] = {"webhook_url": "https://hooks.example/x"}
    with pytest.raises(ConfigError, match="webhook_secret"):
        monitor_config(rt)


def test_sequences_are_seen_once_in_bounded_memory() -> None:
    seen = SeenSequences(horizon=100)
    assert [seen.add(s) for s in (1, 2, 2, 4, 3, 1)] == [True, True, False, True, True, False]
    assert seen.low == 4 and not seen.above
    for s in range(6, 300):  # 5 never comes
        seen.add(s)
    assert len(seen.above) <= 100 and not seen.add(5)


def test_the_fast_forest_scores_exactly_as_scikit_learn_inside_the_training_range() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 6))
    model = IsolationForest(n_estimators=50, max_samples=256, random_state=0).fit(x)
    fast = FastForest(model, x)
    inside = rng.uniform(-1, 1, size=(300, 6))
    np.testing.assert_allclose(fast.score(inside), model.score_samples(inside), atol=1e-12)
    outside = np.full((1, 6), 9.0)
    np.testing.assert_allclose(
        fast.score(outside, extrapolate=False), model.score_samples(outside), atol=1e-12
    )
    assert fast.score(outside)[0] < model.score_samples(outside)[0] - 0.05

"""Detector tables: for each rule, event sequences that fire it and sequences that do not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.monitor.helpers import DAY0, config, line, minutes, run, workdays

from parcelguard.monitor.detectors.enumeration import split_waybill

T = DAY0 + timedelta(days=10, hours=10)  # a weekday morning after ten days of history


def unassigned(n: int, every: float, **extra) -> list[dict]:
    return [
        line(
            at,
            "deny",
            waybill_no=f"PG{5000 + 37 * i:012d}",
            outcome="not_assigned",
            assigned=False,
            **extra,
        )
        for i, at in enumerate(minutes(T, n, every))
    ]


UNASSIGNED = [
    ("12 other people's parcels in 22 minutes", unassigned(12, 2), True),
    ("11 in 22 minutes", unassigned(11, 2), False),
    ("12 spread over two hours", unassigned(12, 10), False),
    (
        "12 by customer service (nothing is assigned to them)",
        unassigned(12, 2, role="customer_service"),
        False,
    ),
    (
        "12 scans of a colleague's parcels",
        [{**x, "action": "scan", "outcome": "ok"} for x in unassigned(12, 1)],
        True,
    ),
    (
        "12 unknown waybills (the enumeration rule's case)",
        [{**x, "outcome": "shipment_not_found"} for x in unassigned(12, 1)],
        False,
    ),
    (
        "12 of the courier's own parcels",
        [{**x, "assigned": True} for x in unassigned(12, 1)],
        False,
    ),
]


@pytest.mark.parametrize(("case", "lines", "fires"), UNASSIGNED, ids=[c[0] for c in UNASSIGNED])
def test_unassigned_access(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("unassigned_access"))
    assert bool(found) is fires
    if fires:
        assert (found[0].rule, found[0].severity, found[0].suspend) == (
            "unassigned_access",
            "high",
            True,
        )
        assert len(found[0].evidence) == 12


def denials(n: int, every: float, reason: str = "not_assigned") -> list[dict]:
    return [line(at, "deny", outcome=reason, assigned=False) for at in minutes(T, n, every)]


DENIALS = [
    ("10 denials in 5 minutes", denials(10, 0.5), True),
    ("9 denials in 5 minutes", denials(9, 0.5), False),
    ("10 denials over 45 minutes", denials(10, 5), False),
    (
        "10 step-up prompts (a browser session, not misuse)",
        denials(10, 0.5, "step_up_required"),
        False,
    ),
    ("10 quota refusals", denials(10, 0.5, "daily_quota_exceeded"), True),
]


@pytest.mark.parametrize(("case", "lines", "fires"), DENIALS, ids=[c[0] for c in DENIALS])
def test_denial_burst(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("denial_burst"))
    assert bool(found) is fires
    if fires:
        assert found[0].details["count"] == 10


def walk(numbers: list[int], **extra) -> list[dict]:
    return [
        line(
            at,
            "deny",
            waybill_no=f"PG{n:012d}",
            outcome="not_assigned",
            assigned=False,
            role="customer_service",
            **extra,
        )
        for at, n in zip(minutes(T, len(numbers), 1), numbers, strict=True)
    ]


STEP = list(range(770000, 770000 + 40, 2))
RANDOM = [770000 + (i * 7919) % 100000 for i in range(40)]
ENUMERATION = [
    ("20 numbers two apart", walk(STEP), True),
    ("40 random numbers", walk(RANDOM), False),
    (
        "20 numbers two apart, all the principal's own parcels",
        [{**x, "assigned": True} for x in walk(STEP)],
        False,
    ),
    (
        "8 waybills that do not exist",
        [{**x, "outcome": "shipment_not_found"} for x in walk(RANDOM[:8])],
        True,
    ),
    (
        "7 waybills that do not exist",
        [{**x, "outcome": "shipment_not_found"} for x in walk(RANDOM[:7])],
        False,
    ),
    (
        "steps drowned in a high-volume service's random lookups",
        sorted(
            walk(STEP)
            + [
                {**x, "at": (T + timedelta(seconds=3 * i)).isoformat()}
                for i, x in enumerate(walk(RANDOM * 10))
            ],
            key=lambda x: x["at"],
        ),
        False,
    ),
]


@pytest.mark.parametrize(("case", "lines", "fires"), ENUMERATION, ids=[c[0] for c in ENUMERATION])
def test_enumeration(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("enumeration"))
    assert bool(found) is fires


@pytest.mark.parametrize(
    ("waybill", "parts"),
    [
        ("SF1234567890", ("SF", 1234567890)),
        ("770001", ("", 770001)),
        ("ABC", None),
        ("JT00012", ("JT", 12)),
    ],
)
def test_waybills_split_into_prefix_and_number(waybill: str, parts) -> None:
    assert split_waybill(waybill) == parts


def lookups(n: int, every: float, distinct: int, role: str = "customer_service") -> list[dict]:
    return [
        line(at, waybill_no=f"PG{(i % distinct) * 7919:012d}", role=role, assigned=None)
        for i, at in enumerate(minutes(T, n, every))
    ]


TARGETS = [
    ("30 different parcels in 10 minutes", lookups(30, 0.33, 30), True),
    ("30 lookups of 3 parcels", lookups(30, 0.33, 3), False),
    ("30 different parcels over an hour", lookups(30, 2, 30), False),
    ("a sorting service (left out by default)", lookups(60, 0.1, 60, role="service"), False),
]


@pytest.mark.parametrize(("case", "lines", "fires"), TARGETS, ids=[c[0] for c in TARGETS])
def test_distinct_targets(case: str, lines: list[dict], fires: bool) -> None:
    assert bool(run(lines, config("distinct_targets"))) is fires


def exports(counts: list[int], pid: str = "k1", days_apart: int = 1) -> list[dict]:
    return [
        line(
            DAY0 + timedelta(days=i * days_apart, hours=20),
            "export",
            pid=pid,
            role="station_clerk",
            count=c,
            waybill_no=None,
            assigned=None,
        )
        for i, c in enumerate(counts)
    ]


EXPORTS = [
    ("one export of 2,500 records", exports([2500]), True),
    ("a daily list of 300", exports([300]), False),
    (
        "ten days of ~250, then 1,500",
        exports([250, 240, 260, 255, 245, 250, 270, 230, 250, 260, 1500]),
        True,
    ),
    (
        "ten days of ~250, then 500",
        exports([250, 240, 260, 255, 245, 250, 270, 230, 250, 260, 500]),
        False,
    ),
]


@pytest.mark.parametrize(("case", "lines", "fires"), EXPORTS, ids=[c[0] for c in EXPORTS])
def test_bulk_export(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("bulk_export"))
    assert bool(found) is fires


def scans(clients: int, every_hours: float, **extra) -> list[dict]:
    return [
        line(
            T + timedelta(hours=i * every_hours),
            "scan",
            pid="public",
            role="public",
            target=f"client-{i}",
            assigned=None,
            outcome="landing",
            **extra,
        )
        for i in range(clients)
    ]


STRANGERS = [
    ("five strangers scan one label in two hours", scans(5, 0.4), True),
    ("four strangers", scans(4, 0.4), False),
    ("five strangers over three days", scans(5, 18), False),
    (
        "the assigned courier scans it five times",
        [
            {**x, "principal_id": "c1", "role": "courier", "assigned": True, "target": None}
            for x in scans(5, 0.4)
        ],
        False,
    ),
]


@pytest.mark.parametrize(("case", "lines", "fires"), STRANGERS, ids=[c[0] for c in STRANGERS])
def test_stranger_scans(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("stranger_scans"))
    assert bool(found) is fires
    if fires:
        assert found[0].principal_id == "parcel:PG000000000001"


def test_scan_events_in_audit_form_count_too() -> None:
    lines = [{**x, "action": "label.scan"} for x in scans(5, 0.4)]
    assert run(lines, config("stranger_scans"))


SIGNALS = [
    (
        {"action": "relay.canary_hit", "details": {"principal_id": "c9"}},
        "canary_hit",
        "c9",
        "critical",
    ),
    (
        {"action": "forensics.canary_hit", "details": {"principal_id": "k3"}},
        "canary_hit",
        "k3",
        "critical",
    ),
    ({"action": "relay.pool_exhausted"}, "relay_pool_exhausted", "relay", "medium"),
]


@pytest.mark.parametrize(("extra", "rule", "principal", "severity"), SIGNALS)
def test_signals_from_other_domains_become_alerts(extra, rule, principal, severity) -> None:
    lines = [line(T, pid="system", role="system", waybill_no=None, **extra)]
    [found] = run(lines, config("canary_hit", "relay_pool_exhausted"))
    assert (found.rule, found.principal_id, found.severity) == (rule, principal, severity)
    assert found.suspend is (rule == "canary_hit")


def night(n: int, hour: int, pid: str = "c1", role: str = "courier") -> list[dict]:
    start = DAY0 + timedelta(days=10, hours=hour)
    return [line(at, pid=pid, role=role) for at in minutes(start, n, 3)]


def office_hours(pids=("c1", "c2", "c3")) -> list[dict]:
    return [x for pid in pids for x in workdays(10, pid=pid)]


OFF_HOURS = [
    ("8 reveals at 2 a.m. by someone who works 9 to 5", office_hours() + night(8, 2), True),
    ("7 at 2 a.m.", office_hours() + night(7, 2), False),
    ("8 at 11 a.m.", office_hours() + night(8, 11), False),
    (
        "a new courier at 2 a.m. (judged by the role's hours)",
        office_hours() + night(8, 2, pid="new"),
        True,
    ),
    ("a new courier at 10 a.m.", office_hours() + night(8, 10, pid="new"), False),
]


@pytest.mark.parametrize(("case", "lines", "fires"), OFF_HOURS, ids=[c[0] for c in OFF_HOURS])
def test_off_hours(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("off_hours"))
    assert bool(found) is fires


def test_off_hours_spares_an_evening_worker_covering_a_morning_shift() -> None:
    lines = office_hours(("c1", "c2")) + workdays(10, pid="late", start_hour=14, hours=7)
    lines += [line(at, pid="late") for at in minutes(DAY0 + timedelta(days=10, hours=9), 10, 3)]
    assert run(lines, config("off_hours")) == []


def burst(pid: str, n: int, day: int = 10, role: str = "courier") -> list[dict]:
    start = DAY0 + timedelta(days=day, hours=14)
    return [
        line(at, pid=pid, role=role, waybill_no=f"PG{7000 + i:012d}")
        for i, at in enumerate(minutes(start, n, 0.5))
    ]


VOLUME_OWN = [
    ("100 reveals in 50 minutes after days of 20", workdays(10) + burst("c1", 100), True),
    (
        "20 reveals in 10 minutes (under the floor of 25 an hour)",
        workdays(10) + burst("c1", 20),
        False,
    ),
    ("a new courier with no history (left to the peer rule)", burst("c1", 100, day=0), False),
]


@pytest.mark.parametrize(("case", "lines", "fires"), VOLUME_OWN, ids=[c[0] for c in VOLUME_OWN])
def test_volume_against_own_history(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("volume_own"))
    assert bool(found) is fires
    if fires:
        assert found[0].details["span"] == "hour" and found[0].details["usual"] >= 1


PEERS = [f"c{i}" for i in range(8)]
VOLUME_PEER = [
    (
        "a new courier does 150 reveals in an hour; peers do 20 a day",
        [x for p in PEERS for x in workdays(10, pid=p)] + burst("new", 150),
        True,
    ),
    (
        "a new courier does 30",
        [x for p in PEERS for x in workdays(10, pid=p)] + burst("new", 30),
        False,
    ),
    ("too few peers to compare with", workdays(10, pid="c0") + burst("new", 150), False),
]


@pytest.mark.parametrize(("case", "lines", "fires"), VOLUME_PEER, ids=[c[0] for c in VOLUME_PEER])
def test_volume_against_peers(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("volume_peer"))
    assert bool(found) is fires
    if fires:
        assert found[0].principal_id == "new"


def drip(pid: str, per_day: int, days: int = 9) -> list[dict]:
    return [
        line(
            DAY0 + timedelta(days=d, hours=10, minutes=20 * i),
            "scan",
            pid=pid,
            waybill_no=f"PG{9000 + d * 10 + i:012d}",
            assigned=False,
            outcome="ok",
        )
        for d in range(days)
        for i in range(per_day)
    ]


PEER_DAYS = [x for p in PEERS for x in workdays(9, pid=p)]
DRIP = [
    ("4 colleagues' parcels every day for 9 days", PEER_DAYS + drip("c0", 4), True),
    ("1 a day (reassignment lag)", PEER_DAYS + drip("c0", 1), False),
    ("one bad day of covering a route", PEER_DAYS + drip("c0", 12, days=1), False),
]


@pytest.mark.parametrize(("case", "lines", "fires"), DRIP, ids=[c[0] for c in DRIP])
def test_slow_drip(case: str, lines: list[dict], fires: bool) -> None:
    found = run(lines, config("unassigned_drip"))
    assert bool(found) is fires
    if fires:
        assert found[0].principal_id == "c0" and found[0].details["median"] >= 2


def test_isolation_forest_scores_a_strange_hour_after_training() -> None:
    cfg = config(
        "isolation_forest",
        isolation_forest={"min_events": 5, "train_after_days": 7, "min_rows": 50},
    )
    normal = [x for p in PEERS for x in workdays(9, pid=p, per_day=40)]
    strange = [
        line(
            DAY0 + timedelta(days=8, hours=3, minutes=i),
            "deny",
            pid="c3",
            waybill_no=f"PG{i:012d}",
            outcome="shipment_not_found",
            assigned=False,
        )
        for i in range(50)
    ]
    found = run(normal + strange, cfg)
    assert [(f.rule, f.principal_id) for f in found] == [("isolation_forest", "c3")]
    assert found[0].details["score"] < found[0].details["limit"]
    assert run(normal, cfg) == []

"""The quiet rules: sustained excess over peers, and a habit of another station's parcels.

Each case is weeks of traffic for a small team built day by day; the false-alarm cases are
the ones that sink naive rules: shift workers, a holiday, new hires, big routes, a single
legitimate transfer, covering a neighbouring station.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from tests.monitor.helpers import DAY0, config, line, run

from parcelguard.monitor.detectors.base import Finding

Lines = list[dict[str, Any]]
AGENTS = [f"cs{i}" for i in range(8)]
COURIERS = [f"c{i}" for i in range(7)]


def waybill(*parts: object) -> str:
    """Return a waybill number that depends only on `parts`."""
    return f"PG{zlib.crc32(repr(parts).encode()):012d}"


def spread(day: int, n: int, start: float = 9.0, hours: float = 8.0) -> list[datetime]:
    """Return n instants spread over `hours` from `start` o'clock on day `day`."""
    base = DAY0 + timedelta(days=day, hours=start)
    return [base + timedelta(minutes=(i + 0.5) * hours * 60 / max(n, 1)) for i in range(n)]


def agent_day(pid: str, day: int, n: int, start: float = 9.0, hours: float = 8.0) -> Lines:
    """A customer-service agent's reveals of one day (one field per reveal, under a ticket)."""
    return [
        line(
            at,
            "reveal",
            pid,
            role="customer_service",
            station_id=None,
            assigned=None,
            fields=["recipient.phone"],
            waybill_no=waybill(pid, day, i),
        )
        for i, at in enumerate(spread(day, n, start, hours))
    ]


def team(days: int, volume: Callable[[str, int], int | None], **shift: Any) -> Lines:
    """Eight agents for `days` days; `volume(pid, day)` is their reveals (None: day off)."""
    out: Lines = []
    for day in range(days):
        for pid in AGENTS:
            n = volume(pid, day)
            if n is not None:
                out += agent_day(pid, day, n, **shift.get(pid, {}))
    return out


def ordinary(pid: str, day: int) -> int | None:
    """Ordinary agents: 15–21 reveals a day, one day off a week each."""
    if (day + AGENTS.index(pid)) % 7 == 6:
        return None
    return 15 + (day * 7 + AGENTS.index(pid) * 3) % 7


def excess(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.rule == "sustained_excess"]


RULE = config("sustained_excess")


def test_an_agent_at_two_and_a_half_times_their_peers_every_day_is_named() -> None:
    lines = team(24, lambda pid, day: 45 if pid == "cs0" else ordinary(pid, day))
    found, *again = excess(run(lines, RULE))
    assert found.principal_id == "cs0" and found.role == "customer_service"
    assert found.ts < (DAY0 + timedelta(days=8)).timestamp()  # after six high days
    # While it goes on, it is named again, but not before `repeat_days` (14) have passed.
    assert [f.principal_id for f in again] == ["cs0"] and again[0].ts - found.ts >= 14 * 86400
    assert found.details["per"] == "hour" and found.details["high_days"] >= 6
    assert 2.0 <= found.details["ratio"] <= 3.5
    assert (found.severity, found.suspend) == ("medium", False)
    assert found.evidence and all(e.principal_id == "cs0" for e in found.evidence)


def test_a_week_of_busy_days_is_not_a_sustained_excess() -> None:
    lines = team(24, lambda pid, day: 45 if pid == "cs0" and 12 <= day < 17 else ordinary(pid, day))
    assert excess(run(lines, RULE)) == []


def test_a_holiday_when_everyone_is_low_raises_nothing() -> None:
    def volume(pid: str, day: int) -> int | None:
        n = ordinary(pid, day)
        return None if n is None else (n // 3 if 10 <= day < 13 else n)

    assert excess(run(team(24, volume), RULE)) == []


def test_the_excess_is_still_seen_across_a_holiday() -> None:
    def volume(pid: str, day: int) -> int | None:
        n = 45 if pid == "cs0" else ordinary(pid, day)
        return None if n is None else (n // 3 if 10 <= day < 13 else n)

    assert {f.principal_id for f in excess(run(team(24, volume), RULE))} == {"cs0"}


def test_a_long_shift_worker_with_a_bigger_day_is_not_an_excess() -> None:
    def volume(pid: str, day: int) -> int | None:
        if pid == "cs0":  # four twelve-hour days on, four off: twice a day's reveals
            return 38 if day % 8 < 4 else None
        return ordinary(pid, day)

    lines = team(28, volume, cs0={"start": 8.0, "hours": 12.0})
    assert excess(run(lines, RULE)) == []


def test_a_part_timer_is_judged_per_hour_on_duty() -> None:
    def volume(pid: str, day: int) -> int | None:
        if pid == "cs0":
            return 9 if day % 7 in (0, 2, 4) else None
        return ordinary(pid, day)

    lines = team(28, volume, cs0={"start": 13.0, "hours": 4.0})
    assert excess(run(lines, RULE)) == []


def test_a_new_hire_who_looks_up_more_while_learning_is_not_named() -> None:
    def volume(pid: str, day: int) -> int | None:
        if pid == "cs7":  # joins on day 8: 40 a day for two weeks, then ordinary
            return None if day < 8 else (40 if day < 22 else 18)
        return ordinary(pid, day)

    assert excess(run(team(30, volume), RULE)) == []


def test_a_new_hire_who_keeps_at_it_after_settling_in_is_named() -> None:
    def volume(pid: str, day: int) -> int | None:
        if pid == "cs7":
            return None if day < 8 else 45
        return ordinary(pid, day)

    [found] = excess(run(team(34, volume), RULE))
    assert found.principal_id == "cs7"


def test_a_role_with_too_few_members_is_not_judged() -> None:
    officers = [
        {**x, "role": "security_officer"}
        for x in team(24, lambda pid, day: 45 if pid == "cs0" else ordinary(pid, day))
        if x["principal_id"] in AGENTS[:4]
    ]
    assert excess(run(officers, RULE)) == []


def courier_day(pid: str, day: int, parcels: int, share: float, station: str = "st1") -> Lines:
    """A courier's day: a scan of each parcel, a reveal of the address of `share` of them."""
    out = []
    every = round(1 / share) if share else 0
    for i, at in enumerate(spread(day, parcels, 8.0, 10.0)):
        number = waybill(pid, day, i)
        out.append(line(at, "scan", pid, waybill_no=number, station_id=station, outcome="ok"))
        if every and i % every == 0:
            at2 = at + timedelta(minutes=2)
            out.append(line(at2, "reveal", pid, waybill_no=number, station_id=station))
    return out


def couriers(days: int, plan: Callable[[str, int], tuple[Any, ...] | None]) -> Lines:
    out: Lines = []
    for day in range(days):
        for pid in COURIERS:
            todays = plan(pid, day)
            if todays is not None:
                out += courier_day(pid, day, *todays)
    return out


def route(pid: str, day: int) -> tuple[int, float] | None:
    """Ordinary couriers: 60–100 parcels, a quarter of the addresses revealed, one day off."""
    if (day + COURIERS.index(pid)) % 7 == 6:
        return None
    return 60 + 8 * COURIERS.index(pid) % 40, 0.25


def test_a_courier_revealing_most_of_their_route_is_named_per_parcel() -> None:
    lines = couriers(24, lambda pid, day: (70, 0.75) if pid == "c0" else route(pid, day))
    found = excess(run(lines, RULE))
    assert {f.principal_id for f in found} == {"c0"} and found[0].details["per"] == "parcel"


def test_a_courier_with_twice_the_route_revealing_the_usual_share_is_not_named() -> None:
    lines = couriers(24, lambda pid, day: (180, 0.25) if pid == "c0" else route(pid, day))
    assert excess(run(lines, RULE)) == []


def test_parcels_taken_out_count_as_work_when_a_courier_scans_nothing() -> None:
    """In the service a courier records `out_for_delivery` for each parcel (an audited
    lifecycle step); without label scans, those steps are the parcels handled."""
    lines = []
    for x in couriers(24, lambda pid, day: (70, 0.75) if pid == "c0" else route(pid, day)):
        if x["action"] == "scan":
            x = {
                **x,
                "action": "shipment.out_for_delivery",
                "details": {"waybill": x["waybill_no"]},
            }
        lines.append(x)
    found = excess(run(lines, RULE))
    assert {f.principal_id for f in found} == {"c0"} and found[0].details["per"] == "parcel"


def stationed(
    pid: str, day: int, n: int, theirs: str, action: str = "reveal", own: str = "st1", **kw: Any
) -> Lines:
    """n accesses on day `day` by `pid` of `own` to parcels that belong to `theirs`."""
    return [
        line(
            at,
            action,
            pid,
            station_id=own,
            parcel_station=theirs,
            waybill_no=waybill(pid, day, i, theirs),
            **kw,
        )
        for i, at in enumerate(spread(day, n, 10.0, 6.0))
    ]


def own_work(days: int, pids: list[str] = COURIERS) -> Lines:
    """Everyone's ordinary work on their own station's parcels, six days a week."""
    out: Lines = []
    for day in range(days):
        for pid in pids:
            if (day + pids.index(pid)) % 7 != 6:
                out += stationed(pid, day, 30, "st1")
    return out


def foreign(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.rule == "foreign_station"]


FOREIGN = config("foreign_station")


def test_a_dozen_parcels_of_another_station_a_day_for_two_weeks_is_named() -> None:
    lines = own_work(20)
    for day in range(4, 18):
        if day % 7 != 6:
            lines += stationed("c0", day, 12, "st9")
    [found] = foreign(run(lines, FOREIGN))
    assert found.principal_id == "c0" and found.details["stations"] == ["st9"]
    assert found.details["foreign_days"] >= 5 and found.evidence
    assert all(e.parcel_station == "st9" for e in found.evidence)


def test_a_clerk_scanning_other_stations_parcels_every_day_is_named() -> None:
    lines = own_work(20)
    for day in range(4, 18):
        lines += stationed("k1", day, 10, f"st{2 + day % 3}", "scan", role="station_clerk")
    assert [f.principal_id for f in foreign(run(lines, FOREIGN))] == ["k1"]


@pytest.mark.parametrize("days", [1, 2])
def test_covering_a_neighbouring_station_for_a_day_or_two_is_not_named(days: int) -> None:
    lines = own_work(20)
    for day in range(10, 10 + days):
        lines += stationed("c0", day, 40, "st2")
    assert foreign(run(lines, FOREIGN)) == []


def test_helping_a_neighbour_one_day_every_week_is_not_named() -> None:
    lines = own_work(28)
    for day in range(2, 28, 7):
        lines += stationed("c0", day, 15, "st2")
    assert foreign(run(lines, FOREIGN)) == []


def transfer(day: int, waybill: str, to: str, src: str, hour: float = 18.0) -> dict[str, Any]:
    at = DAY0 + timedelta(days=day, hours=hour)
    return line(
        at,
        "shipment.transferred",
        "k9",
        role="station_clerk",
        station_id=src,
        waybill_no=waybill,
        parcel_station=to,
        from_station=src,
    )


def test_parcels_transferred_into_the_station_the_same_day_are_not_foreign() -> None:
    lines = own_work(20)
    for day in range(4, 18):
        batch = stationed("k1", day, 12, "st2", "scan", role="station_clerk")
        lines += batch + [transfer(day, x["waybill_no"], "st1", "st2") for x in batch]
    assert foreign(run(lines, FOREIGN)) == []


def test_a_single_legitimate_transfer_raises_nothing() -> None:
    lines = own_work(20)
    [denied] = stationed("c0", 9, 1, "st2", "deny", outcome="not_assigned", assigned=False)
    lines += [transfer(9, denied["waybill_no"], "st2", "st1", hour=8.0), denied]
    assert foreign(run(lines, FOREIGN)) == []


def test_customer_service_has_no_station_to_leave() -> None:
    lines = [
        {**x, "role": "customer_service", "station_id": None}
        for day in range(20)
        for x in stationed("cs0", day, 20, "st3")
    ]
    assert foreign(run(lines, FOREIGN)) == []


def test_station_roles_are_judged_among_their_own_stations_staff() -> None:
    def plan(pid: str, day: int) -> tuple[int, float, str] | None:
        todays = route(pid, day)
        return None if todays is None else (*todays, "st1")

    lines = couriers(24, plan)  # seven couriers of st1 revealing a quarter of their route
    for day in range(24):  # five of st2, a new district, revealing most of theirs
        for i in range(5):
            lines += courier_day(f"d{i}", day, 60 + 5 * i, 0.75, "st2")
    per_role = excess(run(lines, RULE))
    per_station = excess(
        run(lines, config("sustained_excess", sustained_excess={"station_roles": ["courier"]}))
    )
    assert {f.principal_id for f in per_role} == {f"d{i}" for i in range(5)}
    assert per_station == []

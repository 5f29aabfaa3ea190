"""Scoring on hand-built access models: ranking, chance, pooling, identical channels, canaries."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.forensics.access_model import Access, AccessModel, ChannelFacts, ChannelKey
from parcelguard.forensics.candidates import Candidate
from parcelguard.forensics.matching import MatchedRecord
from parcelguard.forensics.scoring import (
    CERTAIN_SCORE,
    attribute,
    mark_certain,
    source_log10_bf,
    tail_log10,
)

AT = datetime(2026, 10, 1, tzinfo=UTC)
STRATA = ("3301:2026-09", "3201:2026-09")


def record(i: int, stratum: str) -> MatchedRecord:
    sid = f"S{i:05d}"
    return MatchedRecord(
        i, {}, (Candidate(sid, f"W{i}", "recipient", "138******78", stratum, AT),), "phone"
    )


class Tenant:
    """1,000 shipments per stratum; channels that each accessed a known set of them."""

    def __init__(self) -> None:
        self.model = AccessModel({s: 1000 for s in STRATA}, {})
        self.ids = {s: [i + 1000 * n for i in range(1000)] for n, s in enumerate(STRATA)}

    def channel(
        self, kind: str, ident: str, role: str, shipments: list[int], principal: str | None = None
    ) -> ChannelKey:
        key = ChannelKey(kind, ident)
        volume: dict[str, int] = {}
        for i in shipments:
            stratum = STRATA[i // 1000]
            volume[stratum] = volume.get(stratum, 0) + 1
        self.model.channels[key] = ChannelFacts(
            key, principal or ident, role, volume, len(shipments)
        )
        for i in shipments:
            self.model.touch(key, Access(i, AT, "reveal", f"S{i:05d}"))
        return key

    def records(self, shipments: list[int]) -> list[MatchedRecord]:
        return [record(i, STRATA[i // 1000]) for i in shipments]


@pytest.fixture
def tenant() -> Tenant:
    rng = random.Random(1)
    t = Tenant()
    for c in range(8):  # couriers: a disjoint eighth of each city each
        t.channel("principal", f"courier-{c}", "courier", [i for i in range(2000) if i % 8 == c])
    t.channel("station", "S-HZ", "station", list(range(1000)))  # every parcel of one city
    for a in range(20):  # agents: 40 random reveals each
        t.channel("principal", f"agent-{a}", "customer_service", rng.sample(range(2000), 40))
    return t


def test_the_channel_that_saw_every_record_ranks_first_and_is_accused(tenant: Tenant) -> None:
    leaker = tenant.channel(
        "principal", "agent-x", "customer_service", random.Random(2).sample(range(2000), 60)
    )
    leaked = sorted(tenant.model.touched[leaker])[:25]
    suspects = attribute(tenant.records([int(s[1:]) for s in leaked]), tenant.model)
    assert suspects[0].key == leaker and suspects[0].accused and suspects[0].coverage == 1.0
    assert [s for s in suspects if s.accused] == [suspects[0]]


def test_records_nobody_accessed_beyond_delivery_accuse_nobody(tenant: Tenant) -> None:
    rng = random.Random(3)
    for _ in range(30):
        suspects = attribute(tenant.records(rng.sample(range(2000), 40)), tenant.model)
        assert not any(s.accused for s in suspects)
        assert {s.key.kind for s in suspects} <= {"principal", "station"}


def test_a_station_covering_its_city_is_no_suspect_for_a_city_breach(tenant: Tenant) -> None:
    breach = random.Random(4).sample(range(1000), 50)  # another shop's customers in that city
    suspects = attribute(tenant.records(breach), tenant.model)
    station = next(s for s in suspects if s.key.kind == "station")
    assert station.coverage == 1.0 and station.log10_p == pytest.approx(0.0, abs=0.1)
    assert not station.accused


def test_a_key_that_saw_what_its_holder_saw_is_folded_into_the_holder(tenant: Tenant) -> None:
    shipments = random.Random(5).sample(range(2000), 80)
    holder = tenant.channel("principal", "partner", "service", shipments)
    key = tenant.channel("api_key", "k1", "service", shipments, principal="partner")
    suspects = attribute(tenant.records(shipments[:30]), tenant.model)
    assert suspects[0].key == holder and suspects[0].aliases == [key]
    assert all(s.key != key for s in suspects)


def test_small_strata_are_pooled_not_compared_alone() -> None:
    model = AccessModel({"3301:2026-09": 5, "3201:2026-09": 4, "1101:2026-09": 500}, {})
    key = ChannelKey("principal", "p")
    model.channels[key] = ChannelFacts(
        key, "p", "courier", {"3301:2026-09": 5, "1101:2026-09": 10}, 15
    )
    model.pool_small(minimum=30)
    assert model.population == {"*": 9, "1101:2026-09": 500}
    assert model.fraction(key, "3301:2026-09") == pytest.approx(5 / 9)
    assert model.population_of("3201:2026-09") == 9


def test_a_canary_puts_its_channel_first_with_certainty(tenant: Tenant) -> None:
    suspects = attribute(tenant.records(list(range(0, 40))), tenant.model)
    courier = ChannelKey("principal", "courier-3")
    marked = mark_certain(suspects, [(courier, "courier-3", "courier", "K1")], 40)
    assert marked[0].key == courier and marked[0].certain and marked[0].score >= CERTAIN_SCORE
    stranger = ChannelKey("export", "E9")
    marked = mark_certain(marked, [(stranger, "officer", "export", "K2")], 40)
    assert {marked[0].key, marked[1].key} == {courier, stranger}


def test_tail_probabilities() -> None:
    assert tail_log10(0, 10, 1.0) == 0.0
    assert tail_log10(10, 10, 1.0) == pytest.approx(-10.0, abs=1e-6)
    assert tail_log10(5, 10, 10.0) == 0.0
    assert tail_log10(3, 100, 3.0) > -1.0


@given(st.lists(st.floats(0.001, 0.99), min_size=1, max_size=30), st.integers(0, 30))
def test_explaining_more_records_never_lowers_the_bayes_factor(
    covered: list[float], uncovered: int
) -> None:
    fewer = source_log10_bf(covered[:-1], uncovered + 1)
    assert source_log10_bf(covered, uncovered) >= fewer - 1e-9
    assert math.isfinite(fewer)

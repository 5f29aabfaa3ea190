"""Attribution: how unlikely is each channel's coverage of the leak, if it were chance?

For a channel c and a matched record r (a person, who may be several of our shipments), the
chance that c accessed r without being the source is q(c, r) = 1 − Π (1 − f(c, s)) over r's
shipments, where f(c, s) is the share of stratum s (the shipment's city and month) that c
accessed before the leak. Covering k of n records by chance is then a sum of independent
Bernoulli trials; its tail is bounded by the binomial tail with the same mean (Hoeffding,
1956), which is what we compute: p = P(Binomial(n, Σq/n) ≥ k). Comparing within strata is
what keeps ordinary delivery from looking like a leak: the couriers and stations of a city
cover that city's records in proportion to their share of it, no more.

score = −log10(p · M), M the number of channels tested (a Bonferroni bound), so a score of
3 means: under the "nobody inside" hypothesis, the chance that *any* channel looks this bad
is at most 1 in 1000. Channels at or above the threshold are accused.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from scipy.stats import binom

from parcelguard.forensics.access_model import SPECIFICITY, AccessModel, ChannelKey
from parcelguard.forensics.matching import MatchedRecord

DEFAULT_THRESHOLD = 3.0
CERTAIN_SCORE = 99.0  # a canary names its channel outright
MAX_SCORE = 300.0


@dataclass
class Suspect:
    """A channel that covered part of the leak, with how unlikely that is by chance."""

    key: ChannelKey
    principal_id: str | None
    role: str
    covered: int
    matched: int
    expected: float
    log10_p: float
    score: float
    volume: int
    accused: bool = False
    certain: bool = False
    canaries: list[str] = field(default_factory=list)
    aliases: list[ChannelKey] = field(default_factory=list)
    records: list[int] = field(default_factory=list)  # indexes into the scored records

    @property
    def coverage(self) -> float:
        """Return the share of matched records the channel had accessed."""
        return self.covered / self.matched if self.matched else 0.0


def scorable(records: Sequence[MatchedRecord]) -> list[MatchedRecord]:
    """Return the records the attribution weighs: matched to ordinary shipments, not canaries."""
    return [r for r in records if not r.canary_ids and r.candidates]


def attribute(
    records: Sequence[MatchedRecord],
    model: AccessModel,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Suspect]:
    """Return every channel that covered at least one record, most suspicious first."""
    weighed = scorable(records)
    n = len(weighed)
    owners = _owners(weighed)
    tested = max(1, sum(1 for f in model.channels.values() if any(f.volume.values())))
    suspects = []
    for key, accesses in model.touched.items():
        covered = sorted({i for sid in accesses for i in owners.get(sid, ())})
        if not covered or key not in model.channels:
            continue
        suspects.append(_suspect(key, covered, weighed, model, n, tested, threshold))
    return _merge_identical(sorted(suspects, key=rank))


def rank(suspect: Suspect) -> tuple[float, ...]:
    """Return the sort key: certain first, then score, coverage, smaller volume, narrower kind."""
    return (
        -float(suspect.certain),
        -suspect.score,
        suspect.log10_p,
        -suspect.covered,
        suspect.volume,
        SPECIFICITY.get(suspect.key.kind, 9),
    )


def _owners(records: Sequence[MatchedRecord]) -> dict[str, list[int]]:
    owners: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        for sid in {c.shipment_id for c in record.candidates}:
            owners[sid].append(i)
    return owners


def _suspect(
    key: ChannelKey,
    covered: list[int],
    records: Sequence[MatchedRecord],
    model: AccessModel,
    n: int,
    tested: int,
    threshold: float,
) -> Suspect:
    facts = model.channels[key]
    expected = sum(_chance(key, record, model) for record in records)
    log10_p = tail_log10(len(covered), n, expected)
    score = min(MAX_SCORE, max(0.0, -log10_p - math.log10(tested)))
    return Suspect(
        key=key,
        principal_id=facts.principal_id,
        role=facts.role,
        covered=len(covered),
        matched=n,
        expected=expected,
        log10_p=log10_p,
        score=score,
        volume=facts.total or sum(facts.volume.values()),
        accused=score >= threshold,
        records=covered,
    )


def _chance(key: ChannelKey, record: MatchedRecord, model: AccessModel) -> float:
    missed = 1.0
    seen: set[str] = set()
    for candidate in record.candidates:
        if candidate.shipment_id not in seen:
            seen.add(candidate.shipment_id)
            population = model.population_of(candidate.stratum)
            floor = 1.0 / population if population else 1.0
            missed *= 1.0 - max(floor, model.fraction(key, candidate.stratum))
    return 1.0 - missed


def tail_log10(k: int, n: int, expected: float) -> float:
    """Return log10 P(Binomial(n, expected / n) ≥ k), the chance of covering k or more."""
    if k <= 0 or n <= 0:
        return 0.0
    p = min(1.0, max(expected / n, 1e-12))
    if p >= 1.0:
        return 0.0
    value = float(binom.logsf(k - 1, n, p)) / math.log(10)
    return max(-MAX_SCORE - 10, min(0.0, value))


def _merge_identical(ranked: list[Suspect]) -> list[Suspect]:
    """Fold channels that saw exactly what a narrower channel saw into its `aliases`."""
    kept: dict[tuple[object, ...], Suspect] = {}
    out = []
    for suspect in sorted(ranked, key=lambda s: (SPECIFICITY.get(s.key.kind, 9), rank(s))):
        same = (tuple(suspect.records), suspect.volume, round(suspect.log10_p, 6))
        if same in kept:
            kept[same].aliases.append(suspect.key)
        else:
            kept[same] = suspect
            out.append(suspect)
    return sorted(out, key=rank)

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

The score says whether a channel's coverage can be chance; it does not say which channel is
the source when several cannot (a station and the clerk who handled most of its parcels).
Suspects are ranked by how well "this channel is the source" explains the whole leak: the
Bayes factor of "a share α of the records came from c, the rest by chance", α ~ Beta(9, 1),
against chance alone. A channel that covers every record beats one that covers most of them
more surprisingly, and one that covers three records of fifty explains little, however rare.
Accused channels still come first: the threshold is the guarantee, the ranking the judgement.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import binom

from parcelguard.forensics.access_model import SPECIFICITY, AccessModel, ChannelKey
from parcelguard.forensics.matching import MatchedRecord

DEFAULT_THRESHOLD = 3.0
CERTAIN_SCORE = 99.0  # a canary names its channel outright
MAX_SCORE = 300.0
ALPHA_PRIOR = 9.0  # Beta(9, 1) on the share of matched records the source explains
_GRID = (np.arange(400) + 0.5) / 400


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
    log10_bf: float = 0.0
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


def mark_certain(
    suspects: list[Suspect],
    hits: Sequence[tuple[ChannelKey, str | None, str, str]],
    matched: int,
) -> list[Suspect]:
    """Put every channel a canary names first, certain, whatever its coverage score.

    `hits` holds (channel, principal behind it, role, canary id) for each canary in the leak.
    """
    by_key = {s.key: s for s in suspects}
    for key, principal, role, canary_id in hits:
        suspect = by_key.get(key)
        if suspect is None:
            suspect = Suspect(key, principal, role, 0, matched, 0.0, 0.0, 0.0, 0)
            by_key[key] = suspect
            suspects.append(suspect)
        suspect.certain, suspect.accused = True, True
        suspect.score = max(suspect.score, CERTAIN_SCORE)
        if canary_id not in suspect.canaries:
            suspect.canaries.append(canary_id)
    return sorted(suspects, key=rank)


def rank(suspect: Suspect) -> tuple[float, ...]:
    """Return the sort key: certain, accused, how well it explains the leak, score, narrower."""
    return (
        -float(suspect.certain),
        -float(suspect.accused),
        -round(suspect.log10_bf, 9),
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
    chances = [_chance(key, record, model) for record in records]
    expected = sum(chances)
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
        log10_bf=source_log10_bf([chances[i] for i in covered], n - len(covered)),
        records=covered,
    )


def source_log10_bf(covered: Sequence[float], uncovered: int) -> float:
    """Return log10 of the Bayes factor "the channel is the source of most records" vs chance.

    `covered` holds the chance q of each record the channel covered; `uncovered` counts the
    others. Under the source hypothesis a record is covered with probability α + (1 − α)q,
    an uncovered one has likelihood ratio 1 − α; α is integrated over its Beta(9, 1) prior.
    """
    alpha = _GRID
    total = math.log(ALPHA_PRIOR) + (ALPHA_PRIOR - 1) * np.log(alpha)
    q = np.clip(np.asarray(covered, dtype=float), 1e-12, 1.0)
    if len(q):
        total = total + np.log(alpha[None, :] / q[:, None] + 1 - alpha[None, :]).sum(axis=0)
    total = total + uncovered * np.log1p(-alpha)
    peak = float(total.max())
    return (peak + math.log(float(np.mean(np.exp(total - peak))))) / math.log(10)


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

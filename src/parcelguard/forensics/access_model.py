"""What the attribution reads: who could have seen which shipments before the leak.

A channel is a way records leave: a principal (person or service account), a station, an API
key, an export. For each channel the model holds how many distinct shipments it accessed in
each stratum (city × month) the leak touches, and the accesses it made to the matched
shipments themselves, which become the evidence. The product builds the model from the audit
log (`access_db.py`); the evaluation bench builds it from its simulation; the scoring is one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

# Narrower channels first: when two channels saw exactly the same records, the narrower one
# names the source (a person rather than their station, a key rather than its holder).
KINDS = ("principal", "api_key", "export", "station")
SPECIFICITY = {kind: i for i, kind in enumerate(KINDS)}
MIN_STRATUM = 30  # fewer shipments than this and a city-month is pooled with others


@dataclass(frozen=True, slots=True, order=True)
class ChannelKey:
    """A channel: its kind and its identifier (principal id, station id, key id, export id)."""

    kind: str
    id: str

    @property
    def label(self) -> str:
        """Return `kind:id`."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class Access:
    """One access to a matched shipment, as evidence keeps it (no personal data)."""

    seq: int | None
    at: datetime
    action: str
    shipment_id: str
    purpose: str | None = None
    fields: tuple[str, ...] = ()
    key_id: str | None = None


@dataclass(slots=True)
class ChannelFacts:
    """A channel's identity and how much it accessed before the leak."""

    key: ChannelKey
    principal_id: str | None
    role: str
    volume: dict[str, int] = field(default_factory=dict)  # stratum → distinct shipments
    total: int = 0  # distinct shipments accessed in every stratum


@dataclass
class AccessModel:
    """Population per stratum, every channel's volume, and the accesses to matched shipments."""

    population: dict[str, int]
    channels: dict[ChannelKey, ChannelFacts]
    touched: dict[ChannelKey, dict[str, list[Access]]] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)  # pooled stratum of a small one
    matched: set[str] = field(default_factory=set)  # the shipment ids the leak matched

    def touch(self, key: ChannelKey, access: Access) -> None:
        """Record one access of a channel to a matched shipment."""
        self.touched.setdefault(key, {}).setdefault(access.shipment_id, []).append(access)

    def population_of(self, stratum: str) -> int:
        """Return how many shipments the (possibly pooled) stratum holds."""
        return self.population.get(self.alias.get(stratum, stratum), 0)

    def fraction(self, key: ChannelKey, stratum: str) -> float:
        """Return the share of a stratum's shipments the channel accessed."""
        facts = self.channels.get(key)
        pooled = self.alias.get(stratum, stratum)
        population = self.population.get(pooled, 0)
        if facts is None or population <= 0:
            return 0.0
        return min(1.0, facts.volume.get(pooled, 0) / population)

    def pool_small(self, minimum: int = MIN_STRATUM) -> None:
        """Pool strata too small to compare within: a month's small cities, then all of them.

        The union of strata is itself a fair stratum (populations and volumes are summed over
        the same shipments), just a coarser one; a small tenant gets a city-blind comparison
        rather than a meaningless one.
        """
        small = [s for s, n in self.population.items() if n < minimum]
        if not small:
            return
        months: dict[str, list[str]] = defaultdict(list)
        for stratum in small:
            months[stratum.rsplit(":", 1)[-1]].append(stratum)
        for month, group in months.items():
            whole = sum(self.population[s] for s in group) >= minimum
            for stratum in group:
                self.alias[stratum] = f"*:{month}" if whole else "*"
        self.population = _pooled(self.population, self.alias)
        for facts in self.channels.values():
            facts.volume = _pooled(facts.volume, self.alias)


def _pooled(counts: dict[str, int], alias: dict[str, str]) -> dict[str, int]:
    pooled: dict[str, int] = defaultdict(int)
    for stratum, count in counts.items():
        pooled[alias.get(stratum, stratum)] += count
    return dict(pooled)

"""`Candidate` and `PartyIndex`: the seam between matching and wherever the parties live.

The product looks parties up in the vault's blind indexes (`vault_lookup.DbPartyIndex`); the
evaluation bench and the tests use `MemoryPartyIndex`, built from the same keyed digests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored party a leaked person may be: which shipment, which side, and its stratum."""

    shipment_id: str
    waybill_no: str
    role: str
    phone_masked: str
    stratum: str  # recipient's city (adcode[:4]) and the month the shipment was created
    created_at: datetime
    canary_id: str | None = None


def stratum_of(adcode: str, created_at: datetime) -> str:
    """Return the stratum a shipment is compared within: its city and month (UTC)."""
    return f"{adcode[:4]}:{created_at:%Y-%m}"


class PartyIndex(Protocol):
    """Looks parties up by keyed digest, never by plaintext."""

    def by_phone(self, digests: Collection[bytes]) -> dict[bytes, list[Candidate]]:
        """Return the candidates whose phone digest is among `digests`."""

    def by_name_region(self, digests: Collection[bytes]) -> dict[bytes, list[Candidate]]:
        """Return the candidates whose name-and-city digest is among `digests`."""


class MemoryPartyIndex:
    """A `PartyIndex` held in dictionaries (bench, tests)."""

    def __init__(self) -> None:
        self.phones: dict[bytes, list[Candidate]] = defaultdict(list)
        self.names: dict[bytes, list[Candidate]] = defaultdict(list)

    def add(self, phone_digest: bytes, name_region_digest: bytes, candidate: Candidate) -> None:
        """Index one party under both digests."""
        self.phones[phone_digest].append(candidate)
        self.names[name_region_digest].append(candidate)

    def by_phone(self, digests: Collection[bytes]) -> dict[bytes, list[Candidate]]:
        """Return the candidates whose phone digest is among `digests`."""
        return {d: self.phones[d] for d in digests if d in self.phones}

    def by_name_region(self, digests: Collection[bytes]) -> dict[bytes, list[Candidate]]:
        """Return the candidates whose name-and-city digest is among `digests`."""
        return {d: self.names[d] for d in digests if d in self.names}

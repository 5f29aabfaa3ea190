"""`DbPartyIndex`: the vault's blind indexes, looked up many digests at a time.

`vault.service.shipment_ids_for_phone` answers one phone per query; a leaked file has a
million. This reads the same columns (`parties.phone_bidx`, `parties.name_region_bidx`) in
batches, read-only, for ordinary shipments only, and adds the canaries' own digests (kept in
`forensic_canaries`, so a leak still names a canary's channel after the canary was retired).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.forensics.candidates import Candidate, stratum_of
from parcelguard.forensics.models import Canary
from parcelguard.vault import queries as vault_queries

CHUNK = 1000


class DbPartyIndex:
    """Looks parties and canaries up by keyed digest inside one read transaction."""

    def __init__(self, session: Session, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def by_phone(self, digests: Collection[bytes]) -> dict[bytes, list[Candidate]]:
        """Return the candidates whose phone digest is among `digests`."""
        return self._lookup("phone_bidx", digests)

    def by_name_region(self, digests: Collection[bytes]) -> dict[bytes, list[Candidate]]:
        """Return the candidates whose name-and-city digest is among `digests`."""
        return self._lookup("name_region_bidx", digests)

    def _lookup(self, column: str, digests: Collection[bytes]) -> dict[bytes, list[Candidate]]:
        found: dict[bytes, list[Candidate]] = defaultdict(list)
        for chunk in _chunks(list(digests)):
            for digest, candidate in self._parties(column, chunk):
                found[digest].append(candidate)
            for digest, candidate in self._canaries(column, chunk):
                found[digest].append(candidate)
        return dict(found)

    def _parties(self, column: str, chunk: list[bytes]) -> Iterator[tuple[bytes, Candidate]]:
        for hit in vault_queries.parties_by_digest(self.session, self.tenant_id, column, chunk):
            yield (
                hit.digest,
                Candidate(
                    hit.shipment_id,
                    hit.waybill_no,
                    hit.role,
                    hit.phone_masked,
                    stratum_of(hit.adcode, hit.created_at),
                    hit.created_at,
                ),
            )

    def _canaries(self, column: str, chunk: list[bytes]) -> Iterator[tuple[bytes, Candidate]]:
        key = getattr(Canary, column)
        query = select(Canary).where(Canary.tenant_id == self.tenant_id, key.in_(chunk))
        for canary in self.session.scalars(query):
            yield bytes(getattr(canary, column)), canary_candidate(canary)


def canary_candidate(canary: Canary) -> Candidate:
    """Return a canary as a match candidate (it stands in no stratum: it is never scored)."""
    seeded: datetime = canary.seeded_at
    return Candidate(
        canary.shipment_id,
        canary.waybill_no,
        "recipient",
        canary.phone_masked,
        "canary",
        seeded,
        canary.canary_id,
    )


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]

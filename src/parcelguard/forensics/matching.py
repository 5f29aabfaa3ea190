"""Matching leaked people to our shipments through the blind index, in batches.

A whole phone is looked up by its keyed digest. Where the phone is masked, mistyped or not
ours, the name and the city of the address are (`name_region` digest), and a masked or damaged
phone must then agree with the stored masked form wherever both show digits. Names are never
matched fuzzily: a typo in a name is tolerated only when normalization undoes it, so a typo
makes a record unmatched rather than matched to somebody else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from parcelguard.forensics.candidates import Candidate, PartyIndex
from parcelguard.forensics.cells import PhonePattern
from parcelguard.forensics.leak_reader import LeakRow
from parcelguard.forensics.people import LeakedPerson
from parcelguard.pii.divisions import resolve_regions
from parcelguard.pii.normalize import Phone

BATCH_ROWS = 2000
MAX_UNMATCHED_ROWS = 1000
Digest = Callable[[str, str], bytes]  # (kind, normalized value) → keyed digest


@dataclass(frozen=True, slots=True)
class MatchedRecord:
    """A leaked person we know: the row, masked forms, the shipments they may be, and how."""

    row: int
    masked: dict[str, str]
    candidates: tuple[Candidate, ...]
    how: str  # "phone" or "name_region"

    @property
    def canary_ids(self) -> tuple[str, ...]:
        """Return the canaries this record is (normally none)."""
        return tuple(c.canary_id for c in self.candidates if c.canary_id)


@dataclass
class MatchStats:
    """How the rows of a leaked file fared."""

    rows: int = 0
    records: int = 0
    matched: int = 0
    unmatched: int = 0
    skipped_rows: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    unmatched_rows: list[int] = field(default_factory=list)

    def miss(self, person: LeakedPerson, reason: str) -> None:
        """Count a person we could not match, and why."""
        self.unmatched += 1
        self.reasons[reason] += 1
        if len(self.unmatched_rows) < MAX_UNMATCHED_ROWS and (
            not self.unmatched_rows or self.unmatched_rows[-1] != person.row
        ):
            self.unmatched_rows.append(person.row)


class Matcher:
    """Matches the people of a leaked file to shipments created before the leak."""

    def __init__(
        self,
        index: PartyIndex,
        digest: Digest,
        at: datetime,
        *,
        on_phone: Callable[[Phone], None] | None = None,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        self.index, self.digest, self.at = index, digest, at
        self.on_phone = on_phone
        self.batch_rows = batch_rows
        self.stats = MatchStats()

    def match(self, rows: Iterable[tuple[LeakRow, list[LeakedPerson]]]) -> Iterator[MatchedRecord]:
        """Yield a record for every leaked person that matched; count the others."""
        source = iter(rows)
        while batch := list(islice(source, self.batch_rows)):
            people: list[LeakedPerson] = []
            for _row, found in batch:
                self.stats.rows += 1
                if not found:
                    self.stats.skipped_rows += 1
                people += found
            yield from self._match_batch(people)

    def _match_batch(self, people: list[LeakedPerson]) -> Iterator[MatchedRecord]:
        self.stats.records += len(people)
        by_phone = self._phones(people)
        rest: list[LeakedPerson] = []
        for person in people:
            found = by_phone.get(id(person), [])
            if found:
                yield self._record(person, found, "phone")
            elif person.usable and person.name and not person.name_masked and person.address:
                rest.append(person)
            else:
                self.stats.miss(person, "not_ours" if person.phone else "too_masked")
        by_name = self._names(rest)
        for person in rest:
            found = by_name.get(id(person), [])
            if found:
                yield self._record(person, found, "name_region")
            else:
                self.stats.miss(person, "not_ours")

    def _record(self, person: LeakedPerson, found: list[Candidate], how: str) -> MatchedRecord:
        self.stats.matched += 1
        return MatchedRecord(person.row, person.masked(), tuple(found), how)

    def _phones(self, people: list[LeakedPerson]) -> dict[int, list[Candidate]]:
        digests = {}
        for person in people:
            if person.phone is not None:
                digests[id(person)] = self.digest("phone", person.phone.e164)
                if self.on_phone is not None:
                    self.on_phone(person.phone)
        hits = self.index.by_phone(set(digests.values())) if digests else {}
        return {
            key: [c for c in hits.get(digest, []) if c.created_at <= self.at]
            for key, digest in digests.items()
        }

    def _names(self, people: list[LeakedPerson]) -> dict[int, list[Candidate]]:
        regions = resolve_regions([p.address or "" for p in people]) if people else []
        digests = {}
        for person, region in zip(people, regions, strict=True):
            if region is not None and person.name:
                value = f"{person.name}|{region.adcode[:4]}"
                digests[id(person)] = (person, self.digest("name_region", value))
        hits = self.index.by_name_region({d for _p, d in digests.values()}) if digests else {}
        return {
            key: [c for c in hits.get(digest, []) if self._agrees(person, c)]
            for key, (person, digest) in digests.items()
        }

    def _agrees(self, person: LeakedPerson, candidate: Candidate) -> bool:
        if candidate.created_at > self.at:
            return False
        pattern = person.pattern
        if person.phone is not None:
            national = person.phone.national
            pattern = PhonePattern(national[:3], national[-2:])
        if pattern is None:
            return candidate.canary_id is None  # a canary needs a phone to be certain
        return pattern.fits(candidate.phone_masked)

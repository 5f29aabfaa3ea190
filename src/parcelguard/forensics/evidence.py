"""Evidence for a suspect: coverage against chance, what it did to the records, how peers compare.

Only sequence numbers, times, actions, field names, purposes, waybill numbers and leaked-file
row numbers: nothing personal. The audit sequence numbers let an investigator open each event
in the tamper-evident log.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from parcelguard.forensics.access_model import Access, AccessModel
from parcelguard.forensics.matching import MatchedRecord
from parcelguard.forensics.results import PeersEvidence
from parcelguard.forensics.scoring import Suspect

MAX_EVENTS = 20


def evidence_for(
    suspect: Suspect,
    model: AccessModel,
    records: Sequence[MatchedRecord],
    peers: dict[tuple[str, str], list[int]],
) -> list[Mapping[str, Any]]:
    """Return the evidence list of one suspect."""
    found: list[Mapping[str, Any]] = [
        {
            "type": "coverage",
            "covered": suspect.covered,
            "matched": suspect.matched,
            "expected_by_chance": round(suspect.expected, 3),
            "log10_p": round(suspect.log10_p, 3),
            "log10_bayes_factor": round(suspect.log10_bf, 3),
            "volume": suspect.volume,
        }
    ]
    if suspect.canaries:
        found.append({"type": "canary", "canaries": list(suspect.canaries)})
    accesses = model.touched.get(suspect.key, {})
    covered_sids = {c.shipment_id for i in suspect.records for c in records[i].candidates}
    mine = sorted(
        (a for sid, items in accesses.items() if sid in covered_sids for a in items),
        key=lambda a: (a.at, a.seq or 0),
    )
    found += _by_action(mine)
    found.append(_peers(suspect, peers))
    found.append({"type": "events", "events": _events(mine, records, suspect.records)})
    if suspect.aliases:
        found.append({"type": "same_records", "channels": [k.label for k in suspect.aliases]})
    return found


def peer_table(suspects: Sequence[Suspect]) -> dict[tuple[str, str], list[int]]:
    """Return the covered counts of every suspect, grouped by (kind, role)."""
    table: dict[tuple[str, str], list[int]] = defaultdict(list)
    for suspect in suspects:
        table[(suspect.key.kind, suspect.role)].append(suspect.covered)
    return table


def _by_action(accesses: list[Access]) -> list[dict[str, Any]]:
    groups: dict[str, list[Access]] = defaultdict(list)
    for access in accesses:
        groups[access.action].append(access)
    return [
        {
            "type": "accesses",
            "action": action,
            "count": len(items),
            "shipments": len({a.shipment_id for a in items}),
            "first_at": items[0].at.isoformat(),
            "last_at": items[-1].at.isoformat(),
            "fields": sorted({f for a in items for f in a.fields}),
            "purposes": sorted({a.purpose for a in items if a.purpose}),
            "key_ids": sorted({a.key_id for a in items if a.key_id}),
        }
        for action, items in sorted(groups.items(), key=lambda kv: -len(kv[1]))
    ]


def _peers(suspect: Suspect, peers: dict[tuple[str, str], list[int]]) -> PeersEvidence:
    others = list(peers.get((suspect.key.kind, suspect.role), []))
    if suspect.covered in others:
        others.remove(suspect.covered)
    return {
        "type": "peers",
        "role": suspect.role,
        "peers_covering_any": len(others),
        "median_covered": statistics.median(others) if others else 0,
        "best_other_covered": max(others, default=0),
    }


def _events(
    accesses: list[Access], records: Sequence[MatchedRecord], covered: list[int]
) -> list[dict[str, Any]]:
    waybills = {c.shipment_id: c.waybill_no for i in covered for c in records[i].candidates}
    rows = {c.shipment_id: records[i].row for i in covered for c in records[i].candidates}
    return [
        {
            "seq": a.seq,
            "at": a.at.isoformat(),
            "action": a.action,
            "waybill": waybills.get(a.shipment_id),
            "row": rows.get(a.shipment_id),
        }
        for a in accesses[:MAX_EVENTS]
    ]

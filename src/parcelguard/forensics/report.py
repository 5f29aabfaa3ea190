"""The trace report: the contract's JSON, a detailed JSON file and, when asked, its HTML page.

Nothing plaintext: records appear by their row in the leaked file and masked forms (张*,
138******78) computed from what the file itself held, suspects by id with their evidence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from parcelguard.forensics.access_model import AccessModel, ChannelKey
from parcelguard.forensics.evidence import evidence_for, peer_table
from parcelguard.forensics.matching import MatchedRecord, MatchStats
from parcelguard.forensics.models import Canary
from parcelguard.forensics.results import CanaryHit, SuspectView, TraceDocument
from parcelguard.forensics.scoring import Suspect, scorable

# Renders the standalone HTML report from the document and its record rows (the delivery layer
# owns pages: `parcelguard.web.reports.leak_report_html`).
HtmlReport = Callable[[TraceDocument, list[dict[str, Any]]], str]
SUSPECT_LIMIT = 10
RECORD_LIMIT = 5000


@dataclass
class TraceOutcome:
    """Everything a trace found, before it is shaped into documents."""

    leak_id: str
    at: datetime
    file_sha256: str
    stats: MatchStats
    records: list[MatchedRecord]
    suspects: list[Suspect]
    canaries: list[Canary]
    model: AccessModel
    threshold: float


def canary_channel(canary: Canary) -> ChannelKey:
    """Return the attribution channel a canary was given to."""
    kind = "principal" if canary.channel_kind == "courier" else canary.channel_kind
    return ChannelKey(kind, canary.channel_id)


def result(outcome: TraceOutcome, limit: int = SUSPECT_LIMIT) -> TraceDocument:
    """Return the contract's JSON document (with a few documented extra fields)."""
    stats = outcome.stats
    shown = [s for s in outcome.suspects if s.accused] + [
        s for s in outcome.suspects if not s.accused
    ][:limit]
    weighed = scorable(outcome.records)
    peers = peer_table(outcome.suspects)
    return {
        "leak_id": outcome.leak_id,
        "at": outcome.at.isoformat(),
        "rows": stats.rows,
        "records": stats.records,
        "matched": stats.matched,
        "unmatched": stats.unmatched,
        "skipped_rows": stats.skipped_rows,
        "unmatched_reasons": dict(sorted(stats.reasons.items())),
        "unmatched_rows": list(stats.unmatched_rows),
        "canaries": [_canary(c, outcome.records) for c in outcome.canaries],
        "threshold": outcome.threshold,
        "accused": [_ident(s) for s in outcome.suspects if s.accused],
        "suspects": [_suspect(s, outcome.model, weighed, peers) for s in shown],
    }


def _ident(suspect: Suspect) -> str:
    return suspect.principal_id or suspect.key.id


def _canary(canary: Canary, records: Sequence[MatchedRecord]) -> CanaryHit:
    rows = sorted({r.row for r in records if canary.canary_id in r.canary_ids})
    return {
        "channel": f"{canary.channel_kind}:{canary.channel_id}",
        "principal_id": canary.principal_id or canary.channel_id,
        "canary_id": canary.canary_id,
        "waybill_no": canary.waybill_no,
        "rows": rows,
        "certain": True,
    }


def _suspect(
    suspect: Suspect,
    model: AccessModel,
    records: Sequence[MatchedRecord],
    peers: dict[tuple[str, str], list[int]],
) -> SuspectView:
    return {
        "principal_id": _ident(suspect),
        "kind": suspect.key.kind,
        "channel": suspect.key.label,
        "role": suspect.role,
        "coverage": round(suspect.coverage, 4),
        "covered": suspect.covered,
        "matched": suspect.matched,
        "score": round(suspect.score, 3),
        "accused": suspect.accused,
        "certain": suspect.certain,
        "evidence": evidence_for(suspect, model, records, peers),
    }


def record_rows(outcome: TraceOutcome) -> list[dict[str, Any]]:
    """Return the matched records as the detailed report lists them (masked forms only)."""
    covering: dict[int, list[str]] = {}
    weighed = scorable(outcome.records)
    position = {id(r): i for i, r in enumerate(weighed)}
    for suspect in outcome.suspects[:SUSPECT_LIMIT]:
        for i in suspect.records:
            covering.setdefault(i, []).append(suspect.key.label)
    rows = []
    for record in outcome.records[:RECORD_LIMIT]:
        rows.append(
            {
                "row": record.row,
                "name": record.masked.get("name", ""),
                "phone": record.masked.get("phone", ""),
                "how": record.how,
                "waybills": sorted({c.waybill_no for c in record.candidates}),
                "canary": bool(record.canary_ids),
                "channels": covering.get(position.get(id(record), -1), []),
            }
        )
    return rows


def write_reports(
    document: TraceDocument,
    rows: list[dict[str, Any]],
    folder: Path,
    html: HtmlReport | None = None,
) -> list[Path]:
    """Write `trace-<leak>.json` (and with `html`, `trace-<leak>.html`); return their paths."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"trace-{document['leak_id']}"
    detailed = {**document, "matched_records": rows}
    json_path = folder / f"{stem}.json"
    json_path.write_text(
        json.dumps(detailed, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    if html is None:
        return [json_path]
    html_path = folder / f"{stem}.html"
    html_path.write_text(html(document, rows), encoding="utf-8")
    return [json_path, html_path]

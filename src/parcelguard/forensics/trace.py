"""`trace`: from a leaked file to ranked suspects, canary hits and exposure records.

read (streamed) → people (column sniffing, PII analyzer for free text) → blind-index match
(read-only, in batches) → access model from the audit log → scores → one write transaction:
canary hits, exposed phones, the leak row and its `forensics.trace` event. The file's lines
are never stored or logged; only digests, counts, row numbers and masked forms leave it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.clock import CHINA
from parcelguard.db import new_id
from parcelguard.forensics import canaries, exposure
from parcelguard.forensics.access_db import load_model
from parcelguard.forensics.config import ForensicsConfig
from parcelguard.forensics.extract import PersonExtractor
from parcelguard.forensics.leak_reader import read_leak
from parcelguard.forensics.matching import MatchedRecord, Matcher
from parcelguard.forensics.models import Leak
from parcelguard.forensics.report import (
    HtmlReport,
    TraceOutcome,
    canary_channel,
    record_rows,
    result,
    write_reports,
)
from parcelguard.forensics.results import StoredTrace, TraceDocument
from parcelguard.forensics.scoring import DEFAULT_THRESHOLD, attribute, mark_certain, scorable
from parcelguard.forensics.vault_lookup import DbPartyIndex
from parcelguard.runtime import Runtime

Progress = Callable[[int], None]


def threshold_for(rt: Runtime) -> float:
    """Return the tenant's accusation threshold (`[forensics] accusation_threshold`)."""
    value = rt.settings.section("forensics", ForensicsConfig).accusation_threshold
    return DEFAULT_THRESHOLD if value is None else value


def trace_file(
    rt: Runtime,
    actor: Actor,
    path: Path,
    *,
    at: datetime | None = None,
    advance: Progress | None = None,
    report_dir: Path | None = None,
    report_html: HtmlReport | None = None,
) -> TraceDocument:
    """Trace a leaked file; return the contract's JSON document (reports written when asked)."""
    canaries.require_officer(actor)
    when = at or rt.clock.now()
    spool = exposure.ExposureSpool(exposure.hasher_for(rt))
    try:
        outcome = _analyse(rt, path, when, spool, advance)
        with rt.db.session() as session:
            outcome.canaries = canaries.record_hits(
                rt,
                session,
                actor,
                outcome.leak_id,
                {c for r in outcome.records for c in r.canary_ids},
            )
            _certain(outcome)
            document, rows = result(outcome), record_rows(outcome)
            _store(rt, session, actor, outcome, {**document, "matched_records": rows}, spool)
    finally:
        spool.close()
    if report_dir is not None:
        write_reports(document, rows, report_dir, report_html)
    return document


def _analyse(
    rt: Runtime, path: Path, at: datetime, spool: exposure.ExposureSpool, advance: Progress | None
) -> TraceOutcome:
    index = rt.keyring.index
    with rt.db.read_session() as session:
        matcher = Matcher(
            DbPartyIndex(session, rt.tenant),
            lambda kind, value: index.digest(rt.tenant, kind, value),
            at,
            on_phone=spool.add,
        )
        records: list[MatchedRecord] = list(
            matcher.match(PersonExtractor().rows(read_leak(path, advance)))
        )
        weighed = scorable(records)
        shipments = {c.shipment_id for r in weighed for c in r.candidates}
        strata = {c.stratum for r in weighed for c in r.candidates}
        model = load_model(session, rt.tenant, at, shipments, strata)
    threshold = threshold_for(rt)
    return TraceOutcome(
        leak_id="L" + new_id()[-15:].upper(),
        at=at,
        file_sha256=file_sha256(path),
        stats=matcher.stats,
        records=records,
        suspects=attribute(records, model, threshold=threshold),
        canaries=[],
        model=model,
        threshold=threshold,
    )


def _certain(outcome: TraceOutcome) -> None:
    """Put the channels the leak's canaries were given to first, as certain."""
    hits = [
        (canary_channel(c), c.principal_id, _canary_role(c.channel_kind), c.canary_id)
        for c in outcome.canaries
    ]
    outcome.suspects = mark_certain(outcome.suspects, hits, len(scorable(outcome.records)))


def _canary_role(kind: str) -> str:
    return {"courier": "courier", "api_key": "service"}.get(kind, kind)


def _store(
    rt: Runtime,
    session: Session,
    actor: Actor,
    outcome: TraceOutcome,
    document: StoredTrace,
    spool: exposure.ExposureSpool,
) -> None:
    leaked_on = outcome.at.astimezone(CHINA).date()
    phones = exposure.store(session, rt.tenant, outcome.leak_id, leaked_on, spool)
    stats = outcome.stats
    session.add(
        Leak(
            tenant_id=rt.tenant,
            leak_id=outcome.leak_id,
            leaked_at=outcome.at,
            traced_at=rt.clock.now(),
            traced_by=actor.id,
            file_sha256=outcome.file_sha256,
            rows=stats.rows,
            matched=stats.matched,
            unmatched=stats.unmatched,
            canary_hits=len(outcome.canaries),
            accused=len(document["accused"]),
            report=json.dumps(document, ensure_ascii=False, default=str),
        )
    )
    details = {
        "leak_id": outcome.leak_id,
        "file_sha256": outcome.file_sha256,
        "rows": stats.rows,
        "matched": stats.matched,
        "unmatched": stats.unmatched,
        "phones": phones,
        "canary_hits": [c.canary_id for c in outcome.canaries],
        "accused": document["accused"][:20],
    }
    auditor_for(rt).record(
        session, actor, Entry("forensics.trace", "leak", outcome.leak_id, details=details)
    )


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of the file (identifies it without keeping any of it)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def leak_document(session: Session, tenant_id: str, leak_id: str) -> StoredTrace | None:
    """Return the stored report of a traced leak."""
    leak = session.get(Leak, (tenant_id, leak_id))
    return json.loads(leak.report) if leak is not None else None

"""Forensics use cases, one transaction each: trace, canaries, exposure check.

Trace and canaries are for security officers (and the local operator who holds the keyring);
the exposure range query and its salt are anonymous by design (they learn nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import InvalidInput, NotFound, RateLimited
from parcelguard.forensics import canaries, exposure
from parcelguard.forensics.models import CHANNEL_KINDS as CHANNEL_KINDS
from parcelguard.forensics.report import HtmlReport
from parcelguard.forensics.results import (
    CanaryView,
    ExposureBucket,
    ExposureCheck,
    ExposureSalt,
    Rotation,
    StoredTrace,
    TraceDocument,
)
from parcelguard.forensics.trace import Progress, leak_document, trace_file
from parcelguard.pii.masking import mask_normalized_phone
from parcelguard.pii.normalize import normalize_phone
from parcelguard.ratelimit import Limit
from parcelguard.runtime import Runtime

__all__ = [
    "exposure_check",
    "exposure_range",
    "exposure_salt",
    "leak_report",
    "list_canaries",
    "rotate_canaries",
    "seed_canaries",
    "trace",
]


def trace(
    rt: Runtime,
    actor: Actor,
    path: Path,
    *,
    at: Any = None,
    advance: Progress | None = None,
    report_dir: Path | None = None,
    report_html: HtmlReport | None = None,
) -> TraceDocument:
    """Trace a leaked file (security officers); return the contract's JSON document."""
    return trace_file(
        rt, actor, path, at=at, advance=advance, report_dir=report_dir, report_html=report_html
    )


def leak_report(rt: Runtime, actor: Actor, leak_id: str) -> StoredTrace:
    """Return the stored report of a traced leak (security officers)."""
    canaries.require_officer(actor)
    with rt.db.read_session() as session:
        document = leak_document(session, rt.tenant, leak_id.strip())
    if document is None:
        raise NotFound("no traced leak with this id", code="leak_not_found")
    return document


def seed_canaries(
    rt: Runtime, actor: Actor, kind: str, channel_id: str, count: int = 1
) -> list[CanaryView]:
    """Seed canaries for one channel (security officers)."""
    canaries.require_officer(actor)
    with rt.db.session() as session:
        channel = canaries.resolve_channel(session, rt.tenant, kind, channel_id)
        made = canaries.seed(rt, session, actor, channel, count)
        return [canaries.public_view(c) for c in made]


def list_canaries(rt: Runtime, actor: Actor, *, include_retired: bool = False) -> list[CanaryView]:
    """List canaries (security officers); listing is audited too."""
    canaries.require_officer(actor)
    with rt.db.session() as session:
        found = canaries.listing(session, rt.tenant, include_retired=include_retired)
        auditor_for(rt).record(
            session,
            actor,
            Entry("forensics.canary_list", "canary", None, details={"count": len(found)}),
        )
        return [canaries.public_view(c) for c in found]


def rotate_canaries(
    rt: Runtime, actor: Actor, *, kind: str | None = None, channel_id: str | None = None
) -> Rotation:
    """Retire active canaries and seed fresh ones for the same channels (security officers)."""
    with rt.db.session() as session:
        return canaries.rotate(rt, session, actor, kind=kind, channel_id=channel_id)


def exposure_check(rt: Runtime, actor: Actor, phone: str) -> ExposureCheck:
    """Return the traced leaks a phone appeared in (operators; the phone is not recorded)."""
    normalized = normalize_phone(phone)
    if normalized is None:
        raise InvalidInput(
            "phone is not a mainland mobile or a landline with area code", code="invalid_phone"
        )
    with rt.db.session() as session:
        leaks = exposure.leaks_of(session, exposure.hasher_for(rt), normalized)
        auditor_for(rt).record(
            session, actor, Entry("exposure.check", "phone", None, details={"found": len(leaks)})
        )
    return {"phone": mask_normalized_phone(normalized), "exposed": bool(leaks), "leaks": leaks}


def exposure_salt(rt: Runtime) -> ExposureSalt:
    """Return the public salt and recipe of the range query."""
    return exposure.salt_document(rt)


def exposure_range(rt: Runtime, prefix: str, client: str) -> ExposureBucket:
    """Answer a k-anonymous range query (rate-limited per client)."""
    try:
        rt.limiter.hit_all(f"exposure_range:ip:{client}", exposure_limits(rt))
    except RateLimited as exc:
        raise RateLimited(
            "too many exposure checks; try again in a minute",
            code="rate_limited",
            details=exc.details,
        ) from None
    with rt.db.read_session() as session:
        return exposure.bucket(session, rt.tenant, prefix)


def exposure_limits(rt: Runtime) -> tuple[Limit, Limit]:
    """Return the range query's limits per client: `exposure_per_minute`, and the burst.

    `exposure_burst` queries may come at once; the burst window is the time the sustained
    rate takes to earn them back (10 at 30 a minute: 20 s).
    """
    section = rt.settings.sections.get("forensics", {})
    per_minute = float(section.get("exposure_per_minute", 30))
    burst = int(section.get("exposure_burst", 10))
    return (
        Limit(limit=max(1, int(per_minute)), window=60),
        Limit(limit=burst, window=min(86_400.0, max(1.0, burst * 60 / per_minute))),
    )

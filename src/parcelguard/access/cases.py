"""Investigation cases: a security officer reveals only under an open case.

Opening and closing are an officer's acts, checked here for every caller (CLI, API, console).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access.models import Case
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import Denied, NotFound
from parcelguard.runtime import Runtime


def open_case(rt: Runtime, session: Session, actor: Actor, title: str) -> Case:
    """Open a case (security officers only)."""
    _officer(actor, "opens")
    case = Case(
        tenant_id=rt.tenant,
        case_id="C" + new_id()[-10:].upper(),
        title=title.strip()[:200],
        opened_by=actor.id,
        opened_at=rt.clock.now(),
        status="open",
    )
    session.add(case)
    auditor_for(rt).record(session, actor, Entry("case.open", "case", case.case_id))
    return case


def close_case(rt: Runtime, session: Session, actor: Actor, case_id: str) -> Case:
    """Close a case (security officers only); reveals under it stop at once."""
    _officer(actor, "closes")
    case = session.get(Case, (rt.tenant, case_id))
    if case is None:
        raise NotFound("no case with this id", code="case_not_found")
    case.status = "closed"
    auditor_for(rt).record(session, actor, Entry("case.close", "case", case_id))
    return case


def is_open(session: Session, tenant_id: str, case_id: str | None) -> bool:
    """Return whether `case_id` names an open case."""
    if not case_id:
        return False
    case = session.get(Case, (tenant_id, case_id.strip()))
    return case is not None and case.status == "open"


def list_cases(session: Session, tenant_id: str) -> list[Case]:
    """Return every case, newest first."""
    return list(
        session.scalars(
            select(Case).where(Case.tenant_id == tenant_id).order_by(Case.opened_at.desc())
        )
    )


def _officer(actor: Actor, what: str) -> None:
    if actor.role != "security_officer":
        raise Denied(
            f"only a security officer {what} an investigation case", code="officer_required"
        )

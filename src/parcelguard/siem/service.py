"""The export loop: read the audit log after a destination's cursor, deliver, move the cursor.

At-least-once: the cursor moves (in the database, in its own transaction) only after the
sink confirmed the batch, so an outage of the SIEM loses nothing; a batch that was cut is sent
again whole, and its events carry the same stable ids (`pg:<tenant>:<seq>`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.queries import EVENT_COLUMNS, events_after
from parcelguard.errors import ConfigError, ParcelGuardError
from parcelguard.runtime import Runtime
from parcelguard.siem.config import Destination, siem_config
from parcelguard.siem.models import SiemCursor
from parcelguard.siem.record import record_of
from parcelguard.siem.sinks import Sink, sink_for


@dataclass(frozen=True)
class ExportResult:
    """What one export run did for one destination."""

    destination: str
    sent: int
    last_seq: int
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the JSON shape the CLI prints."""
        return {
            "destination": self.destination,
            "sent": self.sent,
            "last_seq": self.last_seq,
            "error": self.error,
        }


def destination(rt: Runtime, name: str) -> Destination:
    """Return a configured destination by name."""
    for d in siem_config(rt).destinations:
        if d.name == name:
            return d
    raise ConfigError(f"[siem] has no destination {name!r}")


def cursor_of(rt: Runtime, name: str) -> int:
    """Return the last sequence number a destination confirmed (0: nothing yet)."""
    with rt.db.read_session() as session:
        row = session.get(SiemCursor, (rt.tenant, name))
        return row.last_seq if row else 0


def cursors_of(session: Session, tenant_id: str) -> dict[str, int]:
    """Return every destination's cursor: the last sequence number it confirmed."""
    query = select(SiemCursor).where(SiemCursor.tenant_id == tenant_id)
    return {c.destination: c.last_seq for c in session.scalars(query)}


def export(
    rt: Runtime, dest: Destination, *, sink: Sink | None = None, max_batches: int = 1000
) -> ExportResult:
    """Deliver every event after the cursor, batch by batch; stop at the first failure."""
    config = siem_config(rt)
    sink = sink or sink_for(dest, config)
    sent, last = 0, cursor_of(rt, dest.name)
    for _ in range(max_batches):
        with rt.db.read_session() as session:
            # plain rows, not ORM objects: an export reads many and changes none
            rows = events_after(session, rt.tenant, last, config.batch_size, EVENT_COLUMNS)
            records = [record_of(r) for r in rows]
        if not records:
            break
        try:
            sink.deliver(records)
        except ParcelGuardError as exc:
            _save(rt, dest.name, last, 0, exc.message[:200])
            return ExportResult(dest.name, sent, last, exc.code)
        last = records[-1]["seq"]
        sent += len(records)
        _save(rt, dest.name, last, len(records), None)
    return ExportResult(dest.name, sent, last)


def export_all(rt: Runtime) -> list[ExportResult]:
    """Run one export for every configured destination."""
    return [export(rt, d) for d in siem_config(rt).destinations]


def _save(rt: Runtime, name: str, last: int, count: int, error: str | None) -> None:
    with rt.db.session() as session:
        row = session.get(SiemCursor, (rt.tenant, name))
        if row is None:
            row = SiemCursor(tenant_id=rt.tenant, destination=name, last_seq=0, exported=0)
            session.add(row)
        row.last_seq = max(row.last_seq or 0, last)
        row.exported = (row.exported or 0) + count
        row.updated_at = rt.clock.now()
        row.last_error = error

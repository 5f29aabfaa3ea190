"""The server's scheduled doctor: a background thread that checks every `interval_minutes`.

Each run first signs an audit checkpoint when events wait past `audit_checkpoint_minutes`
(a quiet server would otherwise leave its last events unsigned), then runs every check and
audits `doctor.failed` with the failing checks' names; the monitor turns that into an alert.
With several workers each runs its own schedule; the same failure is audited once per half
interval (`record_failure` looks for a recent identical event).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from parcelguard.audit import service as audit
from parcelguard.audit.service import auditor_for, head_of
from parcelguard.doctor.service import Report, config_for, examine, record_failure
from parcelguard.runtime import Runtime

log = logging.getLogger("parcelguard.doctor")


class DoctorSchedule:
    """Runs the doctor on a daemon thread until stopped; `last` is the latest report."""

    def __init__(self, rt: Runtime, interval_s: float, first_run_s: float = 60.0) -> None:
        self.rt = rt
        self.interval_s = interval_s
        self.first_run_s = first_run_s
        self.last: Report | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="parcelguard-doctor", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (a run in progress finishes first); a later start makes a new one."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run_once(self) -> Report:
        """Sign a due checkpoint, run the checks, audit a failure; return the report."""
        sign_due_checkpoint(self.rt)
        report = examine(self.rt)
        self.last = report
        if not report.ok:
            record_failure(self.rt, report, quiet_for=timedelta(seconds=self.interval_s / 2))
        return report

    def _loop(self) -> None:
        wait = self.first_run_s
        while not self._stop.wait(wait):
            try:
                self.run_once()
            except Exception as exc:  # the next run tries again; never take the server down
                log.error("scheduled doctor run failed: %s", type(exc).__name__)
            wait = self.interval_s


def sign_due_checkpoint(rt: Runtime) -> bool:
    """Sign the head when events have waited past `audit_checkpoint_minutes`; ask witnesses.

    Witnesses that missed the newest checkpoint (unreachable at its commit) are asked again
    here, so a witness outage heals within one scheduled run of its end.
    """
    due = timedelta(minutes=rt.settings.audit_checkpoint_minutes)
    with rt.db.read_session() as session:
        head = head_of(session, rt.tenant)
        waiting = head is not None and head.seq > head.checkpoint_seq
        stale = head is not None and (
            head.checkpoint_at is None or rt.clock.now() - head.checkpoint_at >= due
        )
    if not (waiting and stale):
        audit.cosign(rt)
        return False
    with rt.db.session() as session:
        signed = auditor_for(rt).checkpoint(session) is not None
    return signed


def start_schedule(rt: Runtime) -> DoctorSchedule | None:
    """Start a scheduled doctor unless `[doctor] interval_minutes = 0` (the server does, once)."""
    config = config_for(rt)
    if config.interval_minutes == 0:
        return None
    schedule = DoctorSchedule(rt, config.interval_minutes * 60.0, config.first_run_seconds)
    schedule.start()
    return schedule

"""Doctor use cases: run every check into a report; audit a failed scheduled run."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcelguard.audit.service import Actor, Entry, auditor_for, search
from parcelguard.doctor.check import Check, DoctorContext, Finding
from parcelguard.doctor.config import DoctorConfig
from parcelguard.doctor.registry import Registry, default_registry
from parcelguard.doctor.results import DoctorDocument
from parcelguard.errors import ParcelGuardError
from parcelguard.runtime import Runtime

log = logging.getLogger("parcelguard.doctor")
DOCTOR = Actor("doctor", "system")


@dataclass(frozen=True)
class Report:
    """Every check's finding at one moment."""

    at: datetime
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        """Return whether no check failed (warnings do not fail the deployment)."""
        return all(f.status != "fail" for f in self.findings)

    def failing(self) -> list[str]:
        """Return the names of the failed checks."""
        return [f.name for f in self.findings if f.status == "fail"]

    def as_dict(self) -> DoctorDocument:
        """Return the contract's JSON shape (plus `at`)."""
        return {
            "ok": self.ok,
            "checks": [f.as_dict() for f in self.findings],
            "at": self.at.isoformat(),
        }


def config_for(rt: Runtime) -> DoctorConfig:
    """Return the validated `[doctor]` table."""
    return rt.settings.section("doctor", DoctorConfig)


def examine(
    rt: Runtime, *, registry: Registry | None = None, now: datetime | None = None
) -> Report:
    """Run every check; a check that cannot run is a failure, never a crash."""
    ctx = DoctorContext(rt, config_for(rt), now or rt.clock.now())
    checks = (registry or default_registry(rt)).checks()
    return Report(ctx.now, [run_check(check, ctx) for check in checks])


def run_check(check: Check, ctx: DoctorContext) -> Finding:
    """Run one check, turning an error into a failed finding."""
    try:
        return check.run(ctx)
    except ParcelGuardError as exc:  # typed messages never carry PII or key material
        return check.failed(f"could not run: {exc.message}")
    except Exception as exc:
        log.error("doctor check %s crashed: %s", check.name, type(exc).__name__)
        return check.failed(f"could not run: {type(exc).__name__}")


def record_failure(rt: Runtime, report: Report, *, quiet_for: timedelta) -> bool:
    """Audit `doctor.failed` with the failing checks, once per `quiet_for` for the same set."""
    failing = report.failing()
    if not failing:
        return False
    with rt.db.session() as session:
        recent = search(
            session, rt.tenant, action="doctor.failed", since=report.at - quiet_for, limit=20
        )
        if any(json.loads(e.details or "{}").get("checks") == failing for e in recent):
            return False
        warned = [f.name for f in report.findings if f.status == "warn"]
        details = {"checks": failing, "warnings": warned}
        auditor_for(rt).record(
            session, DOCTOR, Entry("doctor.failed", "deployment", None, details=details)
        )
    log.warning("doctor: failing checks %s", ", ".join(failing))
    return True

"""Check: at least one witness cosigns the log's checkpoints, and not long ago."""

from __future__ import annotations

from datetime import timedelta

from parcelguard.audit import service as audit
from parcelguard.audit.config import audit_config
from parcelguard.audit.queries import witnessed as witnessed_of
from parcelguard.doctor.check import Check, DoctorContext, Finding


class AuditWitnesses(Check):
    """Without a witness, someone who can write the database can cut the log unnoticed."""

    name = "audit.witness"

    def run(self, ctx: DoctorContext) -> Finding:
        """Warn without a witness; fail when no witness cosigned for too long."""
        config = audit_config(ctx.rt.settings)
        found = audit.witnesses(ctx.rt, create=False)
        if not found:
            return self.warned(
                "no witness is configured: add `[audit] witnesses` (see docs/audit.md)"
            )
        with ctx.rt.db.read_session() as session:
            _, witnessed, waiting = witnessed_of(session, ctx.rt.tenant)
        minutes = ctx.rt.settings.audit_checkpoint_minutes * ctx.config.checkpoint_stale_factor
        if waiting is not None and ctx.now - waiting > timedelta(minutes=minutes):
            return self.failed(
                f"no witness cosigned since event {witnessed} (checkpoints wait since "
                f"{(ctx.now - waiting).total_seconds() // 60:.0f} min, limit {minutes:.0f}): "
                "check the witnesses, then run `parcelguard audit checkpoint`"
            )
        names = ", ".join(w.label for w in found)
        if not config.witnesses and ctx.production:
            return self.warned(
                f"only the local witness ({names}) on this machine: run one elsewhere"
            )
        return self.passed(f"witnessed up to event {witnessed} by {names}")

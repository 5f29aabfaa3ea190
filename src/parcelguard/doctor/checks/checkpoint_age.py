"""Check: events after the newest signed checkpoint do not stay unsigned for long."""

from __future__ import annotations

from datetime import timedelta

from parcelguard.audit.queries import newest_checkpoint
from parcelguard.audit.service import head_of
from parcelguard.doctor.check import Check, DoctorContext, Finding


class CheckpointAge(Check):
    """Unsigned events at the end of the log could be cut without a trace.

    The newest checkpoint is read from the checkpoints themselves, not from the head row's
    bookkeeping, which someone who can write the database could set to anything.
    """

    name = "audit.checkpoint"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail when events follow a checkpoint older than interval × stale factor."""
        with ctx.rt.db.read_session() as session:
            head = head_of(session, ctx.rt.tenant)
            seq = head.seq if head else 0
            signed, signed_at = newest_checkpoint(session, ctx.rt.tenant)
        if seq == 0:
            return self.passed("no audit events yet")
        unsigned = seq - signed
        if unsigned <= 0:
            return self.passed(f"every event is signed (checkpoint at event {signed})")
        if signed_at is None:
            return self.failed(f"{unsigned} events and no signed checkpoint")
        minutes = ctx.rt.settings.audit_checkpoint_minutes * ctx.config.checkpoint_stale_factor
        age = ctx.now - signed_at
        if age > timedelta(minutes=minutes):
            return self.failed(
                f"{unsigned} events after the newest checkpoint, signed "
                f"{age.total_seconds() // 60:.0f} min ago (limit {minutes:.0f}): "
                "run `parcelguard audit checkpoint`"
            )
        return self.passed(
            f"{unsigned} events since the checkpoint of {age.total_seconds() // 60:.0f} min ago"
        )

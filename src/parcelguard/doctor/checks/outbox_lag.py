"""Check: audit events reach NATS JetStream (when configured) without piling up."""

from __future__ import annotations

from parcelguard.audit.service import head_of
from parcelguard.doctor.check import Check, DoctorContext, Finding


class OutboxLag(Check):
    """Events wait in the audit log while NATS is down; remote monitors are blind meanwhile."""

    name = "audit.outbox"

    def run(self, ctx: DoctorContext) -> Finding:
        """Warn over `outbox_max_lag` unpublished events, fail over ten times that."""
        if not ctx.rt.settings.nats_url:
            return self.passed("NATS not configured: events go to the in-process bus")
        with ctx.rt.db.read_session() as session:
            head = head_of(session, ctx.rt.tenant)
            lag = 0 if head is None else head.seq - head.published_seq
        most = ctx.config.outbox_max_lag
        detail = f"{lag} events wait for NATS (kept in the audit log, none lost)"
        if lag >= 10 * most:
            return self.failed(detail + ": remote monitors are blind")
        if lag >= most:
            return self.warned(detail)
        return self.passed(f"{lag} events waiting for NATS")

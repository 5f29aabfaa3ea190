"""Check: parcels past their retention day are purged (crypto-shredded) on time."""

from __future__ import annotations

from datetime import timedelta

from parcelguard.doctor.check import Check, DoctorContext, Finding
from parcelguard.vault.retention import retention_backlog


class RetentionBacklog(Check):
    """PII kept past its purpose (PIPL art. 19, 47) is a finding in itself."""

    name = "retention.backlog"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail when parcels are overdue by more than the grace days; warn on any backlog."""
        grace = ctx.config.retention_grace_days
        backlog = retention_backlog(ctx.rt, ctx.now)
        if not backlog:
            return self.passed("nothing is past retention")
        overdue = retention_backlog(ctx.rt, ctx.now - timedelta(days=grace))
        if overdue:
            return self.failed(
                f"{overdue} shipments are over {grace} day(s) past retention: run "
                "`parcelguard purge` (schedule it daily)"
            )
        return self.warned(f"{backlog} shipments past retention wait for `parcelguard purge`")

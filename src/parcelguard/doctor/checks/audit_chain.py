"""Check: the audit log's tree, MACs, signed checkpoints and witnesses all agree."""

from __future__ import annotations

from parcelguard.audit import service as audit
from parcelguard.doctor.check import Check, DoctorContext, Finding


class AuditChain(Check):
    """A log someone edited, cut, reordered or left unsigned is named by its first bad event."""

    name = "audit.chain"

    def run(self, ctx: DoctorContext) -> Finding:
        """Verify the log (skipped with `[doctor] verify_chain = false`)."""
        if not ctx.config.verify_chain:
            return self.warned("not verified here ([doctor] verify_chain = false)")
        ctx.keyring()
        result = audit.verify(ctx.rt, stale_factor=ctx.config.checkpoint_stale_factor)
        if not result.ok:
            return self.failed(f"tampered at event {result.first_bad_seq}: {result.reason}")
        return self.passed(
            f"{result.events} events, {result.checkpoints} checkpoints verify; "
            f"witnessed up to event {result.witnessed_size}"
        )

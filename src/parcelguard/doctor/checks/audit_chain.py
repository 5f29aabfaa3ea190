"""Check: the audit log's hash chain and signed checkpoints verify."""

from __future__ import annotations

from parcelguard.audit.verify import verify_chain
from parcelguard.doctor.check import Check, DoctorContext, Finding


class AuditChain(Check):
    """A log someone edited, cut or reordered is named by its first bad event."""

    name = "audit.chain"

    def run(self, ctx: DoctorContext) -> Finding:
        """Recompute the chain (skipped with `[doctor] verify_chain = false`)."""
        if not ctx.config.verify_chain:
            return self.warned("not verified here ([doctor] verify_chain = false)")
        signer = ctx.keyring().signer
        with ctx.rt.db.read_session() as session:
            result = verify_chain(session, ctx.rt.tenant, signer)
        if not result.ok:
            return self.failed(f"tampered at event {result.first_bad_seq}: {result.reason}")
        return self.passed(f"{result.events} events, {result.checkpoints} checkpoints verify")

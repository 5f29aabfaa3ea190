"""Check: every member of staff holds a current privacy-training attestation."""

from __future__ import annotations

from collections import Counter

from parcelguard.access.guards import STAFF
from parcelguard.access.service import list_principals
from parcelguard.clock import CHINA
from parcelguard.doctor.check import Check, DoctorContext, Finding


class UntrainedStaff(Check):
    """PIPL art. 51 asks for regular training; untrained staff cannot reveal anything."""

    name = "access.training"

    def run(self, ctx: DoctorContext) -> Finding:
        """Warn with the count per role of active staff whose training lapsed or is missing."""
        today = ctx.now.astimezone(CHINA).date()
        lapsed: Counter[str] = Counter()
        with ctx.rt.db.read_session() as session:
            for p in list_principals(session, ctx.rt.tenant):
                current = p.trained_until is not None and p.trained_until >= today
                if p.role in STAFF and p.status == "active" and not current:
                    lapsed[p.role] += 1
        if lapsed:
            roles = ", ".join(f"{role} {n}" for role, n in sorted(lapsed.items()))
            return self.warned(
                f"{sum(lapsed.values())} staff without current privacy training ({roles}); "
                "they cannot reveal: `parcelguard users train`"
            )
        return self.passed("every active member of staff is trained")

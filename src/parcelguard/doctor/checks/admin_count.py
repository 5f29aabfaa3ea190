"""Check: at least one active admin, and not too many."""

from __future__ import annotations

from parcelguard.access.service import counts_by_role
from parcelguard.doctor.check import Check, DoctorContext, Finding


class AdminCount(Check):
    """No admin means nobody can revoke a key; many admins mean many keys to steal."""

    name = "access.admins"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail without an admin (once there are principals); warn over `max_admins`."""
        with ctx.rt.db.read_session() as session:
            counts = counts_by_role(session, ctx.rt.tenant)
        admins, most = counts.get("admin", 0), ctx.config.max_admins
        if not sum(counts.values()):
            return self.warned("no principals yet: `parcelguard users add --role admin`")
        if admins == 0:
            return self.failed("no active admin: nobody can manage staff, keys or revocations")
        if admins > most:
            return self.warned(f"{admins} active admins (more than {most}): keep the circle small")
        return self.passed(f"{admins} active admin(s)")

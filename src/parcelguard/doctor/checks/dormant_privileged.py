"""Check: no admin or security-officer account sits unused for months."""

from __future__ import annotations

from datetime import timedelta

from parcelguard.access.service import list_principals
from parcelguard.audit.service import search
from parcelguard.doctor.check import Check, DoctorContext, Finding

PRIVILEGED = ("admin", "security_officer")


class DormantPrivileged(Check):
    """Forgotten privileged accounts are what an intruder reuses."""

    name = "access.dormant_privileged"

    def run(self, ctx: DoctorContext) -> Finding:
        """Warn on active privileged principals not seen for `dormant_days` (ids only).

        Seen means a key used (`last_seen_at`) or anything the principal did in the audit log
        (a passkey sign-in, a reveal, an answer), whichever is newer.
        """
        days = ctx.config.dormant_days
        cutoff = ctx.now - timedelta(days=days)
        dormant: list[str] = []
        with ctx.rt.db.read_session() as session:
            for role in PRIVILEGED:
                for p in list_principals(session, ctx.rt.tenant, role):
                    last = p.last_seen_at or p.created_at
                    if p.status != "active" or last >= cutoff:
                        continue
                    acted = search(
                        session, ctx.rt.tenant, actor_id=p.principal_id, since=cutoff, limit=1
                    )
                    if not acted:
                        dormant.append(p.principal_id)
        if dormant:
            shown = ", ".join(dormant[:5]) + (" …" if len(dormant) > 5 else "")
            return self.warned(
                f"{len(dormant)} admin / security-officer account(s) unused for {days}+ days "
                f"({shown}): disable them or revoke their keys"
            )
        return self.passed(f"every privileged account was used in the last {days} days")

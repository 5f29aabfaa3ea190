"""Check: the active key-encryption key is not overdue for rotation, and no rewrap is pending."""

from __future__ import annotations

from datetime import datetime

from parcelguard.clock import as_utc
from parcelguard.doctor.check import Check, DoctorContext, Finding
from parcelguard.vault.keys import pending_count


class KekAge(Check):
    """A KEK used for years has wrapped too much to lose; rotation limits the damage."""

    name = "keys.kek_age"

    def run(self, ctx: DoctorContext) -> Finding:
        """Warn when the active KEK is older than `kek_max_age_days` or a rewrap is unfinished."""
        status = ctx.keyring().status()
        pending = pending_count(ctx.rt)
        created = status.created_at.get(status.active)
        limit = ctx.config.kek_max_age_days
        if created is not None:
            age = max(0, (ctx.now - as_utc(datetime.fromisoformat(created))).days)
            if age > limit:
                return self.warned(
                    f"KEK version {status.active} is {age} days old (rotate every {limit}): "
                    "run `parcelguard keys rotate`"
                )
            where = f"KEK version {status.active}, {age} days old"
        else:
            where = f"KEK version {status.active}, held by the {status.provider} provider"
        if pending:
            return self.warned(
                f"{where}; {pending} data keys still under an older KEK or format: "
                "run `parcelguard keys rotate` again to finish"
            )
        return self.passed(where)

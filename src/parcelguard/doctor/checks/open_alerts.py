"""Check: no high-severity alert of the monitor is left open.

The monitor is found lazily: `parcelguard.monitor.service.open_counts(session, tenant_id)
-> Mapping[str, int]` (open alerts by severity); without it the check warns "not installed".
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from typing import Any

from parcelguard.doctor.check import Check, DoctorContext, Finding

MODULE, FUNCTION = "parcelguard.monitor.service", "open_counts"
SEVERE = ("high", "critical")


class OpenAlerts(Check):
    """An open high-severity alert is a suspected leak nobody has closed."""

    name = "monitor.open_alerts"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail on open high or critical alerts; warn when the monitor is not installed."""
        counts_of = _provider()
        if counts_of is None:
            return self.warned("not installed: the monitor's alerts cannot be read yet")
        with ctx.rt.db.read_session() as session:
            counts: Mapping[str, int] = counts_of(session, ctx.rt.tenant)
        severe = sum(int(counts.get(s, 0)) for s in SEVERE)
        if severe:
            return self.failed(f"{severe} open high-severity alert(s): review `parcelguard alerts`")
        others = sum(int(n) for n in counts.values())
        return self.passed(f"no open high-severity alerts ({others} lower-severity open)")


def _provider() -> Callable[..., Any] | None:
    if importlib.util.find_spec(MODULE) is None:
        return None
    found = getattr(importlib.import_module(MODULE), FUNCTION, None)
    return found if callable(found) else None

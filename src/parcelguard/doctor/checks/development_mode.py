"""Check: no demo mode and no development keys where real parcels are kept."""

from __future__ import annotations

from parcelguard.doctor.check import Check, DoctorContext, Finding


class DevelopmentMode(Check):
    """Demo data and development keys are for throwaway homes only."""

    name = "keyring.development"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail on demo mode; fail on development keys in production, warn elsewhere."""
        if ctx.rt.settings.demo_mode:
            return self.failed("demo mode is on: fictional data and development keys only")
        if ctx.keyring().status().development:
            detail = "the keyring was made for a demo (development keys); make a new home"
            return self.failed(detail) if ctx.production else self.warned(detail)
        return self.passed(f"no demo mode or development keys ({ctx.rt.settings.environment})")

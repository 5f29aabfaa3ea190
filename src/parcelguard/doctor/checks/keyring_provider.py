"""Check: who holds the key-encryption keys, and whether that suits the environment."""

from __future__ import annotations

from parcelguard.doctor.check import Check, DoctorContext, Finding


class KeyringProvider(Check):
    """Production wants the KEKs in an external KMS, not in a file beside the data."""

    name = "keyring.provider"

    def run(self, ctx: DoctorContext) -> Finding:
        """Warn on the local file in production; fail on keys that live only in memory."""
        provider = ctx.keyring().status().provider
        if provider == "memory":
            detail = "KEKs live in process memory only: every key is lost when it stops"
            return self.failed(detail) if ctx.production else self.warned(detail)
        if provider == "local":
            if ctx.production:
                return self.warned(
                    "KEKs sit in keyring.json beside the data; use an external KMS provider "
                    "in production (docs/deploy.md)"
                )
            return self.passed("local key file (fine for one machine in development)")
        return self.passed(f"external KMS provider {provider!r}")

"""Check: which keyring holds the KEKs, and whether a KEK could ever be read out of it."""

from __future__ import annotations

from typing import Any

from parcelguard.doctor.check import Check, DoctorContext, Finding


class KekCustody(Check):
    """An HSM KEK must be non-extractable; a file or memory KEK is extractable by nature."""

    name = "keyring.kek_custody"

    def run(self, ctx: DoctorContext) -> Finding:
        """Name the keyring in use and say whether its KEKs are extractable."""
        kms: Any = ctx.keyring().kms
        custody = getattr(kms, "custody", None)
        if custody is None:
            where = "keyring.json" if kms.name == "local" else "process memory"
            return self.passed(
                f"keyring {kms.name}: KEKs extractable (held in {where}, not in an HSM)"
            )
        info = custody()
        versions = ", ".join(str(v) for v in info["versions"])
        if info["extractable"] or not info["never_extractable"]:
            return self.failed(
                f"keyring {kms.name} (token {info['token']}): a KEK is or was extractable "
                f"(versions {versions}); generate new ones in the token and rotate"
            )
        return self.passed(
            f"keyring {kms.name} (token {info['token']}): KEK versions {versions} "
            "non-extractable, generated in the token"
        )

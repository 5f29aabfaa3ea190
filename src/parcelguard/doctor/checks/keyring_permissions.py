"""Check: the keyring file (and its lock and temporary files) is readable by its owner only."""

from __future__ import annotations

from parcelguard.doctor.check import Check, DoctorContext, Finding
from parcelguard.doctor.files import all_too_open


class KeyringPermissions(Check):
    """A keyring anyone else can read hands them every key."""

    name = "keyring.permissions"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail on any group or world permission."""
        path = ctx.rt.settings.keyring_path
        if not path.exists():
            return self.warned(f"no keyring at {path} yet: run `parcelguard init`")
        companions = [path.with_name(path.name + suffix) for suffix in (".lock", ".tmp")]
        loose = all_too_open([path, *companions])
        if loose:
            return self.failed(f"readable by others: {', '.join(loose)}; run `chmod 600` on them")
        return self.passed(f"{path} is owner-only (0600)")

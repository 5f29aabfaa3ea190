"""Check: the home folder, config.toml and the SQLite files are owner-only."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from parcelguard.doctor.check import Check, DoctorContext, Finding
from parcelguard.doctor.checks.transport_security import LOCAL_HOSTS
from parcelguard.doctor.files import all_too_open, too_open

TLS_MODES = frozenset({"require", "verify-ca", "verify-full"})


class StoragePermissions(Check):
    """The database file holds ciphertexts and indexes; its folder holds the keyring."""

    name = "storage.permissions"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail on loose modes of the home folder or the SQLite files; warn on the rest."""
        settings = ctx.rt.settings
        url = make_url(settings.database)
        paths = [settings.home]
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            db = Path(str(url.database))
            paths += [db] + [db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal")]
        loose = all_too_open(paths)
        if loose:
            return self.failed(
                f"readable by others: {', '.join(loose)} (chmod 700 the folder, 600 the files)"
            )
        config = too_open(settings.home / "config.toml")
        if config:
            return self.warned(f"{config} may hold credentials: chmod 600")
        if url.get_backend_name() == "postgresql" and ctx.production:
            sslmode = url.query.get("sslmode")
            if (url.host or "localhost") not in LOCAL_HOSTS and sslmode not in TLS_MODES:
                return self.warned("PostgreSQL over the network without sslmode=require")
        return self.passed(f"{settings.home} and its database files are owner-only")

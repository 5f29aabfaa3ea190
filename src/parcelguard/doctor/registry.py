"""The doctor's checks, listed explicitly, plus the ones other domains register at run time.

Another domain adds a check by subclassing `Check` and calling `register(rt, MyCheck())`
where its runtime is prepared (its `api.mount`, or its CLI command before `examine`).
"""

from __future__ import annotations

from collections.abc import Iterable

from parcelguard.doctor.check import Check
from parcelguard.doctor.checks.admin_count import AdminCount
from parcelguard.doctor.checks.audit_chain import AuditChain
from parcelguard.doctor.checks.checkpoint_age import CheckpointAge
from parcelguard.doctor.checks.development_mode import DevelopmentMode
from parcelguard.doctor.checks.dormant_privileged import DormantPrivileged
from parcelguard.doctor.checks.kek_age import KekAge
from parcelguard.doctor.checks.kek_custody import KekCustody
from parcelguard.doctor.checks.keyring_permissions import KeyringPermissions
from parcelguard.doctor.checks.keyring_provider import KeyringProvider
from parcelguard.doctor.checks.open_alerts import OpenAlerts
from parcelguard.doctor.checks.outbox_lag import OutboxLag
from parcelguard.doctor.checks.rate_limit_store import RateLimitStore
from parcelguard.doctor.checks.retention_backlog import RetentionBacklog
from parcelguard.doctor.checks.storage_permissions import StoragePermissions
from parcelguard.doctor.checks.transport_security import TransportSecurity
from parcelguard.doctor.checks.untrained_staff import UntrainedStaff
from parcelguard.doctor.checks.witnesses import AuditWitnesses
from parcelguard.hooks import Hook
from parcelguard.runtime import Runtime

# Another domain's own checks: a subscriber is handed the runtime and answers one check.
CHECKS: Hook[Runtime, Check] = Hook("doctor.checks", "checks other domains add")
BUILTIN: tuple[type[Check], ...] = (
    KeyringPermissions,
    KeyringProvider,
    KekCustody,
    DevelopmentMode,
    TransportSecurity,
    StoragePermissions,
    AuditChain,
    CheckpointAge,
    AuditWitnesses,
    KekAge,
    RetentionBacklog,
    DormantPrivileged,
    UntrainedStaff,
    OpenAlerts,
    AdminCount,
    OutboxLag,
    RateLimitStore,
)


class Registry:
    """An ordered set of checks with unique names."""

    def __init__(self, checks: Iterable[Check] = ()) -> None:
        self._checks: dict[str, Check] = {}
        for check in checks:
            self.add(check)

    def add(self, check: Check) -> None:
        """Add a check; a second check with the same name is a programming error."""
        if check.name in self._checks:
            raise ValueError(f"a doctor check named {check.name!r} is already registered")
        self._checks[check.name] = check

    def checks(self) -> list[Check]:
        """Return the checks in the order they run."""
        return list(self._checks.values())

    def names(self) -> list[str]:
        """Return the checks' names."""
        return list(self._checks)


def default_registry(rt: Runtime) -> Registry:
    """Return the built-in checks followed by those the subscribers of `CHECKS` add."""
    return Registry([cls() for cls in BUILTIN] + rt.hooks.emit(CHECKS, rt))

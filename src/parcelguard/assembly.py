"""The composition root: the one place where the configuration is declared and domains are wired.

Only the entry points (`cli.py`, `app.py`), tests and benchmarks import this module; no domain
and not `runtime.py` does (import-linter keeps it so). It holds three things:

1. `Config`: the one settings model. The `PARCELGUARD_*` scalars of `Settings` plus one typed
   field per `config.toml` table, each table's model owned by its domain; loaded once by the
   entry points, so a wrong table stops the program at start-up, naming the table.
2. `subscriptions()`: every reaction of one domain to another's event, as (hook, handler)
   pairs, read top to bottom. `install()` subscribes them on a runtime (twice is harmless).
3. `Server`: the long-lived parts only the server runs (NATS outbox, NATS monitor consumer,
   scheduled doctor) as typed attributes, started and stopped by the app's lifespan.

Everything else a domain needs is built from the runtime where it is used (`sealer_for(rt)`,
`auditor_for(rt)`, `config_for(rt)`): see docs/development.md, "The composition root".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, Field

from parcelguard.access.duties import DutiesConfig
from parcelguard.access.policy import PolicyConfig
from parcelguard.audit.config import AuditConfig
from parcelguard.crypto import SealingConfig
from parcelguard.doctor.config import DoctorConfig
from parcelguard.forensics.config import ForensicsConfig
from parcelguard.hooks import Hook
from parcelguard.identity.config import ScimConfig, SsoConfig
from parcelguard.labels.config import LabelsConfig
from parcelguard.metrics.config import MetricsConfig
from parcelguard.monitor.config import MonitorConfig
from parcelguard.portal.config import PortalConfig
from parcelguard.ratelimit import RateLimitConfig
from parcelguard.relay.config import RelayConfig
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from parcelguard.siem.config import SiemConfig
from parcelguard.vault.config import ImportConfig, SenderConfig, Stations
from parcelguard.web.security.config import HttpConfig

if TYPE_CHECKING:
    from parcelguard.audit.nats_outbox import NatsOutbox
    from parcelguard.doctor.schedule import DoctorSchedule
    from parcelguard.monitor.nats_consumer import NatsMonitor

E = TypeVar("E")
R = TypeVar("R")


class Config(Settings):
    """Every setting: environment variables and top-level keys, then one table per domain."""

    audit: AuditConfig = Field(default_factory=AuditConfig)
    duties: DutiesConfig = Field(default_factory=DutiesConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    sender: SenderConfig = Field(default_factory=SenderConfig)
    stations: Stations = Field(default_factory=Stations)
    imports: ImportConfig = Field(
        default_factory=ImportConfig, json_schema_extra={"table": "import"}
    )
    relay: RelayConfig = Field(default_factory=RelayConfig)
    labels: LabelsConfig = Field(default_factory=LabelsConfig)
    portal: PortalConfig = Field(default_factory=PortalConfig)
    monitor: MonitorConfig = Field(default_factory=MonitorConfig)
    forensics: ForensicsConfig = Field(default_factory=ForensicsConfig)
    doctor: DoctorConfig = Field(default_factory=DoctorConfig)
    http: HttpConfig = Field(default_factory=HttpConfig)
    ratelimit: RateLimitConfig = Field(default_factory=RateLimitConfig)
    keys: SealingConfig = Field(default_factory=SealingConfig)
    sso: SsoConfig = Field(default_factory=SsoConfig)
    scim: ScimConfig = Field(default_factory=ScimConfig)
    siem: SiemConfig = Field(default_factory=SiemConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)


# Tables `init` does not write out key by key: `config.toml`'s footer explains them.
EXPLAINED_IN_FOOTER = ("stations", "policy")


def config_tables() -> list[tuple[str, type[BaseModel]]]:
    """Return every `config.toml` table `init` lists and its model, in `Config`'s order."""
    found = []
    for table, field in Config.declared_tables().items():
        kind = Config.model_fields[field].annotation
        if table not in EXPLAINED_IN_FOOTER and isinstance(kind, type):
            found.append((table, kind))
    return found


def load_runtime() -> Runtime:
    """Build the runtime of the environment and `config.toml` (every table validated now)."""
    return Runtime.from_settings(Config.load())


@dataclass(frozen=True)
class Subscription:
    """One reaction: `handler` runs whenever `hook` is emitted."""

    hook: Hook[Any, Any]
    handler: Callable[[Any], Any]


def on(hook: Hook[E, R], handler: Callable[[E], R]) -> Subscription:
    """Pair a hook with a handler of the matching type (mypy checks the pair here)."""
    return Subscription(hook, handler)


def subscriptions(rt: Runtime) -> list[Subscription]:
    """Return every cross-domain reaction, in the order each hook runs them.

    Hooks nobody subscribes to yet (a new domain adds its line here):
    `complaints.investigation.INVESTIGATE` (an investigation section),
    `demo.SEEDED` (its part of the demo tenant), `doctor.registry.CHECKS` (a self-check).
    """
    from parcelguard.audit import bus
    from parcelguard.audit import service as audit
    from parcelguard.forensics import hooks as forensics
    from parcelguard.labels import hooks as labels
    from parcelguard.relay import printed
    from parcelguard.relay import service as relay
    from parcelguard.relay.routing import CANARY
    from parcelguard.relay.sweeping import CALLED, LazySweeper
    from parcelguard.runtime import COMMITTED, ROLLED_BACK
    from parcelguard.vault.contact import CONTACT
    from parcelguard.vault.lifecycle import STEPPED
    from parcelguard.vault.retention import ERASED
    from parcelguard.vault.transitions import PICKUP_CODE

    return [
        # A commit publishes its audit events and has witnesses cosign a new checkpoint.
        on(COMMITTED, bus.publish_committed),
        on(ROLLED_BACK, bus.forget_pending),
        on(COMMITTED, audit.cosign_new_checkpoint),
        on(ROLLED_BACK, audit.forget_new_checkpoint),
        # A lifecycle step: labels allocate and close pickup codes and expire tokens, then the
        # relay binds a number as the parcel goes out and ends the binding after delivery.
        on(STEPPED, labels.on_lifecycle),
        on(STEPPED, relay.on_lifecycle),
        # A delivery's pickup code is proven by the labels domain.
        on(PICKUP_CODE, labels.proves_delivery),
        # A label being printed shows the parcel's live relay number ("X 转 1234").
        on(CONTACT, printed.printed_numbers),
        # An erased person is forgotten by the relay too.
        on(ERASED, relay.on_person_erased),
        # A call to a canary number: forensics says whose canary it is.
        on(CANARY, forensics.on_canary_called),
        # After a routed call, the relay sweeps expired bindings (at most every minute).
        on(CALLED, LazySweeper(rt)),
    ]


def install(rt: Runtime) -> None:
    """Wire every domain into `rt` (idempotent): the CLI calls it once per invocation.

    With an in-process bus as publisher (tests, the demo), the monitor consumes from it.
    """
    from parcelguard.monitor import service as monitor_service

    for subscription in subscriptions(rt):
        rt.hooks.subscribe(subscription.hook, subscription.handler)
    monitor_service.install(rt)


@dataclass
class Server:
    """The parts only the server runs, on top of `install()`; one per app."""

    rt: Runtime
    monitor: NatsMonitor | None = None
    outbox: NatsOutbox | None = None
    doctor: DoctorSchedule | None = None

    @classmethod
    def wire(cls, rt: Runtime) -> Server:
        """Install the domains and start the monitor (an in-process bus if none, or NATS)."""
        from parcelguard.monitor import service as monitor_service
        from parcelguard.monitor.nats_consumer import NatsMonitor

        install(rt)
        consumer = monitor_service.install(rt, ensure_bus=True, start_nats=True)
        return cls(rt, monitor=consumer if isinstance(consumer, NatsMonitor) else None)

    def start(self) -> None:
        """Start the NATS outbox (with `PARCELGUARD_NATS_URL`) and the scheduled doctor."""
        from parcelguard.audit.nats_outbox import start_outbox
        from parcelguard.doctor.schedule import start_schedule

        self.outbox = start_outbox(self.rt)
        self.doctor = start_schedule(self.rt)  # every [doctor] interval_minutes; 0: never

    def stop(self) -> None:
        """Stop what `start` and `wire` started, the last started first."""
        if self.doctor is not None:
            self.doctor.stop()
        if self.outbox is not None:
            self.outbox.stop()  # publishes what is pending first
        if self.monitor is not None:
            self.monitor.stop(timeout=2.0)  # a daemon thread: it ends after its batch anyway
        self.doctor = self.outbox = self.monitor = None

"""Composition: the one place where every domain joins a runtime (hooks, plug-ins, consumers).

The CLI and the server both call `install()`, so a command run on the server machine behaves
like a request: the relay binds numbers along the lifecycle, labels expire their tokens,
erasure reaches the relay, the monitor sees the events.
"""

from __future__ import annotations

from pydantic import BaseModel

from parcelguard.runtime import Runtime


def install(rt: Runtime, *, server: bool = False) -> None:
    """Install every domain's hooks on `rt` (idempotent); `server` also starts consumers."""
    from parcelguard.audit.bus import attach
    from parcelguard.forensics import hooks as forensics_hooks
    from parcelguard.labels import hooks as labels_hooks
    from parcelguard.monitor import service as monitor_service
    from parcelguard.relay import service as relay_service
    from parcelguard.vault.retention import add_erasure_hook

    done = rt.extras.get("assembly.installed")  # None, "cli" or "server"
    if done == "server" or (done == "cli" and not server):
        return
    attach(rt)
    labels_hooks.install(rt)
    relay_service.install(rt)
    add_erasure_hook(rt, relay_service.forget_phone)
    forensics_hooks.install(rt)
    monitor_service.install(rt, ensure_bus=server, start_nats=server)
    rt.extras["assembly.installed"] = "server" if server else "cli"


def config_tables() -> list[tuple[str, type[BaseModel]]]:
    """Return every `config.toml` table and its model (for the file `init` writes)."""
    from parcelguard.crypto import SealingConfig
    from parcelguard.doctor.config import DoctorConfig
    from parcelguard.identity.config import ScimConfig, SsoConfig
    from parcelguard.labels.config import LabelsConfig
    from parcelguard.metrics.config import MetricsConfig
    from parcelguard.monitor.config import MonitorConfig
    from parcelguard.portal.config import PortalConfig
    from parcelguard.ratelimit import RateLimitConfig
    from parcelguard.relay.config import RelayConfig
    from parcelguard.siem.config import SiemConfig
    from parcelguard.vault.config import ImportConfig, SenderConfig
    from parcelguard.web.security.config import HttpConfig

    return [
        ("sender", SenderConfig),
        ("import", ImportConfig),
        ("relay", RelayConfig),
        ("labels", LabelsConfig),
        ("portal", PortalConfig),
        ("monitor", MonitorConfig),
        ("doctor", DoctorConfig),
        ("http", HttpConfig),
        ("ratelimit", RateLimitConfig),
        ("keys", SealingConfig),
        ("sso", SsoConfig),
        ("scim", ScimConfig),
        ("siem", SiemConfig),
        ("metrics", MetricsConfig),
    ]

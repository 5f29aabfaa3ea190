"""Offline replay: run the detectors over a file of access events (JSON lines), print alerts.

Deterministic: the engine's clock is the events' own, the isolation forest is seeded, and
nothing is read from the database. Repeats within the incident window are folded, so each
printed line is one alert (CONTRACTS.md: principal_id, rule, severity, at, details).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from parcelguard.errors import InvalidInput
from parcelguard.monitor.config import MonitorConfig
from parcelguard.monitor.detectors.base import Finding
from parcelguard.monitor.engine import Engine
from parcelguard.monitor.events import from_replay


@dataclass
class ReplayStats:
    """How much a replay read and found."""

    lines: int = 0
    events: int = 0
    skipped: int = 0
    alerts: int = 0


def replay(
    lines: Iterable[str], config: MonitorConfig, stats: ReplayStats | None = None
) -> Iterator[Finding]:
    """Yield the alerts (first finding per principal and rule per window) for the lines."""
    stats = stats if stats is not None else ReplayStats()
    engine = Engine(config)
    feed = engine.feed
    loads = json.loads
    for number, line in enumerate(lines, start=1):
        try:
            event = from_replay(loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            if not line.strip():
                continue  # blank lines are allowed
            raise InvalidInput(
                f"line {number} is not an access event ({type(exc).__name__})",
                code="invalid_event",
                details={"line": number},
            ) from None
        stats.lines += 1
        if event is None:
            stats.skipped += 1
            continue
        stats.events += 1
        for finding in feed(event):
            if not finding.repeat:
                stats.alerts += 1
                yield finding
    for finding in engine.flush():
        if not finding.repeat:
            stats.alerts += 1
            yield finding

"""The server's SIEM exporter: a daemon thread that exports every `interval_seconds`.

Run it in one process only (`[siem] in_server`, or `parcelguard siem export --follow` as its
own service): two exporters of the same destination send duplicates (same ids), never gaps.
"""

from __future__ import annotations

import logging
import threading

from parcelguard.runtime import Runtime
from parcelguard.siem import service
from parcelguard.siem.config import siem_config

log = logging.getLogger("parcelguard.siem")


class SiemExporter:
    """Exports to every destination on a daemon thread until stopped."""

    def __init__(self, rt: Runtime, interval_s: float) -> None:
        self.rt = rt
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="parcelguard-siem", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in flight."""
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                for result in service.export_all(self.rt):
                    if result.error:
                        log.warning("SIEM %s: %s", result.destination, result.error)
            except Exception as exc:  # the next round tries again; never take the server down
                log.error("SIEM export failed: %s", type(exc).__name__)


def start_exporter(rt: Runtime) -> SiemExporter | None:
    """Start the exporter when `[siem]` is enabled with destinations and `in_server`."""
    config = siem_config(rt)
    if not (config.enabled and config.in_server and config.destinations):
        return None
    exporter = SiemExporter(rt, config.interval_seconds)
    exporter.start()
    return exporter

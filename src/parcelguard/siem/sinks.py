"""Where exported events go: a syslog receiver over TLS, or a JSON-lines file for a shipper."""

from __future__ import annotations

import json
import os
from typing import Protocol

from parcelguard.siem.cef import to_cef
from parcelguard.siem.config import Destination, SiemConfig
from parcelguard.siem.ocsf import severity_of, to_ocsf
from parcelguard.siem.record import Record, uid
from parcelguard.siem.syslog import DeliveryFailed, SyslogTlsSender, message


class Sink(Protocol):
    """Takes a batch and returns only once the receiver has it, else raises."""

    def deliver(self, records: list[Record]) -> None:
        """Deliver the batch, in order."""


def render(record: Record, form: str) -> str:
    """Return one record in the destination's format (OCSF JSON or a CEF line)."""
    if form == "cef":
        return to_cef(record)
    return json.dumps(to_ocsf(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class SyslogSink:
    """RFC 5424 over TLS (RFC 5425 framing), one confirmed connection per batch."""

    def __init__(self, destination: Destination, config: SiemConfig) -> None:
        self.destination = destination
        self.hostname = config.hostname
        self.sender = SyslogTlsSender(destination)

    def deliver(self, records: list[Record]) -> None:
        """Send the batch over one connection."""
        self.sender.send(
            [
                message(
                    r,
                    render(r, self.destination.format),
                    hostname=self.hostname,
                    severity_id=severity_of(r),
                )
                for r in records
            ]
        )


class FileSink:
    """Appends JSON lines (`{"uid", "format", "event"}`) and syncs them to disk."""

    def __init__(self, destination: Destination) -> None:
        self.destination = destination

    def deliver(self, records: list[Record]) -> None:
        """Append the batch and fsync before the cursor moves."""
        assert self.destination.path is not None
        lines = "".join(
            json.dumps(
                {
                    "uid": uid(r),
                    "format": self.destination.format,
                    "event": to_ocsf(r) if self.destination.format == "ocsf" else to_cef(r),
                },
                ensure_ascii=False,
                sort_keys=True,
                separators=(",", ":"),
            )
            + "\n"
            for r in records
        )
        path = self.destination.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, lines.encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise DeliveryFailed(
                f"file destination {self.destination.name} failed ({type(exc).__name__})"
            ) from None


def sink_for(destination: Destination, config: SiemConfig) -> Sink:
    """Return the sink of a destination."""
    if destination.kind == "syslog":
        return SyslogSink(destination, config)
    return FileSink(destination)

"""Syslog over TLS: RFC 5424 messages in RFC 5425 octet-counting frames, one batch a connection.

TCP says nothing about what the receiver kept, so a batch counts as received only after an
orderly close: we send our TLS close_notify and wait for the receiver to close its side, which
it does after reading everything before it. A batch cut by a restart or a reset is not
confirmed, and the caller sends it again (the SIEM sees duplicates with the same ids, never a
gap).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from datetime import UTC

from parcelguard.errors import ParcelGuardError
from parcelguard.siem.config import Destination
from parcelguard.siem.record import Record, is_alert, uid

FACILITY_AUDIT = 13  # RFC 5424 "log audit"
SYSLOG_SEVERITY = {1: 6, 2: 5, 3: 4, 4: 3, 5: 2}  # OCSF severity id → syslog severity
ENTERPRISE_ID = 32473  # the documentation enterprise number of RFC 5612
BOM = "\ufeff"


class DeliveryFailed(ParcelGuardError):
    """The receiver did not confirm a batch; it will be sent again."""

    code = "siem_delivery_failed"


def _sd_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def message(record: Record, body: str, *, hostname: str, severity_id: int) -> bytes:
    """Return one RFC 5424 message; the stable id rides in structured data."""
    pri = FACILITY_AUDIT * 8 + SYSLOG_SEVERITY.get(severity_id, 6)
    stamp = record["at"].astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    msgid = "alert" if is_alert(record) else "audit"
    sd = (
        f'[pg@{ENTERPRISE_ID} uid="{_sd_value(uid(record))}" seq="{record["seq"]}" '
        f'action="{_sd_value(record["action"])}"]'
    )
    host = hostname.replace(" ", "-")[:255] or "-"
    return f"<{pri}>1 {stamp} {host} parcelguard - {msgid} {sd} {BOM}{body}".encode()


def frame(msg: bytes) -> bytes:
    """Return an RFC 5425 frame: the message length in octets, a space, the message."""
    return str(len(msg)).encode() + b" " + msg


class SyslogTlsSender:
    """Sends batches to one receiver over TLS and confirms each by an orderly close."""

    def __init__(self, destination: Destination) -> None:
        self.destination = destination
        context = ssl.create_default_context(
            cafile=str(destination.ca_file) if destination.ca_file else None
        )
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if destination.cert_file:
            context.load_cert_chain(
                str(destination.cert_file),
                str(destination.key_file) if destination.key_file else None,
            )
        self._context = context

    def send(self, messages: list[bytes]) -> None:
        """Deliver the batch, or raise `DeliveryFailed` (nothing is then taken as received)."""
        d = self.destination
        payload = b"".join(frame(m) for m in messages)
        try:
            with socket.create_connection((str(d.host), d.port), timeout=d.timeout_seconds) as raw:
                tls = self._context.wrap_socket(raw, server_hostname=d.server_name or d.host)
                tls.sendall(payload)
                self._confirm(tls)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryFailed(
                f"syslog receiver {d.name} did not confirm the batch ({type(exc).__name__})"
            ) from None

    @staticmethod
    def _confirm(tls: ssl.SSLSocket) -> None:
        """Close our side and wait until the receiver has read all and closed its side."""
        try:
            plain = tls.unwrap()  # our close_notify; returns once the receiver answered
        except ssl.SSLError:
            plain = None
        sock = plain or tls
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        while True:  # the receiver's EOF (or its close_notify already consumed above)
            try:
                chunk = sock.recv(4096)
            except ssl.SSLZeroReturnError:
                return
            if not chunk:
                return

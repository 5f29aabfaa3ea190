"""`PrinterTransport`: how a printer stream reaches the printer, raw TCP (port 9100) or CUPS.

Both send the bytes untouched: the stream is already in the printer's own language, so CUPS
gets it as a raw job (`lp -o raw`) and must not filter it. Every failure is `Unavailable`
with a code saying which (`printer_unreachable`, `printer_timeout`, `printer_failed`,
`cups_missing`); messages name the printer and the cause, never anything on the label.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from abc import ABC, abstractmethod

from parcelguard.errors import Unavailable
from parcelguard.labels.printers import DEFAULT_TIMEOUT, Printer, PrinterUrl

JOB_TITLE = "ParcelGuard labels"  # what the CUPS queue shows; nothing about the parcels
_CHUNK = 64 * 1024


def _unavailable(where: str, message: str, code: str) -> Unavailable:
    """Return the error of a printer that did not take the stream (`details` names it)."""
    return Unavailable(message, code=code, details={"printer": where})


class PrinterTransport(ABC):
    """Delivers one printer stream to one printer."""

    @abstractmethod
    def send(self, data: bytes) -> None:
        """Send the stream; raise `Unavailable` when the printer does not take it."""


class TcpTransport(PrinterTransport):
    """Raw TCP (HP JetDirect, AppSocket): connect, write everything, close."""

    def __init__(self, url: PrinterUrl, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, data: bytes) -> None:
        """Connect within `timeout`, send the stream (each write within `timeout`), close."""
        where = str(self.url)
        try:
            with socket.create_connection((self.url.host, self.url.port), self.timeout) as conn:
                view = memoryview(data)
                for start in range(0, len(view), _CHUNK):
                    conn.sendall(view[start : start + _CHUNK])
                conn.shutdown(socket.SHUT_WR)
        except TimeoutError:
            raise _unavailable(
                where,
                f"printer {where} did not answer within {self.timeout:g} s",
                "printer_timeout",
            ) from None
        except socket.gaierror:
            raise _unavailable(
                where,
                f"printer {where}: host name not found",
                "printer_unreachable",
            ) from None
        except OSError as exc:
            cause = exc.strerror or type(exc).__name__
            raise _unavailable(
                where,
                f"printer {where} is unreachable ({cause})",
                "printer_unreachable",
            ) from None


class CupsTransport(PrinterTransport):
    """A raw job on a CUPS queue through `lp -d QUEUE -o raw` (needs the CUPS client)."""

    def __init__(
        self, url: PrinterUrl, *, timeout: float = DEFAULT_TIMEOUT, lp: str | None = None
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.lp = lp

    def send(self, data: bytes) -> None:
        """Hand the stream to `lp` on standard input; its refusal is `printer_failed`."""
        where = str(self.url)
        lp = self.lp or shutil.which("lp")
        if lp is None:
            raise _unavailable(
                where,
                "cannot print to a CUPS queue: the lp command is not installed "
                "(Debian: apt-get install cups-client), or use tcp://host:9100",
                "cups_missing",
            )
        command = [lp, "-d", self.url.queue, "-o", "raw", "-t", JOB_TITLE]
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, the queue name is validated
                command, input=data, capture_output=True, timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise _unavailable(
                where,
                f"printer {where}: lp did not finish within {self.timeout:g} s",
                "printer_timeout",
            ) from None
        except OSError as exc:
            raise _unavailable(
                where,
                f"printer {where}: lp cannot run ({exc.strerror or type(exc).__name__})",
                "cups_missing",
            ) from None
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            cause = said[0][:200] if said else f"exit status {done.returncode}"
            raise _unavailable(
                where,
                f"printer {where}: lp refused the job ({cause})",
                "printer_failed",
            )


def transport_for(printer: Printer) -> PrinterTransport:
    """Return the transport of a printer's URL scheme."""
    if printer.url.scheme == "cups":
        return CupsTransport(printer.url, timeout=printer.timeout)
    return TcpTransport(printer.url, timeout=printer.timeout)

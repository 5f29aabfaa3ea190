"""Station printers: where a label goes (`tcp://host:9100`, `cups://queue`) and what it speaks.

A printer is named on the command line either by URL or by a `[printers.<name>]` table of
config.toml (`url`, `language`, `dpi`, `stock`, `timeout`). Nothing here opens a connection:
`printer_transport.py` does.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError, field_validator

from parcelguard.errors import ConfigError, InvalidInput
from parcelguard.labels.content import LabelSize, sizes
from parcelguard.labels.renderer import SUPPORTED_DPI
from parcelguard.settings import Settings

DEFAULT_PORT = 9100  # HP JetDirect raw printing, which every networked thermal printer serves
DEFAULT_TIMEOUT = 10.0
SCHEMES = ("tcp", "cups")
# A CUPS queue name: starts with a letter or digit, so `lp` can never read it as an option.
_QUEUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,126}")
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
Language = Literal["tspl", "escpos", "zpl", "zpl-raster"]


@dataclass(frozen=True, slots=True)
class PrinterUrl:
    """A parsed printer address: raw TCP to `host:port`, or the CUPS queue `queue`."""

    scheme: str
    host: str = ""
    port: int = DEFAULT_PORT
    queue: str = ""

    def __str__(self) -> str:
        if self.scheme == "cups":
            return f"cups://{self.queue}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> PrinterUrl:
        """Return `tcp://host[:port]` or `cups://queue`; anything else is `InvalidInput`."""
        problem = InvalidInput(
            "a printer is tcp://host[:port] or cups://queue", code="invalid_printer_url"
        )
        text = text.strip()
        # urlsplit silently drops tabs and newlines; an address holding any is refused instead.
        if any(char.isspace() or not char.isprintable() for char in text):
            raise problem
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise problem from None
        if parts.query or parts.fragment or parts.username or parts.password:
            raise problem
        if parts.scheme == "cups" and _QUEUE.fullmatch(parts.netloc) and parts.path in ("", "/"):
            return cls("cups", queue=parts.netloc)
        host = parts.hostname or ""
        if parts.scheme != "tcp" or parts.path not in ("", "/") or not _valid_host(host):
            raise problem
        return cls("tcp", host=host, port=port or DEFAULT_PORT)


def _valid_host(host: str) -> bool:
    """Return whether `host` is an IP address or a plain DNS name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(_HOST.fullmatch(host))
    return True


class PrinterConfig(BaseModel):
    """One `[printers.<name>]` table: where the printer is and what it takes."""

    model_config = {"extra": "forbid"}

    url: str
    language: Language | None = None
    dpi: int | None = None
    stock: str | None = None  # the label size loaded: 100x180, 100x150 or 76x130
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0, le=300)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        PrinterUrl.parse(value)
        return value

    @field_validator("dpi")
    @classmethod
    def _dpi(cls, value: int | None) -> int | None:
        if value is not None and value not in SUPPORTED_DPI:
            raise ValueError(f"dpi must be one of {list(SUPPORTED_DPI)}")
        return value

    @field_validator("stock")
    @classmethod
    def _stock(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() not in sizes():
            raise ValueError(f"stock must be one of {sizes()}")
        return value


@dataclass(frozen=True, slots=True)
class Printer:
    """A printer to send to: its name (the config name or the URL), address and settings."""

    name: str
    url: PrinterUrl
    language: str | None = None
    dpi: int | None = None
    stock: LabelSize | None = None
    timeout: float = DEFAULT_TIMEOUT


def configured(settings: Settings) -> dict[str, PrinterConfig]:
    """Return the `[printers.<name>]` tables of config.toml, validated."""
    tables = settings.sections.get("printers", {})
    if not isinstance(tables, dict):
        raise ConfigError("[printers] in config.toml must hold [printers.<name>] tables")
    found = {}
    for name, table in tables.items():
        if not _NAME.fullmatch(name) or not isinstance(table, dict):
            raise ConfigError(f"invalid [printers.{name}] in config.toml: not a printer table")
        try:
            found[name] = PrinterConfig.model_validate(table)
        except (ValidationError, InvalidInput) as exc:
            raise ConfigError(
                f"invalid [printers.{name}] in config.toml: {_problem(exc)}"
            ) from None
    return found


def printer_for(settings: Settings, spec: str) -> Printer:
    """Return the printer named `spec`: a URL, or the name of a `[printers.<name>]` table."""
    spec = spec.strip()
    if "://" in spec:
        url = PrinterUrl.parse(spec)
        return Printer(str(url), url)
    tables = configured(settings)
    config = tables.get(spec)
    if config is None:
        raise InvalidInput(
            "no such printer: name a [printers.<name>] table of config.toml or a URL",
            code="unknown_printer",
            details={"printers": sorted(tables)},
        )
    stock = LabelSize.parse(config.stock) if config.stock else None
    url = PrinterUrl.parse(config.url)
    return Printer(spec, url, config.language, config.dpi, stock, config.timeout)


def _problem(exc: ValidationError | InvalidInput) -> str:
    """Return the first problem of a validation error, by field (never a value)."""
    if isinstance(exc, InvalidInput):
        return exc.message
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ())) or "value"
    return f"{where}: {error.get('msg', 'invalid')}"

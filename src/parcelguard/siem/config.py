"""The `[siem]` table of config.toml: where audit events and alerts go, and in which format."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from parcelguard.runtime import Runtime


class Destination(BaseModel):
    """One receiver: a syslog server over TLS (RFC 5425) or a JSON-lines file for a shipper."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    kind: Literal["syslog", "file"]
    format: Literal["ocsf", "cef"] = "ocsf"
    # syslog over TLS
    host: str | None = None
    port: int = Field(default=6514, ge=1, le=65535)
    ca_file: Path | None = None  # the receiver's CA; the system store when unset
    cert_file: Path | None = None  # our client certificate, when the receiver asks for one
    key_file: Path | None = None
    server_name: str | None = None  # the name the receiver's certificate must carry
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # file
    path: Path | None = None

    @model_validator(mode="after")
    def _complete(self) -> Destination:
        if self.kind == "syslog" and not self.host:
            raise ValueError(f"destination {self.name}: syslog needs host")
        if self.kind == "file" and self.path is None:
            raise ValueError(f"destination {self.name}: file needs path")
        return self


class SiemConfig(BaseModel):
    """`[siem]`: the destinations and how many events one batch carries."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    batch_size: int = Field(default=500, ge=1, le=10_000)
    interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    hostname: str = Field(default="parcelguard", max_length=255)
    in_server: bool = True  # `serve` exports; false when `siem export --follow` runs apart
    # [[siem.destinations]] name, kind = "syslog" | "file", format = "ocsf" | "cef" …
    destinations: list[Destination] = Field(default_factory=list)


def siem_config(rt: Runtime) -> SiemConfig:
    """Return the runtime's validated `[siem]` table."""
    return rt.settings.section("siem", SiemConfig)

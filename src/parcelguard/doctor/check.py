"""The small base every doctor check shares: a name, one `run`, and a finding."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from parcelguard.crypto import Keyring
from parcelguard.doctor.config import DoctorConfig
from parcelguard.doctor.results import FindingDocument, Status
from parcelguard.errors import ConfigError
from parcelguard.runtime import Runtime


@dataclass(frozen=True)
class Finding:
    """One check's verdict; `detail` names counts, ids and settings, never PII or secrets."""

    name: str
    status: Status
    detail: str

    def as_dict(self) -> FindingDocument:
        """Return the contract's JSON shape."""
        return {"name": self.name, "status": self.status, "detail": self.detail}


@dataclass
class DoctorContext:
    """What a check may look at: the runtime, the `[doctor]` thresholds and the time."""

    rt: Runtime
    config: DoctorConfig
    now: datetime

    @property
    def production(self) -> bool:
        """Return whether the settings say this is a production deployment."""
        return self.rt.settings.environment == "production"

    def keyring(self) -> Keyring:
        """Return the keyring without creating one (a check must not change anything)."""
        if self.rt.kms is None and not self.rt.settings.keyring_path.exists():
            raise ConfigError("no keyring yet: run `parcelguard init`")
        return self.rt.keyring


class Check(ABC):
    """A plug-in: subclass, set `name`, implement `run`, register it in `registry.py`."""

    name: ClassVar[str]

    @abstractmethod
    def run(self, ctx: DoctorContext) -> Finding:
        """Look at the deployment and return a finding."""

    def passed(self, detail: str) -> Finding:
        """Return a pass."""
        return Finding(self.name, "pass", detail)

    def warned(self, detail: str) -> Finding:
        """Return a warning: not unsafe yet, but someone should act."""
        return Finding(self.name, "warn", detail)

    def failed(self, detail: str) -> Finding:
        """Return a failure: unsafe as it is; `doctor` exits 1."""
        return Finding(self.name, "fail", detail)

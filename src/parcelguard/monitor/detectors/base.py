"""The small base every detector plug-in shares: its parameters, its findings, its hooks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

from parcelguard.monitor.events import AccessEvent, iso
from parcelguard.monitor.profile import Profile
from parcelguard.monitor.results import EvidenceSummary, ReplayAlert

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

T = TypeVar("T")


def keep(store: dict[str, deque[T]], key: str, item: T, maxlen: int) -> deque[T]:
    """Append `item` to `key`'s bounded ring in `store` (started when new); return the ring."""
    ring = store.get(key)
    if ring is None:
        ring = store[key] = deque(maxlen=maxlen)
    ring.append(item)
    return ring


class RuleParams(BaseModel):
    """What every rule has in `[monitor.rules.<rule>]`: on/off, severity, auto-suspension."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    severity: Severity = "medium"
    suspend: bool = False


class Common(BaseModel):
    """Settings every detector may read (from `[monitor]` itself)."""

    model_config = ConfigDict(extra="forbid")

    history_days: int = Field(default=28, ge=3, le=90)
    min_history_days: int = Field(default=5, ge=1, le=60)


@dataclass(slots=True)
class Finding:
    """A detector's verdict about one principal at one moment, with the events behind it."""

    rule: str
    principal_id: str
    ts: float
    details: dict[str, Any]
    evidence: list[AccessEvent] = field(default_factory=list)
    role: str = ""
    severity: str = "medium"
    suspend: bool = False
    repeat: bool = False  # the same principal and rule fired within the incident window

    def as_alert(self) -> ReplayAlert:
        """Return the replay output line (principal_id, rule, severity, at, details)."""
        return {
            "principal_id": self.principal_id,
            "rule": self.rule,
            "severity": self.severity,
            "at": iso(self.ts),
            "details": self.details,
        }

    def evidence_summaries(self) -> list[EvidenceSummary]:
        """Return the evidence as summaries: sequence numbers, times, actions, waybills."""
        return [e.summary() for e in self.evidence]


P = TypeVar("P", bound=RuleParams)  # a detector's own parameters


class Detector(ABC, Generic[P]):
    """One rule: watches some normalised actions, keeps bounded state, returns findings.

    A rule with its own parameters names them twice, as `Params` (what the settings are
    validated into) and as the type argument (`Detector[OwnParams]`), so `self.p` is typed;
    it sets up its state in `start`, not in `__init__`.
    """

    rule: ClassVar[str]
    actions: ClassVar[tuple[str, ...]] = ()
    Params: ClassVar[type[RuleParams]] = RuleParams

    def __init__(self, params: RuleParams, common: Common) -> None:
        assert isinstance(params, self.Params)
        self.p = cast(P, params)
        self.common = common
        self.start()

    def start(self) -> None:
        """Set up the rule's state from `self.p` (the end of `__init__`); none by default."""

    @abstractmethod
    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Look at one event (the profile already counts it); return a finding or None."""

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Recompute baselines when China-time day `ended` is over; may report findings.

        Profiles have already closed the day: `closed_day == ended` for those active in it.
        """
        return []

    def roll_hour(self, hour: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Close an hour (for per-principal-hour features); may report findings."""
        return []

    def finding(
        self, event: AccessEvent, details: dict[str, Any], evidence: list[AccessEvent]
    ) -> Finding:
        """Return a finding about the event's principal at the event's time."""
        return Finding(self.rule, event.principal_id, event.ts, details, evidence, event.role)

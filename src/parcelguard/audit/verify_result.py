"""What `audit verify` reports: shared by the tree's verifier and the former chain's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parcelguard.audit.results import VerifyReport


@dataclass(frozen=True)
class VerifyResult:
    """What `audit verify` reports (the contract's five keys, then what the witnesses said)."""

    ok: bool
    events: int
    checkpoints: int
    first_bad_seq: int | None
    reason: str | None
    signed_size: int = 0
    witnessed_size: int = 0
    witnesses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> VerifyReport:
        """Return the contract's JSON shape, extended."""
        return {
            "ok": self.ok,
            "events": self.events,
            "checkpoints": self.checkpoints,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
            "signed_size": self.signed_size,
            "witnessed_size": self.witnessed_size,
            "witnesses": self.witnesses,
        }

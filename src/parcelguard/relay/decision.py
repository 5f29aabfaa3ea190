"""A routing decision: what `relay.routing` answers and the providers turn into a reply.

Its own module so the providers and `relay.calls` can name it without importing the routing
(which imports them): no import cycle inside the relay.
"""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.relay.models import Binding
from parcelguard.relay.results import MaskedAnswer, ProviderAnswer
from parcelguard.sensitive import Sensitive


@dataclass(frozen=True)
class Decision:
    """A routing decision; `connect_to` (a real number) is for the provider only."""

    action: str  # "connect" or "reject"
    reason: str | None  # the public reason code (None when connecting)
    audit_reason: str  # what the audit log records ("bound", "stranger", "canary" …)
    connect_to: Sensitive | None = None
    # Digits to send once the callee answers: a platform privacy number's extension (分机号).
    connect_digits: Sensitive | None = None
    virtual_number: str | None = None
    number_id: str | None = None
    label: str | None = None
    binding_id: str | None = None
    shipment_id: str | None = None
    principal_id: str | None = None
    direction: str | None = None
    caller_ref: bytes | None = None
    caller_masked: str | None = None
    callee_ref: bytes | None = None
    callee_masked: str | None = None
    expired: Binding | None = None
    # AXE: which ask this is (1, then 2 on the retry) and, when the caller keyed a wrong,
    # expired or no extension, what went wrong (audited as `relay.extension_miss`).
    attempt: int | None = None
    extension_miss: str | None = None
    # SMS: the text to forward, scrubbed of phone, ID, card and e-mail values.
    forward_text: Sensitive | None = None

    def answer(self) -> ProviderAnswer:
        """Return the provider's answer `{action, number, reason}` (number: the real one)."""
        number = self.connect_to.reveal() if self.connect_to is not None else None
        answer: ProviderAnswer = {"action": self.action, "number": number, "reason": self.reason}
        if self.connect_digits is not None:
            answer["extension"] = self.connect_digits.reveal()
        if self.action == "gather":
            answer["attempt"] = self.attempt
        if self.forward_text is not None:
            answer["text"] = self.forward_text.reveal()
        return answer

    def masked_answer(self) -> MaskedAnswer:
        """Return the same answer with the number masked (for people and screens)."""
        answer: MaskedAnswer = {
            "action": self.action,
            "number": self.callee_masked,
            "reason": self.reason,
        }
        if self.action == "gather":
            answer["attempt"] = self.attempt
        return answer

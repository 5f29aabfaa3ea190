"""The demo carrier behind `relay simulate`: a call placed in-process, told masked.

It says who would have been connected; it is never mounted on HTTP, so it authenticates nobody.
"""

from __future__ import annotations

import json

from parcelguard.errors import Denied
from parcelguard.relay.providers import base as seam
from parcelguard.relay.results import SimulatedCall

PARTY = {"a_to_b": "recipient", "axn": "recipient", "b_to_a": "courier"}
# A connected demo call rings, is answered and hangs up at once.
CALL_PROGRESS = ("initiated", "ringing", "in-progress", "completed")


class DemoCarrier(seam.TelephonyProvider):
    """A fake carrier for demos and tests: the real seam, no network."""

    name = "demo"

    def authenticate(self, request: seam.WebhookRequest, now: float) -> None:
        """Refuse every HTTP request: the demo carrier only exists in-process."""
        raise Denied("the demo carrier takes no webhooks", code="bad_signature")

    def call_event(self, request: seam.WebhookRequest, channel: str) -> seam.CallEvent:
        """Read `{from, to, call_id}` from the body."""
        data = json.loads(request.body or b"{}")
        return seam.CallEvent(data.get("from"), data.get("to"), data.get("call_id"), channel)

    def status_event(self, request: seam.WebhookRequest) -> seam.StatusEvent:
        """Read `{call_id, status}` from the body."""
        data = json.loads(request.body or b"{}")
        return seam.StatusEvent(str(data.get("call_id")), str(data.get("status")), "voice")

    def reply(
        self, decision: seam.Decision, event: seam.CallEvent, request: seam.WebhookRequest
    ) -> seam.WebhookReply:
        """Answer with the masked decision."""
        return seam.WebhookReply("application/json", json.dumps(self.describe(decision, event)))

    def describe(
        self, decision: seam.Decision, event: seam.CallEvent, waybill: str | None = None
    ) -> SimulatedCall:
        """Say, masked, what the carrier would do with the call."""
        party = PARTY.get(decision.direction or "")
        if decision.action == "connect":
            line = (
                f"{decision.caller_masked} → {decision.virtual_number} → "
                f"{party} {decision.callee_masked}" + (f" (waybill {waybill})" if waybill else "")
            )
        else:
            caller = decision.caller_masked or "unknown caller"
            line = f"{caller} → {event.to}: rejected ({decision.reason})"
        return {
            **decision.masked_answer(),
            "call_id": event.call_id,
            "connected_to": party if decision.action == "connect" else None,
            "waybill": waybill,
            "summary": line,
        }

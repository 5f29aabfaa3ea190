"""Telling complainants that their complaint moved, through the portal's SMS seam.

Messages name the complaint and the new state, never its words or the answer: an SMS can be
read on a lock screen. A failed send is logged by its error type and does not undo the step.
The link in a message is absolute (`settings.public_root` + `/portal`): a phone has no base.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from parcelguard.portal.sms import sms_provider_for
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.words import both

log = logging.getLogger("parcelguard.complaints")

MESSAGES: dict[str, dict[str, str]] = both("sms")


@dataclass
class Outbox:
    """Messages decided inside a transaction, sent only after it commits."""

    pending: list[tuple[Sensitive, str, dict[str, str]]] = field(default_factory=list)

    def add(
        self, phone: Sensitive | None, event: str, complaint_id: str, lang: str, due: str = ""
    ) -> bool:
        """Queue the message of `event`; return whether there was a number to send it to."""
        if phone is None:
            return False
        table = MESSAGES.get(lang, MESSAGES["zh"])
        self.pending.append((phone, table[event], {"id": complaint_id, "due": due}))
        return True

    def flush(self, rt: Runtime) -> int:
        """Send every queued message; return how many the provider accepted."""
        sent = 0
        provider = sms_provider_for(rt)
        portal = portal_url(rt)
        for phone, template, values in self.pending:
            try:
                provider.send(phone, template.format(portal=portal, **values))
                sent += 1
            except Exception as exc:  # a carrier failure must not undo the step
                log.warning("complaint notification failed: %s", type(exc).__name__)
        self.pending.clear()
        return sent


def portal_url(rt: Runtime) -> str:
    """Return the absolute address of the recipients' portal that SMS texts carry."""
    return f"{rt.settings.public_root}/portal"

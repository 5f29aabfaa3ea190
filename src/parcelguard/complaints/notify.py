"""Telling complainants that their complaint moved, through the portal's SMS seam.

Messages name the complaint and the new state, never its words or the answer: an SMS can be
read on a lock screen. A failed send is logged by its error type and does not undo the step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from parcelguard.portal.sms import sms_provider_for
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive

log = logging.getLogger("parcelguard.complaints")

MESSAGES = {
    "zh": {
        "filed": "【包裹隐私卫士】你的投诉 {id} 已受理，企业将在 {due} 前答复。"
        "登录 /portal 查看进度。",
        "answered": "【包裹隐私卫士】你的投诉 {id} 已有答复，请登录 /portal 查看；如不满意可申诉。",
        "resolved": "【包裹隐私卫士】你的投诉 {id} 已按你的确认办结。谢谢。",
        "unsatisfied": "【包裹隐私卫士】你的投诉 {id} 已记录为不满意，申诉材料已备好，"
        "请登录 /portal 查看。",
    },
    "en": {
        "filed": "[ParcelGuard] Complaint {id} received; the company answers by {due}. "
        "See /portal.",
        "answered": "[ParcelGuard] Complaint {id} has an answer; see /portal. "
        "Not satisfied? Appeal.",
        "resolved": "[ParcelGuard] Complaint {id} is closed as you confirmed. Thank you.",
        "unsatisfied": "[ParcelGuard] Complaint {id}: noted as not satisfied; "
        "your appeal is ready at /portal.",
    },
}


@dataclass
class Outbox:
    """Messages decided inside a transaction, sent only after it commits."""

    pending: list[tuple[Sensitive, str]] = field(default_factory=list)

    def add(
        self, phone: Sensitive | None, event: str, complaint_id: str, lang: str, due: str = ""
    ) -> bool:
        """Queue the message of `event`; return whether there was a number to send it to."""
        if phone is None:
            return False
        table = MESSAGES.get(lang, MESSAGES["zh"])
        self.pending.append((phone, table[event].format(id=complaint_id, due=due)))
        return True

    def flush(self, rt: Runtime) -> int:
        """Send every queued message; return how many the provider accepted."""
        sent = 0
        provider = sms_provider_for(rt)
        for phone, text in self.pending:
            try:
                provider.send(phone, text)
                sent += 1
            except Exception as exc:  # a carrier failure must not undo the step
                log.warning("complaint notification failed: %s", type(exc).__name__)
        self.pending.clear()
        return sent

"""The ready-made appeal to the postal regulator (邮政业用户申诉, the 12305 channel).

When the company did not answer within 7 days, or the complainant is not satisfied, the
portal hands the complainant everything the regulator asks for: who and what, the timeline
of the complaint with the company, the parcels, an evidence summary from the access log,
and the last day an appeal is accepted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from parcelguard.clock import CHINA
from parcelguard.complaints.results import ComplaintDetail
from parcelguard.complaints.words import words as complaint_words
from parcelguard.portal.words import words as access_words
from parcelguard.vault.results import AccessRecord, MaskedShipment
from parcelguard.words import both


@dataclass
class Appeal:
    """What the regulator needs, gathered from one complaint."""

    complaint: ComplaintDetail
    reason: str
    deadline: date
    prepared_at: datetime
    phone_masked: str
    parcels: list[MaskedShipment] = field(default_factory=list)
    accesses: list[AccessRecord] = field(default_factory=list)

    @property
    def carriers(self) -> list[str]:
        """Return the carriers of the linked parcels (the companies appealed against)."""
        return sorted({carrier for p in self.parcels if (carrier := p["carrier"])})

    def evidence(self) -> list[tuple[str, str, int]]:
        """Return (role, decision, count) of staff accesses to the complainant's parcels."""
        counts = Counter((a["role"], a["decision"] or "view") for a in self.accesses)
        return [(role, decision, n) for (role, decision), n in sorted(counts.items())]


def _local(at: str | datetime | None) -> str:
    if at is None:
        return "—"
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def as_text(appeal: Appeal, lang: str = "zh") -> str:
    """Return the appeal as plain text (what the .txt download holds)."""
    zh = lang != "en"
    c, cw, aw = appeal.complaint, complaint_words(lang), access_words(lang)
    label = _LABELS["zh" if zh else "en"]
    lines = [label["title"], ""]
    lines.append(f"{label['phone']}{appeal.phone_masked}{label['phone_note']}")
    lines.append(f"{label['company']}{'、'.join(appeal.carriers) or label['unknown']}")
    lines.append(f"{label['kind']}{cw['kind'].get(c['kind'], c['kind'])}")
    lines.append(f"{label['reason']}{cw['appeal'].get(appeal.reason, appeal.reason)}")
    lines.append(f"{label['deadline']}{appeal.deadline.isoformat()}")
    lines += ["", label["timeline"]]
    for step in c["timeline"]:
        if step["type"] != "notified":
            lines.append(
                f"  {_local(step['at'])}  {label['steps'].get(step['type'], step['type'])}"
            )
    lines.append(f"  {_local(c['due_at'])}  {label['due']}")
    lines += ["", label["parcels"]]
    for p in appeal.parcels:
        lines.append(f"  {p['waybill_no']}  {p.get('carrier') or ''}  {p['status']}")
    if not appeal.parcels:
        lines.append(f"  {label['none']}")
    lines += ["", label["evidence"]]
    for role, decision, n in appeal.evidence():
        who = aw["role"].get(role, role)
        lines.append(f"  {who}  {aw['decision'].get(decision, label['viewed'])}  × {n}")
    if not appeal.accesses:
        lines.append(f"  {label['none']}")
    lines += ["", label["text"], c.get("text") or label["shredded"], ""]
    lines += [label["answer"], c.get("answer") or label["no_answer"], ""]
    lines.append(f"{label['how']}{label['channel']}")
    lines.append(f"{label['prepared']}{_local(appeal.prepared_at)}")
    return "\n".join(lines) + "\n"


_LABELS: dict[str, dict[str, Any]] = both("appeal")

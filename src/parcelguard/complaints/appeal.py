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
from parcelguard.complaints.words import words as complaint_words
from parcelguard.portal.words import words as access_words

CHANNEL = {
    "zh": "拨打 12305 邮政业用户申诉电话，或登录国家邮政局申诉网站 sswz.spb.gov.cn 提交",
    "en": "call the postal users' appeal line 12305, or use the State Post Bureau's appeal "
    "site sswz.spb.gov.cn",
}


@dataclass
class Appeal:
    """What the regulator needs, gathered from one complaint."""

    complaint: dict[str, Any]
    reason: str
    deadline: date
    prepared_at: datetime
    phone_masked: str
    parcels: list[dict[str, Any]] = field(default_factory=list)
    accesses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def carriers(self) -> list[str]:
        """Return the carriers of the linked parcels (the companies appealed against)."""
        return sorted({p["carrier"] for p in self.parcels if p.get("carrier")})

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
    lines.append(f"{label['how']}{CHANNEL['zh' if zh else 'en']}")
    lines.append(f"{label['prepared']}{_local(appeal.prepared_at)}")
    return "\n".join(lines) + "\n"


_LABELS: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "邮政业用户申诉材料（12305）",
        "phone": "申诉人手机：",
        "phone_note": "（提交时请填写完整号码）",
        "company": "被申诉企业：",
        "unknown": "（请填写快递企业名称）",
        "kind": "申诉事由：",
        "reason": "申诉理由：",
        "deadline": "申诉期限：请在此日期前提交：",
        "timeline": "与企业沟通经过：",
        "steps": {
            "filed": "向企业投诉",
            "answered": "企业答复",
            "revealed": "客服按工单查看信息",
            "resolved": "确认解决",
            "unsatisfied": "申诉人表示不满意",
            "appeal_prepared": "生成申诉材料",
        },
        "due": "企业答复期限（7 日）",
        "parcels": "涉及运单：",
        "evidence": "证据摘要（平台访问记录：谁查看过我的信息）：",
        "viewed": "查看",
        "none": "无",
        "text": "投诉内容：",
        "shredded": "（已按保留期限销毁）",
        "answer": "企业答复：",
        "no_answer": "（企业未答复）",
        "how": "提交方式：",
        "prepared": "材料生成时间：",
    },
    "en": {
        "title": "Appeal to the postal regulator (12305)",
        "phone": "Appellant's mobile: ",
        "phone_note": " (give the full number when you submit)",
        "company": "Company appealed against: ",
        "unknown": "(fill in the express company's name)",
        "kind": "Subject: ",
        "reason": "Grounds: ",
        "deadline": "Deadline: submit on or before ",
        "timeline": "Dealings with the company:",
        "steps": {
            "filed": "Complaint filed with the company",
            "answered": "Company answered",
            "revealed": "Customer service viewed data under the ticket",
            "resolved": "Confirmed resolved",
            "unsatisfied": "Appellant not satisfied",
            "appeal_prepared": "Appeal prepared",
        },
        "due": "Company's answer due (7 days)",
        "parcels": "Parcels:",
        "evidence": "Evidence summary (access log: who viewed my data):",
        "viewed": "viewed",
        "none": "none",
        "text": "Complaint:",
        "shredded": "(destroyed at the end of retention)",
        "answer": "Company's answer:",
        "no_answer": "(no answer)",
        "how": "How to submit: ",
        "prepared": "Prepared at: ",
    },
}

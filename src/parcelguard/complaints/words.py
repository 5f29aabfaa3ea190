"""Complaint words for people: kinds, statuses and badges in Simplified Chinese and English."""

from __future__ import annotations

WORDS: dict[str, dict[str, dict[str, str]]] = {
    "zh": {
        "kind": {
            "leak": "个人信息泄露",
            "harassment": "骚扰（电话、短信、上门）",
            "scam_call": "冒充快递的诈骗电话",
            "courier_misconduct": "快递员或驿站人员违规",
            "label_photo": "面单照片被公开",
        },
        "status": {
            "open": "待答复",
            "answered": "已答复",
            "resolved": "已解决",
            "unsatisfied": "不满意，可申诉",
        },
        "badge": {
            "overdue": "已超时",
            "due_soon": "即将到期",
            "on_time": "处理中",
            "answered": "已答复",
            "resolved": "已解决",
            "unsatisfied": "不满意",
        },
        "appeal": {
            "unanswered": "企业未在 7 日内答复",
            "unsatisfied": "对企业的答复不满意",
        },
    },
    "en": {
        "kind": {
            "leak": "Personal data leaked",
            "harassment": "Harassment (calls, texts, visits)",
            "scam_call": "Scam call claiming to be a courier",
            "courier_misconduct": "Misconduct by a courier or station",
            "label_photo": "Photo of my label made public",
        },
        "status": {
            "open": "Awaiting answer",
            "answered": "Answered",
            "resolved": "Resolved",
            "unsatisfied": "Not satisfied; appeal possible",
        },
        "badge": {
            "overdue": "Overdue",
            "due_soon": "Due soon",
            "on_time": "In progress",
            "answered": "Answered",
            "resolved": "Resolved",
            "unsatisfied": "Not satisfied",
        },
        "appeal": {
            "unanswered": "The company did not answer within 7 days",
            "unsatisfied": "Not satisfied with the company's answer",
        },
    },
}


def words(lang: str) -> dict[str, dict[str, str]]:
    """Return the complaint words of a language (Simplified Chinese by default)."""
    return WORDS.get(lang, WORDS["zh"])

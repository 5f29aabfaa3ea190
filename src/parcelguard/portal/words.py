"""Words people read for access records: roles, purposes, actions and decisions (zh, en)."""

from __future__ import annotations

from typing import Any

WORDS: dict[str, dict[str, dict[str, str]]] = {
    "zh": {
        "role": {
            "courier": "快递员",
            "station_clerk": "驿站店员",
            "customer_service": "客服",
            "security_officer": "安全专员",
            "admin": "管理员",
            "service": "系统接口",
            "recipient": "你本人",
            "operator": "系统运维",
            "system": "系统",
            "anonymous": "未登录的访客",
        },
        "purpose": {
            "delivery": "派送",
            "customer_service": "客服处理",
            "investigation": "安全调查",
            "self": "本人查询",
        },
        "action": {
            "reveal": "查看完整信息",
            "shipment.view": "查看包裹（已打码）",
            "label.scan": "扫描面单",
            "label.print": "打印面单",
            "relay.connect": "通过隐私号联系",
            "export.run": "导出",
        },
        "decision": {"allow": "已允许", "deny": "已拒绝"},
        "field": {
            "name": "姓名",
            "phone": "电话",
            "address": "地址",
            "id_no": "证件号",
            "recipient": "收件人",
            "sender": "寄件人",
        },
    },
    "en": {
        "role": {
            "courier": "Courier",
            "station_clerk": "Station clerk",
            "customer_service": "Customer service",
            "security_officer": "Security officer",
            "admin": "Administrator",
            "service": "System interface",
            "recipient": "You",
            "operator": "Operations",
            "system": "System",
            "anonymous": "Someone not signed in",
        },
        "purpose": {
            "delivery": "Delivery",
            "customer_service": "Customer service",
            "investigation": "Security investigation",
            "self": "Your own request",
        },
        "action": {
            "reveal": "Viewed full details",
            "shipment.view": "Viewed the parcel (masked)",
            "label.scan": "Scanned the label",
            "label.print": "Printed the label",
            "relay.connect": "Called through a privacy number",
            "export.run": "Exported",
        },
        "decision": {"allow": "Allowed", "deny": "Refused"},
        "field": {
            "name": "name",
            "phone": "phone",
            "address": "address",
            "id_no": "ID number",
            "recipient": "recipient",
            "sender": "sender",
        },
    },
}


def words(lang: str) -> dict[str, dict[str, str]]:
    """Return the words of a language (Simplified Chinese by default)."""
    return WORDS.get(lang, WORDS["zh"])


def field_words(name: str, lang: str) -> str:
    """Return "收件人地址" / "recipient address" for `recipient.address`."""
    w = words(lang)["field"]
    role, _, part = name.partition(".")
    joined = f"{w.get(role, role)}{w.get(part, part)}"
    return joined if lang == "zh" else f"{w.get(role, role)} {w.get(part, part)}"


def access_row(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return an access record with its role, purpose, action and decision in words."""
    w = words(lang)
    return {
        **row,
        "role_words": w["role"].get(row.get("role") or "", row.get("role") or ""),
        "purpose_words": w["purpose"].get(row.get("purpose") or "", row.get("purpose") or "—"),
        "action_words": w["action"].get(row.get("action") or "", row.get("action") or ""),
        "decision_words": w["decision"].get(row.get("decision") or "", "—"),
        "fields_words": [field_words(f, lang) for f in row.get("fields") or []],
    }

"""Access records in words people read: roles, purposes, actions and decisions (zh, en).

The words themselves live in the catalogue (`parcelguard.words`, section `access`).
"""

from __future__ import annotations

from parcelguard.portal.results import AccessRow
from parcelguard.vault.results import AccessRecord
from parcelguard.words import catalogue, say


def words(lang: str) -> dict[str, dict[str, str]]:
    """Return the access words of a language (Simplified Chinese by default)."""
    return catalogue(lang)["access"]


def field_words(name: str, lang: str) -> str:
    """Return "收件人地址" / "recipient address" for `recipient.address`."""
    w = words(lang)["field"]
    role, _, part = name.partition(".")
    joined = f"{w.get(role, role)}{w.get(part, part)}"
    return joined if lang == "zh" else f"{w.get(role, role)} {w.get(part, part)}"


def access_row(row: AccessRecord, lang: str) -> AccessRow:
    """Return an access record with its role, purpose, action and decision in words."""
    w = words(lang)
    action = row.get("action") or ""
    return {
        **row,
        "role_words": w["role"].get(row.get("role") or "", row.get("role") or ""),
        "purpose_words": w["purpose"].get(row.get("purpose") or "", row.get("purpose") or "—"),
        "action_words": w["action"].get(action) or say(lang, "action", action),
        "decision_words": w["decision"].get(row.get("decision") or "", "—"),
        "fields_words": [field_words(f, lang) for f in row.get("fields") or []],
    }

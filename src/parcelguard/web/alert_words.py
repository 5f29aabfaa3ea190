"""An alert's details and evidence in words: labels for keys, words for codes, names for ids.

Detectors keep machine facts (`{"reasons": ["label.print"], "window_minutes": 60}`); a page
shows "原因: 打印面单", "时间窗（分钟）: 60". People named by id are shown by name and employee
number through `name_of`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from parcelguard.words import CodeKind, catalogue, codes
from parcelguard.words.formats import grouped, local_text

PEOPLE_KEYS = ("principal_id", "subject_id", "assignee", "involved")
# Where a string value's wording is looked up, in order.
VALUE_KINDS: tuple[CodeKind, ...] = (
    "action",
    "reason",
    "role",
    "rule",
    "purpose",
    "field",
    "shipment_state",
    "decision",
    "alert_state",
    "severity",
)
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def value_words(value: str, lang: str) -> str:
    """Return the wording of a code found in details, or the value when it is not a code."""
    tables = codes(lang)
    for kind in VALUE_KINDS:
        found = tables[kind].get(value)
        if found:
            return found
    if ISO_TIME.match(value):
        return local_text(value)
    return value


def show(value: Any, lang: str, name_of: Callable[[str], str], *, people: bool = False) -> str:
    """Return one detail value as text: lists joined, numbers grouped, codes and ids in words."""
    separator = "、" if lang == "zh" else ", "
    if isinstance(value, bool):
        return catalogue(lang)["security"]["yes" if value else "no"]
    if isinstance(value, int | float):
        return grouped(value)
    if isinstance(value, list | tuple | set):
        return separator.join(show(v, lang, name_of, people=people) for v in value) or "—"
    if isinstance(value, dict):
        label = codes(lang)["detail"]
        return separator.join(
            f"{label.get(str(k), value_words(str(k), lang))} {show(v, lang, name_of)}"
            for k, v in value.items()
        )
    text = "" if value is None else str(value)
    if not text:
        return "—"
    if people or HEX_ID.match(text):
        return name_of(text)
    return value_words(text, lang)


def detail_rows(
    details: dict[str, Any], lang: str, name_of: Callable[[str], str]
) -> list[tuple[str, str]]:
    """Return an alert's details as (label, text) rows, in words."""
    labels = codes(lang)["detail"]
    return [
        (labels.get(key, value_words(key, lang)), show(v, lang, name_of, people=key in PEOPLE_KEYS))
        for key, v in details.items()
    ]


def evidence_rows(evidence: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Return evidence lines with their action and outcome in words."""
    return [
        {
            **e,
            "action_words": value_words(str(e.get("action") or ""), lang) or "—",
            "outcome_words": value_words(str(e.get("outcome") or ""), lang) or "—",
        }
        for e in evidence
    ]

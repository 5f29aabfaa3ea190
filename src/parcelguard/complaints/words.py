"""Complaint words for people: kinds, statuses, badges and timeline steps.

The words live in the catalogue (`parcelguard.words`, sections `complaints` and `codes`).
"""

from __future__ import annotations

from parcelguard.complaints.results import TimelineRow, TimelineStep
from parcelguard.words import catalogue, codes


def words(lang: str) -> dict[str, dict[str, str]]:
    """Return the complaint words of a language (Simplified Chinese by default)."""
    return catalogue(lang)["complaints"]


def note_words(note: str | None, lang: str) -> str:
    """Return a timeline note in words: a kind, an appeal reason, a field, an SMS or a mark."""
    if not note:
        return ""
    own, table = words(lang), codes(lang)
    if note.startswith("sms:"):
        event = note.partition(":")[2]
        step = table["complaint_step"].get(event, event)
        return (
            f"{table['complaint_note']['sms']}：{step}"
            if lang == "zh"
            else (f"{table['complaint_note']['sms']}: {step}")
        )
    for found in (own["kind"], own["appeal"], table["field"], table["complaint_note"]):
        if note in found:
            return found[note]
    return note


def timeline_rows(steps: list[TimelineStep], lang: str) -> list[TimelineRow]:
    """Return timeline steps with their type and note in words (`type_words`, `note_words`)."""
    step_words = codes(lang)["complaint_step"]
    return [
        {
            **step,
            "type_words": step_words.get(step.get("type") or "", step.get("type") or ""),
            "note_words": note_words(step.get("note"), lang),
        }
        for step in steps
    ]

"""One catalogue of everything people read, Simplified Chinese first and English.

`catalogue(lang)` is a language's `Catalogue` (`zh.py`, `en.py`: the same keys); `say(lang,
kind, code)` is the wording of one code the system emits (an audit action, a reason, a role,
an alert rule, a state, a doctor check, a policy row). Page families read their section
(`catalogue(lang)["portal"]`); nothing else holds words.
"""

from __future__ import annotations

from typing import Any, Literal, cast, get_args

from parcelguard.words import en, zh
from parcelguard.words.catalogue import Catalogue, Codes

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
CATALOGUES: dict[str, Catalogue] = {"zh": zh.WORDS, "en": en.WORDS}
CodeKind = Literal[
    "action",
    "reason",
    "role",
    "rule",
    "shipment_state",
    "event_type",
    "alert_state",
    "severity",
    "doctor",
    "policy",
    "reference",
    "purpose",
    "field",
    "decision",
    "detail",
    "complaint_step",
    "complaint_note",
    "target",
]


def language(lang: str | None) -> Language:
    """Return a supported language: `lang` itself, else Simplified Chinese."""
    return cast(Language, lang) if lang in CATALOGUES else "zh"


def catalogue(lang: str | None) -> Catalogue:
    """Return the catalogue of a language (Simplified Chinese by default)."""
    return CATALOGUES[language(lang)]


def codes(lang: str | None) -> Codes:
    """Return the wording tables of every code in a language."""
    return catalogue(lang)["codes"]


def say(lang: str | None, kind: CodeKind, code: str | None) -> str:
    """Return the wording of one code, "—" for none, the code itself if it has none (a bug)."""
    if code is None or code == "":
        return "—"
    table: dict[str, str] = codes(lang)[kind]
    return table.get(code, code)


def both(section: str) -> dict[str, Any]:
    """Return one section in every language: `{"zh": …, "en": …}` (how pages merge words)."""
    return {lang: cast(dict[str, Any], CATALOGUES[lang])[section] for lang in LANGUAGES}

"""Complaint words for people: kinds, statuses and badges (catalogue section `complaints`)."""

from __future__ import annotations

from parcelguard.words import catalogue


def words(lang: str) -> dict[str, dict[str, str]]:
    """Return the complaint words of a language (Simplified Chinese by default)."""
    return catalogue(lang)["complaints"]

"""The error pages' words live in the catalogue, complete in both languages."""

from __future__ import annotations

import pytest

from parcelguard import words
from parcelguard.web.errors import PAGE_STATUSES


@pytest.mark.parametrize("lang", words.LANGUAGES)
def test_every_error_page_says_what_happened_and_what_next(lang: str) -> None:
    pages = words.catalogue(lang)["errors"]["pages"]
    assert {int(status) for status in pages} == PAGE_STATUSES
    for status, page in pages.items():
        assert set(page) == {"title", "what", "next"}, status
        assert all(page.values()), status


def test_both_languages_word_the_same_error_codes_and_buttons() -> None:
    zh, en = (words.catalogue(lang)["errors"] for lang in ("zh", "en"))
    assert set(zh["codes"]) == set(en["codes"])
    assert set(zh["shell"]) == set(en["shell"])


@pytest.mark.parametrize("lang", words.LANGUAGES)
def test_the_rate_limit_page_names_the_wait_in_both_languages(lang: str) -> None:
    assert "{wait}" in words.catalogue(lang)["errors"]["pages"]["429"]["next"]

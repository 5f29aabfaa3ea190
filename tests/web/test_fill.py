"""`fill`: one way for a page to put data into a catalogue sentence, marked as data."""

from __future__ import annotations

from markupsafe import Markup

from parcelguard.web.filters import fill


def test_text_values_are_escaped_and_marked_as_data_numbers_and_markup_go_in_as_they_are() -> None:
    said = fill(
        "发给 {name}（{n} 次）{rule}",
        name="<b>王五</b>",
        n=3,
        rule=Markup("<em>规则</em>"),
    )
    assert said == ('发给 <span translate="no">&lt;b&gt;王五&lt;/b&gt;</span>（3 次）<em>规则</em>')
    assert isinstance(said, Markup)  # the template does not escape it twice


def test_the_sentence_itself_is_escaped() -> None:
    assert fill("a < b: {x}", x="c") == 'a &lt; b: <span translate="no">c</span>'


def test_the_account_hint_on_a_page_and_in_json_says_the_same_words() -> None:
    from types import SimpleNamespace

    from parcelguard.web.console_admin import hint

    person = SimpleNamespace(name="王五", employee_no="E1")
    plain = hint("zh", "enrol", person, 0)  # type: ignore[arg-type]
    page = hint("zh", "enrol", person, 0, fill=fill)  # type: ignore[arg-type]
    assert "王五" in plain and "<span" not in plain
    assert isinstance(page, Markup) and page.striptags() == plain

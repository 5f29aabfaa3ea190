"""The alert page in words: no raw codes, list reprs, hex ids or UTC timestamps, zh and en."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.console.conftest import World
from tests.console.test_security import ALERT_LINK, _prying_courier
from tests.words.visible import raw_codes, visible_text

CHINA_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} · ")


@pytest.mark.parametrize(("lang", "rule", "assignee"), [("zh", "访问未分配的包裹", "处理人"),
                                                       ("en", "Access to parcels not assigned",
                                                        "Assignee")])  # fmt: skip
def test_an_alert_page_shows_words_names_and_local_times_not_codes(
    world: World, cli: Callable[..., Any], lang: str, rule: str, assignee: str
) -> None:
    _prying_courier(world, cli)
    csrf = world.sign_in("security_officer")
    listing = world.client.get(f"/console/security/alerts?lang={lang}").text
    assert raw_codes(listing) == {}
    pages = [
        (i, world.client.get(f"/console/security/alerts/{i}?lang={lang}").text)
        for i in set(ALERT_LINK.findall(listing))
    ]
    assert pages
    alert_id, page = next((i, p) for i, p in pages if rule in p)
    officer = world.staff["security_officer"]
    assert world.post(f"/api/v1/alerts/{alert_id}/assign", csrf, json={"to": officer}).status_code
    for _, html in pages:
        assert raw_codes(html) == {}
    page = world.client.get(f"/console/security/alerts/{alert_id}?lang={lang}").text
    text = visible_text(page)
    assert raw_codes(page) == {}
    assert officer not in text  # the assignee is named, not shown by id
    assert re.search(rf"{assignee} .+ · \w+", text)
    assert CHINA_TIME.search(text)  # local time with the relative time beside it
    relative = ("前 ", "刚刚") if lang == "zh" else (" ago", "just now")
    assert any(word in text for word in relative)

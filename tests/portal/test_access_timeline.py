"""The "who viewed" page draws a timeline: one dot per access, days in local time, role words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from parcelguard.portal.sms import RecordingSmsProvider
from tests.portal.conftest import courier_reveals_address, sign_in

DOT = re.compile(r'<circle class="pg-dot pg-dot-(\w+)"[^>]*><title>([^<]*)</title>')


def test_the_timeline_has_one_dot_per_access_with_local_time_and_role(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
) -> None:
    courier = courier_reveals_address(cli, parcels[0]["waybill_no"])
    sign_in(client, sms)
    page = client.get("/portal/access").text
    rows = page.count('<li class="card')  # the access cards below the timeline
    chart = page.split('id="pg-access-dots"')[1].split("</svg>")[0]
    dots = DOT.findall(chart)
    assert rows >= 1 and len(dots) == rows and f'data-total="{rows}"' in chart
    kind, said = dots[0]
    assert kind == "allow" and "快递员" in said and "查看完整信息" in said
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d · ", said)  # local time, to the minute
    assert "T" not in said.split(" · ")[0] and "+00:00" not in page.split("pg-access-dots")[1]
    items = page.count('class="pg-day-item pg-day-')
    assert items == rows and '<h3 class="pg-day">' in page
    assert courier not in page  # roles, never staff identities
    english = client.get("/portal/access?lang=en").text
    assert "Timeline" in english and "Courier" in english.split('id="pg-access-dots"')[1]


def test_no_access_no_timeline(
    client: TestClient, sms: RecordingSmsProvider, parcels: list[dict[str, str]]
) -> None:
    sign_in(client, sms)
    page = client.get("/portal/access").text
    assert "pg-access-dots" not in page

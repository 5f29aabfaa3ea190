"""The complaint timeline in words, on the console and the portal, in zh and en."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.portal.sms import RecordingSmsProvider
from parcelguard.runtime import Runtime
from tests.complaints.conftest import file_complaint
from tests.complaints.test_console_pages import staff_client
from tests.portal.conftest import add_user, courier_reveals_address, sign_in
from tests.words.visible import raw_codes, visible_text


@pytest.mark.parametrize(("lang", "filed"), [("zh", "投诉人提交投诉"), ("en", "Complainant filed")])
def test_the_complaint_timeline_shows_steps_and_notes_in_words(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    rt: Runtime,
    parcels: list[dict[str, str]],
    lang: str,
    filed: str,
) -> None:
    waybill = parcels[0]["waybill_no"]
    courier_reveals_address(cli, waybill)
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [waybill])
    agent, _ = add_user(cli, "customer_service")
    staff = TestClient(client.app)
    token = staff_client(rt, staff, agent, "customer_service")
    url = f"/console/service/complaints/{complaint_id}"
    answered = staff.post(
        f"{url}/answer", json={"text": "已处理。"}, headers={"X-CSRF-Token": token}
    )
    assert answered.status_code == 200

    console = staff.get(f"{url}?lang={lang}").text
    text = visible_text(console)
    assert filed in text
    assert "sms:" not in text and "notified" not in text
    assert raw_codes(console) == {}
    portal = client.get(f"/portal/complaints/{complaint_id}?lang={lang}").text
    assert raw_codes(portal) == {}

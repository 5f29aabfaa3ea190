"""The station counter: waiting parcels (masked), hand-over by code, errors, shelf labels."""

from __future__ import annotations

import re

from tests.console.conftest import World, csrf_of

CODE = re.compile(r'data-pg-item="(\d+-\d+-\d{4})"')


def _codes(world: World) -> list[str]:
    return CODE.findall(world.client.get("/console/station").text)


def test_the_counter_lists_waiting_parcels_masked(world: World) -> None:
    world.sign_in("station_clerk")
    page = world.client.get("/console/station").text
    assert len(CODE.findall(page)) == len(world.at_station)
    for waybill in world.at_station:
        row = world.row(waybill)
        assert waybill in page
        assert row["recipient_name"] not in page and row["recipient_phone"] not in page
        assert row["recipient_phone"][-4:] not in re.sub(r"PGT\d+", "", page)
    assert 'action="/api/v1/stations/st-xihu/pickup"' in page and "data-pg-api" in page
    world.sign_in("clerk2")
    assert _codes(world) == []  # another station's clerk sees their own (empty) counter


def test_hand_over_by_code_and_a_wrong_code_is_explained(world: World) -> None:
    csrf = world.sign_in("station_clerk")
    page = world.client.get("/console/station").text
    assert csrf_of(page) == csrf
    assert 'data-err-wrong_pickup_code="没有包裹在这个取件码下等待。请核对取件码。"' in page
    assert 'data-err-rate_limited="错误次数过多，请稍后再试。"' in page
    url = "/api/v1/stations/st-xihu/pickup"
    wrong = world.post(url, csrf, json={"code": "9-9-9999"})
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "wrong_pickup_code"
    code = _codes(world)[0]
    last4 = world.row(_waybill_of(world, code))["recipient_phone"][-4:]
    bad_last4 = world.post(
        url, csrf, json={"code": code, "last4": "0000" if last4 != "0000" else "1111"}
    )
    assert bad_last4.json()["error"]["code"] == "wrong_last4"
    done = world.post(url, csrf, json={"code": code, "last4": last4})
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    assert code not in _codes(world)
    world.sign_in("clerk2")
    other = world.post(url, csrf_of(world.client.get("/console").text), json={"code": code})
    assert other.status_code == 403 and other.json()["error"]["code"] == "other_station"


def _waybill_of(world: World, code: str) -> str:
    page = world.client.get("/console/station").text
    row = page.split(f'data-pg-item="{code}"')[1].split("</tr>")[0]
    found = re.search(r'value="(PGT\d+)"', row)
    assert found
    return found.group(1)


def test_shelf_labels_of_the_selected_parcels_come_as_one_pdf(world: World) -> None:
    world.sign_in("station_clerk")
    chosen = world.at_station[:2]
    pdf = world.client.get("/console/station/shelf-labels.pdf", params={"waybill": chosen})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    events = world.client.get("/console/station")  # still listed: printing hands nothing over
    assert all(w in events.text for w in chosen)
    none = world.client.get("/console/station/shelf-labels.pdf")
    assert none.status_code == 400 and "请先选择要打印标签的包裹" in none.text
    world.sign_in("clerk2")
    refused = world.client.get("/console/station/shelf-labels.pdf", params={"waybill": chosen})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "no_pickup_code"

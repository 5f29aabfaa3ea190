"""The courier's deliveries: masked parcels, the relay's number to call, the scanned parcel."""

from __future__ import annotations

import re
from urllib.parse import quote

from parcelguard.audit.service import Actor
from parcelguard.relay import service as relay_service
from tests.console.conftest import POOL, World, csrf_of

TEL = re.compile(r'href="tel:(\+86\d{11})"')


def test_the_call_button_dials_the_virtual_number_never_the_recipients(world: World) -> None:
    world.sign_in("courier")
    page = world.client.get("/console/deliveries").text
    assert all(f'data-waybill="{w}"' in page for w in world.on_road)
    assert not any(f'data-waybill="{w}"' in page for w in world.others)
    numbers = TEL.findall(page)
    assert len(numbers) == len(world.on_road)
    assert {n[3:] for n in numbers} <= set(POOL)
    for waybill in world.on_road:
        row = world.row(waybill)
        assert row["recipient_phone"] not in page and row["recipient_phone"][-8:] not in page
        assert row["recipient_address"] not in page  # masked until revealed
    assert "13600136000" not in page  # nor the courier's own number


def test_without_a_binding_the_card_says_so_and_the_courier_can_ask_for_one(
    world: World,
) -> None:
    waybill = world.on_road[0]
    with world.rt.db.session() as session:
        (binding,) = relay_service.list_bindings(world.rt, session, waybill=waybill)
        relay_service.release_binding(world.rt, session, _admin(world), binding["binding_id"])
    csrf = world.sign_in("courier")
    page = world.client.get("/console/deliveries").text
    card = card_of(page, waybill)
    assert "尚未绑定隐私号" in card and 'class="pg-bind' in card and "tel:" not in card
    refused = world.client.post("/api/v1/relay/bindings", json={"waybill": waybill})
    assert refused.status_code == 403  # the page's script sends the CSRF token
    bound = world.post("/api/v1/relay/bindings", csrf, json={"waybill": waybill})
    assert bound.status_code == 200, bound.text
    card = card_of(world.client.get("/console/deliveries").text, waybill)
    assert f'href="tel:{bound.json()["virtual_number"]}"' in card
    other = world.post("/api/v1/relay/bindings", csrf, json={"waybill": world.others[0]})
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_assigned"


def card_of(page: str, waybill: str) -> str:
    """Return the HTML of one parcel's card."""
    return page.split(f'<li class="card pg-parcel" data-waybill="{waybill}">')[1].split("</li>")[0]


def _admin(world: World) -> Actor:
    return Actor(world.staff["admin"], "admin")


def test_a_scanned_label_opens_the_parcel_ready_to_reveal(world: World) -> None:
    waybill = world.on_road[1]
    signed_out = world.client.get(f"/console?reveal={waybill}", follow_redirects=False)
    target = quote(f"/console?reveal={waybill}", safe="")
    assert signed_out.headers["location"] == f"/console/login?next={target}"
    login = world.client.get(signed_out.headers["location"]).text
    assert f'data-next="/console?reveal={waybill}"' in login

    world.sign_in("courier")
    landing = world.client.get(f"/console?reveal={waybill}", follow_redirects=False)
    assert landing.headers["location"] == f"/console/deliveries?reveal={waybill}"
    page = world.client.get(landing.headers["location"]).text
    scanned = page.split('class="cards pg-scanned"')[1].split("</ul>")[0]
    assert f'data-waybill="{waybill}"' in scanned and "autofocus" in scanned
    assert page.count(f'data-waybill="{waybill}"') == 2  # the card and its reveal button, once
    assert csrf_of(page)

    stranger = world.client.get(f"/console/deliveries?reveal={world.others[0]}").text
    assert "不在你的派送列表中" in stranger and "cards pg-scanned" not in stranger


def test_other_staff_landing_from_a_scan_are_told_it_is_for_the_courier(world: World) -> None:
    world.sign_in("station_clerk")
    page = world.client.get(f"/console?reveal={world.on_road[0]}")
    assert page.status_code == 200 and "只对该包裹的派送快递员开放" in page.text


def test_a_login_page_never_sends_anyone_off_site(world: World) -> None:
    for target in ("https://evil.example/", "//evil.example", "/portal", "/console\\x"):
        page = world.client.get("/console/login", params={"next": target}).text
        assert 'data-next="/console"' in page


def test_an_axe_binding_shows_x_and_its_extension_and_dials_both(world: World) -> None:
    waybill = world.on_road[0]
    with world.rt.db.session() as session:
        (binding,) = relay_service.list_bindings(world.rt, session, waybill=waybill)
        relay_service.release_binding(world.rt, session, _admin(world), binding["binding_id"])
        rows = [relay_service.PoolRow(1, "17105719999", None)]
        relay_service.import_numbers(world.rt, session, _admin(world), rows, mode="axe")
    bound = relay_service.bind_waybill(world.rt, _admin(world), waybill, kind="axe")
    extension = bound["extension"]
    world.sign_in("courier")
    card = card_of(world.client.get("/console/deliveries").text, waybill)
    assert f"171 0571 9999 转 {extension}" in card
    assert f'href="tel:+8617105719999,{extension}#"' in card

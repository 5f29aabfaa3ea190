"""Customer service looks a parcel up by waybill or phone under a ticket: masked, with history."""

from __future__ import annotations

import re

import pytest

from parcelguard.audit.service import search
from parcelguard.complaints import lookup
from tests.console.conftest import World

TICKET = "CS-123456"


def _lookup(world: World, **form: str) -> tuple[int, str]:
    page = world.client.get("/console/service/lookup")
    answer = world.client.post(
        "/console/service/lookup", data={"csrf": csrf_of_page(page.text), **form}
    )
    return answer.status_code, answer.text


def csrf_of_page(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the lookup form carries no CSRF field"
    return found.group(1)


def _lookups(world: World) -> list[dict[str, object]]:
    with world.rt.db.read_session() as session:
        events = search(session, world.rt.tenant, action=lookup.ACTION)
        return [
            {
                "decision": e.decision,
                "reason": e.reason,
                "reference": e.reference,
                "details": e.details,
                "actor": e.actor_id,
            }
            for e in events
        ]


def test_customer_service_finds_a_parcel_by_waybill_masked_with_its_history(world: World) -> None:
    world.sign_in("customer_service")
    waybill = world.on_road[0]
    row = world.row(waybill)
    status, html = _lookup(world, ticket=TICKET, waybill=waybill)
    assert status == 200
    assert f'data-waybill="{waybill}"' in html
    assert row["recipient_phone"] not in html and row["recipient_name"] not in html
    assert "出库派送" in html and "分配快递员" in html  # the lifecycle steps, in words
    assert f'工单 <span translate="no">{TICKET}</span> 查到 1 个包裹' in html
    [event] = _lookups(world)
    assert event["decision"] == "allow" and event["reference"] == TICKET
    assert '"by": "waybill"' in str(event["details"]) and waybill in str(event["details"])


def test_a_phone_lookup_goes_through_the_blind_index_and_never_keeps_the_phone(
    world: World,
) -> None:
    world.sign_in("customer_service")
    row = world.row(world.others[0])
    status, html = _lookup(world, ticket=TICKET, phone=row["recipient_phone"])
    assert status == 200
    assert f'data-waybill="{world.others[0]}"' in html
    assert row["recipient_phone"] not in html
    [event] = _lookups(world)
    assert row["recipient_phone"] not in str(event) and row["recipient_phone"][-4:] not in str(
        event["details"]
    )


def test_the_history_names_who_looked_with_their_employee_number(world: World) -> None:
    world.sign_in("customer_service")
    waybill = world.on_road[0]
    _lookup(world, ticket=TICKET, waybill=waybill)
    _, html = _lookup(world, ticket="CS-654321", waybill=waybill)
    with world.rt.db.read_session() as session:
        from parcelguard.access import service as access

        me = access.get_or_raise(session, world.rt.tenant, world.staff["customer_service"])
        employee_no = me.employee_no
    looked = html.split('class="pg-lookup-looked"')[1]
    assert employee_no in looked and "客服查询包裹" in looked and "客服" in looked


@pytest.mark.parametrize("ticket", ["", "   ", "13912345678", "checking"])
def test_a_lookup_without_a_real_ticket_is_refused_and_audited_without_it(
    world: World, ticket: str
) -> None:
    world.sign_in("customer_service")
    status, html = _lookup(world, ticket=ticket, waybill=world.on_road[0])
    assert status == 400 and "请填写有效的工单号" in html
    assert f'data-waybill="{world.on_road[0]}"' not in html
    [event] = _lookups(world)
    assert (event["decision"], event["reason"], event["reference"]) == (
        "deny",
        "ticket_invalid",
        None,
    )


def test_a_waybill_and_a_phone_together_are_refused(world: World) -> None:
    world.sign_in("customer_service")
    row = world.row(world.on_road[0])
    status, html = _lookup(
        world, ticket=TICKET, waybill=row["waybill_no"], phone=row["recipient_phone"]
    )
    assert status == 400 and "只填写运单号或手机号中的一项" in html
    assert row["recipient_phone"] not in html  # the phone typed is not sent back


def test_an_unknown_waybill_finds_nothing_and_is_audited(world: World) -> None:
    world.sign_in("customer_service")
    status, html = _lookup(world, ticket=TICKET, waybill="PGX0000000")
    assert status == 200 and "没有找到包裹" in html
    [event] = _lookups(world)
    assert '"found": 0' in str(event["details"])


def test_the_lookup_page_is_in_english_under_the_switch(world: World) -> None:
    world.sign_in("customer_service")
    html = world.client.get("/console/service/lookup?lang=en").text
    assert "Look up by waybill or phone" in html and "Ticket (required)" in html


def test_the_menu_marks_only_the_lookup_as_the_current_page(world: World) -> None:
    world.sign_in("customer_service")
    html = world.client.get("/console/service/lookup").text
    nav = html.split('class="pg-console-nav"')[1].split("</nav>")[0]
    assert nav.count('aria-current="page"') == 1
    assert 'href="/console/service/lookup" aria-current="page"' in nav


def test_the_recipient_sees_a_customer_service_lookup_among_who_viewed(world: World) -> None:
    from parcelguard.vault import service as vault_service

    world.sign_in("customer_service")
    row = world.row(world.others[0])
    status, _ = _lookup(world, ticket=TICKET, phone=row["recipient_phone"])
    assert status == 200
    with world.rt.db.read_session() as session:
        history = vault_service.access_history(world.rt, session, row["recipient_phone"])
    seen = [h for h in history if h["action"] == lookup.ACTION]
    assert seen, "the recipient's 'who viewed' misses the customer-service lookup"
    assert {h["waybill_no"] for h in seen} >= {world.others[0]}
    assert all(h["role"] == "customer_service" and h["purpose"] == "customer_service" for h in seen)

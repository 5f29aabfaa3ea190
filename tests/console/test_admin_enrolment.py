"""The admin page says what to send first and to whom; a secret shows once, with a copy button."""

from __future__ import annotations

from parcelguard.access import service as access
from tests.console.conftest import World


def _card(page: str, principal_id: str) -> str:
    return page.split(f'data-principal="{principal_id}"')[1].split("</li>")[0]


def test_each_account_says_which_link_to_send_first_and_to_whom(world: World) -> None:
    world.sign_in("admin")
    page = world.client.get("/console/admin").text
    with world.rt.db.read_session() as session:
        courier = access.get_or_raise(session, world.rt.tenant, world.staff["courier"])
        name, number = courier.name, courier.employee_no
    card = _card(page, world.staff["courier"])
    marked = f'<span translate="no">{name}</span>'  # a name is data: never translated
    number_marked = f'<span translate="no">{number}</span>'
    assert f"先把注册链接发给 {marked}（工号 {number_marked}）本人" in card
    assert "API 密钥只在对方使用工作设备" in card
    english = world.client.get("/console/admin?lang=en").text
    assert f"First send the enrolment link to {marked}" in _card(english, world.staff["courier"])


def test_a_new_account_and_a_new_link_come_with_their_next_step(world: World) -> None:
    csrf = world.sign_in("admin")
    made = world.post(
        "/console/admin/users",
        csrf,
        json={"name": "新快递员", "role": "courier", "station": "st-xihu"},
    ).json()["show"]
    assert made["value"].startswith("pg_") and "先把注册链接发给 新快递员（工号" in made["hint"]
    link = world.post(
        f"/console/admin/users/{world.staff['courier2']}/enrolment-link", csrf
    ).json()["show"]
    assert "/console/enrol#" in link["value"] and "不要转发到群里" in link["hint"]
    officer = world.post(
        "/console/admin/users", csrf, json={"name": "新安全员", "role": "security_officer"}
    ).json()["show"]
    assert "等待另一位安全专员批准" in officer["hint"]


def test_the_shown_once_box_is_hidden_until_a_secret_and_carries_a_copy_button(
    world: World,
) -> None:
    world.sign_in("admin")
    page = world.client.get("/console/admin").text
    box = page.split('id="pg-secret"')[1].split("</div>\n<section")[0]
    assert " hidden " in box and 'data-pg-copy="pg-secret-value"' in box and ">复制</button>" in box
    assert '<script src="/static/copy.js" defer></script>' in page
    css = world.client.get("/static/site.css").text
    assert "[hidden] { display: none !important; }" in css

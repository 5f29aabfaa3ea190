"""Attack: a member of staff who is not a security officer uses the audit search's new filters
(employee number, name, short id, waybill, event words, local dates) to learn who did what.
Every role but the security officer is turned away the same way whether or not anything
matches, and nothing of the log (rows, ids, employee numbers) reaches the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from parcelguard.access import service as access_service
from tests.console.conftest import World, world  # noqa: F401  (the console tenant)

ROW = 'class="pg-mono" title="'  # one per result row
TABLE = 'class="pg-audit'


def test_other_roles_learn_nothing_from_the_audit_search_filters(
    world: World,  # noqa: F811
    cli: Callable[..., Any],
) -> None:
    waybill = world.on_road[0]  # the first courier's: the second one pries
    assert cli(
        "reveal", waybill, "--field", "recipient.address", "--purpose", "delivery",
        "--api-key", world.keys["courier2"], "--json",
    ).code == 5  # fmt: skip
    courier = world.staff["courier2"]
    with world.rt.db.read_session() as session:
        person = access_service.get(session, world.rt.tenant, courier)
        assert person is not None
        employee_no = person.employee_no
    hits = [
        {"staff": employee_no},
        {"actor": courier[:10]},
        {"waybill": waybill},
        {"event": "查看完整信息"},
        {"from": "2000-01-01", "to": "2099-12-31"},
    ]
    misses = [
        {"staff": "nobody-0000"},
        {"actor": "0000000000"},
        {"waybill": "NOPE-0000"},
        {"event": "no such words"},
        {"from": "2099-01-01"},
    ]
    world.sign_in("security_officer")
    for params in hits:
        assert ROW in world.client.get("/console/security/audit", params=params).text, params
    for who in ("courier", "station_clerk", "customer_service", "admin", None):
        world.client.cookies.clear()
        if who is not None:
            world.sign_in(who)
        answers = set()
        for params in hits + misses:
            got = world.client.get("/console/security/audit", params=params, follow_redirects=False)
            assert got.status_code in (302, 303, 401, 403), (who, params, got.status_code)
            shown = got.text
            for typed in params.values():  # the language link echoes the caller's own query
                shown = shown.replace(quote(typed), "").replace(typed, "")
            assert TABLE not in shown and employee_no not in shown
            assert courier[:8] not in shown
            answers.add(got.status_code)
        assert len(answers) == 1, (who, answers)  # a hit and a miss look alike

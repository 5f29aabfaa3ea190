"""The security overview draws reveals per hour and alerts per rule; the SVG holds the numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from parcelguard.monitor import dashboard
from parcelguard.monitor import service as monitor
from parcelguard.web import charts
from tests.console.conftest import World
from tests.monitor.test_monitor_incidents import finding

RECT = re.compile(r'<rect class="pg-bar pg-bar-(\w+)"[^>]*data-label="([^"]*)" data-value="(\d+)"')


def _chart(page: str, chart_id: str) -> str:
    return page.split(f'id="{chart_id}"')[1].split("</svg>")[0]


def test_the_reveal_chart_counts_what_the_audit_log_holds(
    world: World, cli: Callable[..., Any]
) -> None:
    def reveal(waybill: str) -> int:
        args = ["reveal", waybill, "--field", "recipient.address", "--purpose", "delivery"]
        return int(cli(*args, "--api-key", world.keys["courier"], "--json").code)

    assert [reveal(w) for w in world.on_road] == [0, 0, 0]  # allowed: the courier's own
    assert [reveal(w) for w in world.others[:2]] == [5, 5]  # refused: another courier's
    world.sign_in("security_officer")
    page = world.client.get("/console/security").text
    drawn = _chart(page, "pg-chart-reveals")
    bars = RECT.findall(drawn)
    assert sum(int(v) for kind, _, v in bars if kind == "allow") == 3
    assert sum(int(v) for kind, _, v in bars if kind == "deny") == 2
    assert 'data-total="5"' in drawn and "共 5 次，其中被拒绝 2 次" in page
    assert (
        '<title id="pg-chart-reveals-title">近 24 小时查看完整信息次数（每小时）</title>' in drawn
    )
    table = page.split('id="pg-chart-reveals-table"')[1].split("</table>")[0]
    assert table.count('<tr><th scope="row">') == 24
    with world.rt.db.read_session() as session:
        hours = dashboard.reveals_per_hour(session, world.rt.tenant, world.rt.clock.now())
    assert sum(ok for _, ok, _ in hours) == 3 and sum(no for _, _, no in hours) == 2


def test_the_alert_chart_counts_alerts_per_rule_in_words(world: World) -> None:
    with world.rt.db.session() as session:
        monitor.record(world.rt, session, [finding(world.staff["courier"])])
        monitor.record(world.rt, session, [finding(world.staff["courier2"])])
        monitor.record(world.rt, session, [finding(world.staff["courier"], "after_hours")])
    with world.rt.db.read_session() as session:
        since = datetime(2000, 1, 1, tzinfo=UTC)
        expected = dashboard.alerts_per_rule(session, world.rt.tenant, since)
    world.sign_in("security_officer")
    page = world.client.get("/console/security").text
    bars = {label: int(v) for _, label, v in RECT.findall(_chart(page, "pg-chart-alerts"))}
    assert bars["访问未分配的包裹"] == expected["unassigned_access"] == 2
    assert sum(bars.values()) == sum(expected.values())
    assert "unassigned_access" not in _chart(page, "pg-chart-alerts")
    english = world.client.get("/console/security?lang=en").text
    assert "Alerts per rule, last 30 days" in english


def test_bar_heights_are_proportional_to_the_numbers() -> None:
    drawn = charts.columns([("a", (4, 0)), ("b", (2, 2)), ("c", (0, 0))], ("allow", "deny"))
    tall = {(s.label, s.kind): s.height for s in drawn.shapes}
    assert tall[("a", "allow")] == tall[("b", "allow")] * 2
    assert tall[("b", "allow")] == tall[("b", "deny")] and tall[("c", "allow")] == 0
    assert drawn.peak == 4 and drawn.total == 8
    across = charts.rows([("x", 1), ("y", 3)])
    assert [s.label for s in across.shapes] == ["y", "x"]
    assert abs(across.shapes[0].width - across.shapes[1].width * 3) < 0.05

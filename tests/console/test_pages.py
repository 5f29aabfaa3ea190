"""Every console page renders for its roles and refuses the others; home links per role."""

from __future__ import annotations

import re

import pytest

from tests.console.conftest import ROLES, World

PAGES = {
    "/console": ROLES,
    "/console/deliveries": ("courier",),
    "/console/station": ("station_clerk",),
    "/console/service": ("customer_service", "security_officer"),
    "/console/service/lookup": ("customer_service", "security_officer"),
    "/console/security": ("security_officer", "admin"),
    "/console/security/alerts": ("security_officer",),
    "/console/security/audit": ("security_officer",),
    "/console/security/leaks": ("security_officer",),
    "/console/security/canaries": ("security_officer",),
    "/console/security/keys": ("security_officer", "admin"),
    "/console/security/doctor": ("security_officer", "admin"),
    "/console/admin": ("admin",),
    "/console/admin/policy": ("admin", "security_officer"),
}
LINKS = {
    "courier": ["/console/deliveries"],
    "station_clerk": ["/console/station"],
    "customer_service": ["/console/service"],
    "security_officer": ["/console/security", "/console/service", "/console/admin/policy"],
    "admin": ["/console/admin", "/console/admin/policy"],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_page_opens_for_its_roles_and_refuses_the_others(world: World, role: str) -> None:
    world.sign_in(role)
    for path, allowed in PAGES.items():
        answer = world.client.get(path, follow_redirects=False)
        expected = 200 if role in allowed else 403
        assert answer.status_code == expected, (role, path, answer.status_code)
        assert "<script>" not in answer.text and " style=" not in answer.text
        if path.startswith("/console/s") and role in allowed:
            assert answer.headers["content-security-policy"].startswith("default-src 'self'")


def test_signed_out_browsers_go_to_the_sign_in_page(world: World) -> None:
    for path in PAGES:
        answer = world.client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/login"


@pytest.mark.parametrize("role", ROLES)
def test_home_links_to_the_roles_pages(world: World, role: str) -> None:
    world.sign_in(role)
    page = world.client.get("/console").text
    links = re.findall(r'<a class="button" href="([^"]+)"', page)
    assert links[: len(LINKS[role])] == LINKS[role]
    nav = page.split('class="pg-console-nav"')[1].split("</nav>")[0]
    assert all(f'href="{path}"' in nav for path in LINKS[role])


def test_pages_switch_to_english(world: World) -> None:
    world.sign_in("security_officer")
    page = world.client.get("/console/security?lang=en").text
    assert "Security centre" in page and "Open alerts" in page and 'lang="en"' in page
    assert "安全中心" not in page
    assert "Audit log search" in world.client.get("/console/security/audit").text  # cookie
    world.sign_in("station_clerk")
    assert "Station counter" in world.client.get("/console/station?lang=en").text


def test_the_forbidden_page_keeps_the_callers_own_menu(world: World) -> None:
    world.sign_in("courier")
    answer = world.client.get("/console/security")
    assert answer.status_code == 403 and "此页面不属于你的岗位" in answer.text
    assert 'href="/console/deliveries"' in answer.text

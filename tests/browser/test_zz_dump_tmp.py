import os
from tests.browser.test_page_walk import site, _context, AUTHENTICATOR  # noqa
from tests.browser import walk

def test_dump(site):
    role = os.environ.get("ROLE", "security_officer")
    paths = os.environ["PATHS"].split(",")
    page = _context(site).new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    page.goto(site.login(role)["enrol_url"])
    page.get_by_role("button", name="在这台设备上创建通行密钥").click()
    page.wait_for_url(f"{site.base_url}/console")
    if paths == ["all"]:
        paths = walk.discover(page, site.base_url, "/console")
    for p in paths:
        page.goto(site.base_url + p)
        name = walk.name_of(p)
        open(f"/tmp/i18walk_dump/{name}.html", "w").write(page.content())
        open(f"/tmp/i18walk_dump/{name}.txt", "w").write(page.inner_text("body"))

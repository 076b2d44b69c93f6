"""Pages work under the Content-Security-Policy: no violation is reported in the
browser, swagger-ui starts from our static files, and the page scripts that replaced
inline handlers still do their job."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from jamsos.web.tests.live_system import demo_logins
from tests.browser.test_smoke import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""
PAGES = ["/", "/usulan/", "/usulan/unggah/", "/usulan/orang/", "/registri/", "/api/docs"]


def test_pages_report_no_csp_violation_and_api_docs_start(page: Page, jamsos_system):
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    page.add_init_script(COLLECT)
    username, password, _ = demo_logins()["dinas_operator"]
    log_in(page, username, password)
    expect(page.get_by_test_id("whoami")).to_be_visible()

    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.status < 400, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__cspViolations") == [], path
        if path == "/api/docs":
            # swagger-ui rendered the API's title from /api/openapi.json
            expect(page.locator("#swagger-ui .info .title")).to_contain_text("Jamsos API")
    assert not [m for m in console if "Content Security Policy" in m], console


def test_the_template_link_takes_the_chosen_region_without_inline_handler(
    page: Page, jamsos_system
):
    username, password, _ = demo_logins()["dinas_operator"]
    log_in(page, username, password)
    page.goto("/usulan/unggah/")
    link = page.get_by_test_id("template-link")
    region = page.locator("#" + link.get_attribute("data-query-from"))
    chosen = region.locator("option").nth(1).get_attribute("value")
    region.select_option(chosen)
    with page.expect_download() as download:
        link.click()
    assert re.search(r"region=" + re.escape(chosen), download.value.url)

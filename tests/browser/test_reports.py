"""Reports end to end on the real system (gunicorn + task worker, demo data): the Bupati
opens the home page and sees the nagari map and the charts drawn (SVG paths present,
canvases with pixels, no CSP violation), taps a nagari to open its figures, and
downloads the monthly report the demo published."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from jamsos.web.tests.live_system import demo_logins
from tests.browser.test_csp import COLLECT
from tests.browser.test_smoke import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAINTED = """
(canvas) => {
  const ctx = canvas.getContext("2d");
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) painted++; }
  return painted;
}
"""


def test_bupati_sees_map_and_charts_taps_a_nagari_downloads_report(page: Page, jamsos_system):
    page.add_init_script(COLLECT)
    username, password, _ = demo_logins()["executive"]
    log_in(page, username, password)

    # Home: the map (62 nagari drawn as paths) and the charts (canvases painted).
    home_map = page.get_by_test_id("home-map")
    expect(home_map.locator("svg path")).to_have_count(62)
    expect(page.get_by_test_id("transparency-figures")).to_be_visible()
    canvases = page.locator("canvas[data-chart]")
    expect(canvases.first).to_have_attribute("data-drawn", "1")
    assert canvases.count() >= 2
    for index in range(canvases.count()):
        assert canvases.nth(index).evaluate(PAINTED) > 500, index
    assert page.evaluate("window.__cspViolations") == []
    # No person on the Bupati's home: no NIK-like number anywhere.
    assert not any(len(word) == 16 and word.isdigit() for word in page.content().split())

    # Tap a nagari on the map: its own report page opens.
    nagari = home_map.locator("svg a").first
    code = nagari.locator("path").get_attribute("data-code")
    nagari.click()
    expect(page).to_have_url(f"{jamsos_system.base_url}/laporan/wilayah/{code}/")
    expect(page.get_by_test_id("report-title")).to_be_visible()
    expect(page.get_by_test_id("coverage-line")).to_contain_text("06.02.021")

    # The kabupaten's report page: maps, charts, and the published monthly report.
    page.goto("/laporan/")
    expect(page.get_by_test_id("map-nagari").locator("svg path")).to_have_count(62)
    expect(page.get_by_test_id("map-kecamatan").locator("svg path")).to_have_count(8)
    expect(page.locator('canvas[data-chart="aktif"]')).to_have_attribute("data-drawn", "1")
    link = page.get_by_test_id("publication-download").filter(has_text="PDF").first
    with page.expect_download() as info:
        link.click()
    download = info.value
    path = download.path()
    assert path is not None
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"
    assert download.suggested_filename.startswith("jamsos-bulanan_bupati-")
    assert page.evaluate("window.__cspViolations") == []

"""The public portal on a phone, with no login (issue 14): a citizen reads how heirs
claim, checks a membership, and nominates a neighbour; the automated accessibility scan
(axe-core, vendored in tests/browser/vendor/axe-core) finds no serious or critical
WCAG 2.1 A/AA violation on any page visited.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jamsos.lib.nik import nik_build
from tests.browser.conftest import PHONE, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
NAGARI = "13.03.03.2001"
BORN = dt.date(1975, 8, 9)
NIK = nik_build("13.03.03", BORN, "P", 7402)
NAME = "Yusnimar Portal Uji"

MEMBER_SCRIPT = """
import datetime as dt, json
from jamsos.budget.models import FundingSource
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation, Person

village = Region.objects.get(pk="{village}")
source, _ = FundingSource.objects.get_or_create(
    region_id="13.03", name="APBD Sijunjung (uji portal)", defaults={{"kind": "apbd"}}
)
person, _ = Person.objects.get_or_create(
    nik="{nik}",
    defaults=dict(full_name="{name}", birth_date=dt.date({y}, {m}, {d}), sex="P",
                  village=village, occupation=Occupation.objects.get(code="petani")),
)
membership, _ = Membership.objects.get_or_create(
    person=person,
    defaults=dict(segment="bpu", programmes=["jkk", "jkm"], funding_source=source,
                  village=village, kpj_number="26074027402",
                  first_month=(Month.current() - 6).first_day(),
                  last_month=(Month.current() + 6).first_day(), status="active"),
)
print(json.dumps({{"membership": membership.pk}}))
"""

SCAN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def accessibility_problems(page: Page) -> list[dict]:
    page.evaluate(AXE)
    violations = page.evaluate(SCAN)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Page) -> None:
    problems = accessibility_problems(page)
    assert problems == [], json.dumps(problems, indent=1)
    # Fits the phone: nothing scrolls sideways (wide tables scroll inside their box).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def citizen(browser, jamsos_system):
    # bypass_csp: axe is injected into the page for the scan; the pages themselves run no
    # script (the CSP test covers the policy).
    context = browser.new_context(
        base_url=jamsos_system.base_url,
        locale="id-ID",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_citizen_reads_checks_and_nominates(citizen: Page, jamsos_system):
    made = jamsos_system.jamsos(
        "shell",
        "-c",
        MEMBER_SCRIPT.format(
            village=NAGARI, nik=NIK, name=NAME, y=BORN.year, m=BORN.month, d=BORN.day
        ),
    )
    assert json.loads(made.stdout.strip().splitlines()[-1])["membership"]
    page = citizen

    # --- reads the programme and how heirs claim ------------------------------------------
    page.goto("/program/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Klaim ahli waris").first.click()
    expect(page.get_by_test_id("claim-steps")).to_be_visible()
    expect(page.get_by_text("Akta kematian").first).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=screenshot_path("portal-heirs-360"), full_page=True)

    # --- the calculator -------------------------------------------------------------------
    page.goto("/program/hitung-manfaat/")
    page.get_by_label("Sakit atau sebab lain").check()
    page.get_by_label("Sudah berapa bulan").fill("24")
    page.get_by_role("button", name="Hitung").click()
    expect(page.get_by_test_id("calculator-result")).to_be_visible()
    assert_accessible(page)

    # --- checks a membership: a typo and a title are forgiven, only initials shown -------
    page.goto("/cek-kepesertaan/")
    assert_accessible(page)
    page.get_by_label("NIK").fill(NIK)
    page.get_by_label("Nama lengkap").fill("Hj. yusnimar portal uji")
    page.get_by_role("button", name="Cek").click()
    expect(page.get_by_test_id("lookup-answer")).to_be_visible()
    expect(page.get_by_test_id("masked-name")).to_have_text("Y*** P*** U***")
    assert NAME not in page.content() and NIK not in page.content()
    assert_accessible(page)
    page.screenshot(path=screenshot_path("portal-lookup-360"), full_page=True)
    # A wrong name: the uniform answer.
    page.get_by_label("NIK").fill(NIK)
    page.get_by_label("Nama lengkap").fill("Orang Lain Sama Sekali")
    page.get_by_role("button", name="Cek").click()
    expect(page.get_by_test_id("lookup-not-found")).to_be_visible()

    # --- nominates a neighbour -------------------------------------------------------------
    page.goto("/daftarkan-diri/")
    assert_accessible(page)
    page.get_by_label("Nama", exact=True).fill("Tetangga Portal Uji")
    page.get_by_label("Nagari/desa tempat tinggal").select_option(NAGARI)
    page.get_by_label("Pekerjaan", exact=True).fill("Penyadap karet")
    page.get_by_label("Nomor HP/WhatsApp").fill("0813 7000 1122")
    page.get_by_label("Saya mendaftarkan orang lain").check()
    page.get_by_label("Saya setuju").check()
    page.wait_for_timeout(3_500)  # a person takes longer than the minimum fill time
    page.get_by_role("button", name="Kirim").click()
    expect(page.get_by_test_id("lead-thanks")).to_be_visible()
    assert_accessible(page)

    count = jamsos_system.jamsos(
        "shell",
        "-c",
        "from jamsos.portal.models import Lead; print(Lead.objects.filter("
        f"full_name='Tetangga Portal Uji', village_id='{NAGARI}').count())",
    )
    assert count.stdout.strip().splitlines()[-1] == "1"


def test_transparency_pages_are_accessible(citizen: Page):
    for path in ("/transparansi/", "/transparansi/cakupan/", "/transparansi/data-terbuka/",
                 "/privasi/", "/program/cara-daftar/", "/program/manfaat/"):  # fmt: skip
        citizen.goto(path)
        expect(citizen.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(citizen)

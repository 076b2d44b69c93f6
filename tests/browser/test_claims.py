"""A JKM claim end to end on the real system (gunicorn + worker, demo data):

the agent reports a member's death from a 360×740 phone and uploads the heirs' documents;
the Dinas operator checks the file and prepares the submission; the Dinas head approves it
and prints the letter; the BPJS officer reviews, approves and records the payout. The
membership the claim needs is made in the system's own database through ``jamsos shell``
(the enrollment app makes memberships in real use), with names no other test uses.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from jamsos.lib.nik import nik_build
from jamsos.web.tests.live_system import demo_logins
from tests.browser.conftest import DESKTOP, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AGENT_NAGARI = "13.03.03.2001"
BORN = dt.date(1968, 4, 17)
NIK = nik_build("13.03.03", BORN, "L", 7301)
NAME = "Bujang Klaim Uji"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

MEMBERSHIP_SCRIPT = """
import datetime as dt, json
from jamsos.budget.models import FundingSource
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation, Person

village = Region.objects.get(pk="{village}")
source, _ = FundingSource.objects.get_or_create(
    region_id="13.03", name="APBD Sijunjung (uji klaim)", defaults={{"kind": "apbd"}}
)
person, _ = Person.objects.get_or_create(
    nik="{nik}",
    defaults=dict(full_name="{name}", birth_date=dt.date({y}, {m}, {d}), sex="L",
                  village=village, occupation=Occupation.objects.get(code="petani")),
)
first = Month.current() - 12
membership, _ = Membership.objects.get_or_create(
    person=person,
    defaults=dict(segment="bpu", programmes=["jkk", "jkm"], funding_source=source,
                  village=village, kpj_number="{kpj}", first_month=first.first_day(),
                  last_month=(Month.current() + 6).first_day(), status="active"),
)
print(json.dumps({{"membership": membership.pk}}))
"""


def log_in(page: Page, role: str) -> None:
    username, password, _name = demo_logins()[role]
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk/"))


def desktop_page(browser: Browser, system) -> Page:
    context = browser.new_context(base_url=system.base_url, locale="id-ID", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def click_action(page: Page, name: str) -> None:
    page.get_by_test_id(f"action-{name}").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_jkm_claim_from_report_to_payout(phone_page: Page, browser, jamsos_system):
    script = MEMBERSHIP_SCRIPT.format(
        village=AGENT_NAGARI,
        nik=NIK,
        name=NAME,
        y=BORN.year,
        m=BORN.month,
        d=BORN.day,
        kpj="26073017301",
    )
    made = jamsos_system.jamsos("shell", "-c", script)
    assert json.loads(made.stdout.strip().splitlines()[-1])["membership"]
    event = dt.date.today() - dt.timedelta(days=2)

    # --- the agent reports the death from a phone -------------------------------------------
    agent = phone_page
    log_in(agent, "agent")
    agent.goto("/klaim/lapor/")
    agent.locator("#id_identifier").fill(NIK)
    expect(agent.get_by_test_id("membership-found")).to_contain_text(NAME)  # htmx look-up
    agent.locator("#id_claim_type").select_option("jkm")
    agent.locator("#id_event_date").fill(event.isoformat())
    agent.locator("#id_chronology").fill("Meninggal di rumah karena sakit jantung.")
    agent.locator("#id_reporter_contact").fill("Rosnida, 081277003344")
    agent.locator("#id_heir_name").fill("Rosnida")
    agent.locator("#id_heir_relationship").select_option("spouse")
    agent.locator("#id_heir_bank").fill("Bank Nagari")
    agent.locator("#id_heir_account").fill("7012345678")
    assert agent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    agent.screenshot(path=screenshot_path("claims-report-form-360"), full_page=True)
    agent.get_by_test_id("submit-report").click()
    expect(agent.get_by_test_id("claim-status")).to_have_text("Dilaporkan")
    claim_url = re.sub(r"^https?://[^/]+", "", agent.url)
    assert re.fullmatch(r"/klaim/\d+/", claim_url)
    expect(agent.get_by_test_id("heir-account")).to_have_text("******5678")

    # Upload every required document (the spouse makes the marriage book required).
    progress = agent.get_by_test_id("documents-progress")
    expect(progress).to_have_text("0 dari 8 dokumen wajib")
    items = agent.locator("[data-testid^='doc-']:has(.badge)")
    codes = [items.nth(i).get_attribute("data-testid") for i in range(items.count())]
    assert len(codes) == 8
    for code in codes:
        item = agent.get_by_test_id(code)
        item.locator("input[type=file]").set_input_files(
            files=[{"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        item.get_by_role("button", name="Unggah").click()
        expect(agent.get_by_test_id(code).get_by_test_id("doc-link")).to_be_visible()
    expect(progress).to_have_text("8 dari 8 dokumen wajib")
    assert agent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    agent.screenshot(path=screenshot_path("claims-documents-360"), full_page=True)
    # A renamed program is refused with a clear message.
    first = agent.get_by_test_id(codes[0])
    first.locator("input[type=file]").set_input_files(
        files=[{"name": "akta.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00"}]
    )
    first.get_by_role("button", name="Unggah").click()
    expect(agent.locator(".alert-danger")).to_contain_text("bukan PDF yang sah")

    # --- the Dinas operator checks the file and prepares the submission --------------------
    operator = desktop_page(browser, jamsos_system)
    log_in(operator, "dinas_operator")
    operator.goto(claim_url)
    click_action(operator, "lengkap")
    expect(operator.get_by_test_id("claim-status")).to_have_text("Berkas lengkap")
    click_action(operator, "siapkan")
    expect(operator.get_by_test_id("estimate-total")).to_have_text("Rp 42.000.000")
    expect(operator.get_by_test_id("action-setujui")).to_have_count(0)  # maker ≠ checker

    # --- the Dinas head approves and prints the letter -------------------------------------
    head = desktop_page(browser, jamsos_system)
    log_in(head, "dinas_head")
    head.goto(claim_url)
    click_action(head, "setujui")
    expect(head.get_by_test_id("claim-status")).to_have_text("Diajukan ke BPJS")
    letter = head.request.get(head.get_by_test_id("claim-letter").get_attribute("href"))
    assert letter.ok
    assert letter.headers["content-type"] == "application/pdf"
    assert letter.body().startswith(b"%PDF")
    expect(head.get_by_test_id("clock-running")).to_contain_text("BPJS")

    # --- BPJS reviews, approves and pays ---------------------------------------------------
    bpjs = desktop_page(browser, jamsos_system)
    log_in(bpjs, "bpjs_officer")
    bpjs.goto(claim_url)
    click_action(bpjs, "periksa")
    click_action(bpjs, "terima")
    expect(bpjs.get_by_test_id("claim-status")).to_have_text("Disetujui BPJS")
    payout = bpjs.get_by_test_id("payout-form")
    # The payee (an heir, for a death) and the method are chosen, never preselected.
    payout.locator("#id_payee").select_option(index=1)
    payout.locator("#id_method").select_option("transfer")
    payout.locator("#id_reference").fill("TRF-UJI-0001")
    click_action(bpjs, "bayar")
    expect(bpjs.get_by_test_id("claim-status")).to_have_text("Dibayar")
    expect(bpjs.get_by_test_id("payout")).to_contain_text("Rp 42.000.000")
    expect(bpjs.get_by_test_id("payout")).to_contain_text("TRF-UJI-0001")
    expect(bpjs.get_by_test_id("payout")).to_contain_text("Transfer bank")
    expect(bpjs.get_by_test_id("heir-account")).to_have_text("7012345678")  # BPJS sees it
    bpjs.screenshot(path=screenshot_path("claims-paid"), full_page=True)

    # --- the agent sees the outcome; DPRD sees totals only ------------------------------------
    agent.goto(claim_url)
    expect(agent.get_by_test_id("claim-status")).to_have_text("Dibayar")
    dprd = desktop_page(browser, jamsos_system)
    log_in(dprd, "dprd")
    dprd.goto("/klaim/")
    expect(dprd).to_have_url(re.compile(r"/klaim/dasbor/$"))
    expect(dprd.get_by_test_id("by-type")).to_be_visible()
    assert NAME not in dprd.content()
    assert dprd.request.get(claim_url).status == 403

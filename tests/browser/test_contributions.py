"""Contributions end to end on the real system (gunicorn + task worker, demo data):

the Dinas operator runs a month's bills for one funding source; the BPJS officer issues
the bill; the operator records the treasury's SP2D (overpaying a little, so credit is
shown); the DPRD member sees the month on the transparency page (totals only, on a
phone) and downloads it as Excel.

The test makes its own funding source, persons and memberships (2024, a year the demo
does not bill) so that other browser tests and the demo's own bills do not matter.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from jamsos.web.tests.live_system import demo_logins
from tests.browser.conftest import DESKTOP, PHONE, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SOURCE = "CSR PT Uji Peramban Iuran"
MEMBERS = 3

SETUP = f"""
import datetime as dt
from jamsos.budget.models import FundingSource
from jamsos.enrollment.models import Membership
from jamsos.lib.nik import nik_build
from jamsos.registry.models import Occupation, Person
source, _ = FundingSource.objects.get_or_create(
    region_id="13.03", name="{SOURCE}", defaults={{"kind": "csr", "company": "PT Uji Peramban"}}
)
occupation = Occupation.objects.order_by("code").first()
for serial in range(9601, 9601 + {MEMBERS}):
    born = dt.date(1975, 4, serial - 9590)
    person, _ = Person.objects.get_or_create(
        nik=nik_build("13.03.03", born, "L", serial),
        defaults={{"full_name": f"Peserta Iuran {{serial}}", "birth_date": born, "sex": "L",
                  "village_id": "13.03.03.2001", "occupation": occupation}},
    )
    Membership.objects.get_or_create(
        person=person, funding_source=source,
        defaults={{"segment": "bpu", "programmes": ["jkk", "jkm"], "village_id": "13.03.03.2001",
                  "kpj_number": f"24{{serial:09d}}", "first_month": dt.date(2024, 7, 1),
                  "last_month": dt.date(2024, 12, 1), "status": "active"}},
    )
print(source.pk)
"""


def log_in(browser: Browser, system, role: str, viewport=DESKTOP) -> Page:
    context = browser.new_context(base_url=system.base_url, locale="id-ID", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    username, password, _name = demo_logins()[role]
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk/"))
    return page


def open_menu(page: Page, label: str, section: str = "Program") -> None:
    """Follow a menu entry, opening the phone menu and its navbar section if need be."""
    item = page.get_by_role("link", name=label, exact=True)
    if not item.is_visible():
        toggler = page.get_by_test_id("nav-toggler")
        if toggler.is_visible():
            toggler.click()
        sections = page.get_by_test_id("nav-section").filter(has_text=section)
        if sections.count():
            sections.first.click()
    item.click()


def test_run_bills_record_payment_see_transparency(browser, jamsos_system):
    source_id = jamsos_system.jamsos("shell", "-c", SETUP).stdout.strip().splitlines()[-1]

    # 1. The operator runs July 2024 for the test's funding source.
    operator = log_in(browser, jamsos_system, "dinas_operator")
    open_menu(operator, "Iuran")
    run = operator.get_by_test_id("run-billing")
    if run.get_attribute("open") is None:
        run.locator("summary").click()
    form = operator.get_by_test_id("run-billing-form")
    form.get_by_label("Bulan tagihan").fill("2024-07")
    form.get_by_label("Sumber dana").select_option(source_id)
    form.get_by_test_id("run-billing-submit").click()
    expect(operator.get_by_role("alert")).to_contain_text("1 tagihan baru")
    expect(operator.get_by_role("alert")).to_contain_text(f"{MEMBERS} peserta")
    bill_link = operator.get_by_test_id("bill-table").get_by_role(
        "link", name=f"IUR/1303/202407/{source_id}", exact=True
    )
    bill_url = bill_link.get_attribute("href")
    bill_link.click()
    expect(operator.get_by_test_id("bill-status")).to_have_text("Draf")
    expect(operator.get_by_test_id("bill-total")).to_have_text("Rp 50.400")
    expect(operator.get_by_test_id("issue-bill")).to_have_count(0)  # BPJS issues bills
    expect(operator.get_by_test_id("line-table").locator("tbody tr")).to_have_count(MEMBERS)
    # Running the same month again adds nothing.
    operator.goto("/iuran/")
    run = operator.get_by_test_id("run-billing")
    if run.get_attribute("open") is None:
        run.locator("summary").click()
    operator.get_by_test_id("run-billing-form").get_by_label("Bulan tagihan").fill("2024-07")
    operator.get_by_test_id("run-billing-form").get_by_label("Sumber dana").select_option(source_id)
    operator.get_by_test_id("run-billing-submit").click()
    expect(operator.get_by_role("alert")).to_contain_text("0 tagihan baru")

    # 2. BPJS issues it.
    bpjs = log_in(browser, jamsos_system, "bpjs_officer")
    bpjs.goto(bill_url)
    bpjs.get_by_test_id("issue-bill").click()
    expect(bpjs.get_by_test_id("bill-status")).to_have_text("Diterbitkan")
    expect(bpjs.get_by_test_id("record-payment")).to_have_count(0)  # the Dinas records SP2D

    # 3. The operator records the SP2D, Rp 1,000 over: the excess becomes credit.
    operator.goto(bill_url)
    operator.get_by_test_id("record-payment").click()
    payment = operator.get_by_test_id("payment-form")
    payment.get_by_label("Nomor SP2D").fill("900/0724/SP2D-LS/UJI/2024")
    payment.get_by_label("Tanggal SP2D").fill("2024-07-25")
    payment.get_by_label("Jumlah (Rp)").fill("Rp 51.400")
    payment.get_by_test_id("payment-submit").click()
    expect(operator.get_by_role("alert")).to_contain_text("Kelebihan Rp 1.000 menjadi kredit")
    expect(operator.get_by_test_id("bill-status")).to_have_text("Lunas")
    expect(operator.get_by_test_id("bill-due")).to_have_text("Rp 0")
    expect(operator.get_by_test_id("payment-table")).to_contain_text("900/0724/SP2D-LS/UJI/2024")
    operator.screenshot(path=screenshot_path("contributions-bill-paid"), full_page=True)

    # 4. DPRD, on a phone: the transparency page for 2024 shows the month, no persons.
    dprd = log_in(browser, jamsos_system, "dprd", viewport=PHONE)
    open_menu(dprd, "Iuran")  # DPRD: straight to the totals
    expect(dprd).to_have_url(re.compile(r"/iuran/transparansi/$"))
    dprd.get_by_test_id("transparency-form").get_by_label("Tahun").fill("2024")
    dprd.get_by_test_id("transparency-form").get_by_role("button", name="Tampilkan").click()
    expect(dprd.get_by_role("heading", level=1)).to_contain_text("Kabupaten Sijunjung 2024")
    row = (
        dprd.get_by_test_id("transparency-row").filter(has_text=SOURCE).filter(has_text="Juli 2024")
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rp 50.400")  # payable and paid
    expect(row.locator("td").nth(2)).to_have_text(str(MEMBERS))  # registered
    expect(row.locator("td").nth(5)).to_have_text("Rp 0")  # nothing unpaid
    expect(dprd.locator("body")).not_to_contain_text("Peserta Iuran 9601")
    dprd.screenshot(path=screenshot_path("contributions-transparency-phone"), full_page=True)
    with dprd.expect_download() as download:
        dprd.get_by_test_id("transparency-export").click()
    assert download.value.suggested_filename == "transparansi-iuran-13.03-2024.xlsx"

"""Budget to active coverage on the real system (gunicorn + task worker, demo data):

the Dinas operator opens the year (creating it if the demo has not), makes a pagu, the
head approves it; the operator adds a phase from this month and reserves 3 persons,
drafts the SK from the reservation; the head approves, the operator records its number
and date and downloads the PDF; the BPJS officer exports the registration file, fills in
the answers and imports it; the memberships are active and the card prints as a PDF.

The test makes its own persons (NIK serials 97xx, names "Uji Peramban SK …") and its own
pagu, so other browser tests and the demo's data do not matter.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets

import pytest
import xlsxwriter
from playwright.sync_api import Browser, Page, expect
from python_calamine import CalamineWorkbook

from jamsos.web.tests.live_system import demo_logins
from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TODAY = dt.date.today()
YEAR = TODAY.year
MONTHS_LEFT = 12 - TODAY.month + 1
TAG = secrets.token_hex(2)
PAGU_NAME = f"Pagu uji peramban SK {TAG}"
PERSONS = 3

SETUP = f"""
import datetime as dt
from jamsos.lib.nik import nik_build
from jamsos.registry.models import Occupation, Person
occupation = Occupation.objects.order_by("code").first()
niks = []
for serial in range(9701, 9701 + {PERSONS}):
    born = dt.date(1981, 5, serial - 9690)
    nik = nik_build("13.03.03", born, "P", serial)
    Person.objects.get_or_create(
        nik=nik,
        defaults={{"full_name": f"Uji Peramban SK {{serial}}", "birth_date": born, "sex": "P",
                  "village_id": "13.03.03.2001", "occupation": occupation}},
    )
    niks.append(nik)
print(" ".join(niks))
"""


def log_in(browser: Browser, system, role: str) -> Page:
    context = browser.new_context(base_url=system.base_url, locale="id-ID", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(20_000)
    username, password, _name = demo_logins()[role]
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    return page


def open_year(page: Page) -> str:
    """The year page of this year: created through the form unless the demo made it."""
    page.goto("/anggaran/")
    link = page.get_by_test_id("year-table").get_by_role("link", name=f"TA {YEAR}")
    if link.count() == 0:
        form = page.get_by_test_id("year-form")
        form.get_by_label("Tahun").fill(str(YEAR))
        form.get_by_role("button", name="Buat").click()
    else:
        link.first.click()
    expect(page.get_by_test_id("year-totals")).to_be_visible()
    return page.url


def answered(export: bytes, niks: list[str]) -> bytes:
    """The exported sheet as the branch returns it: every person accepted from this month."""
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(export))
        .get_sheet_by_name("Pendaftaran")
        .to_python()
    )
    assert rows[0][22:26] == ["STATUS", "NO KPJ", "TGL MULAI KEPESERTAAN", "ALASAN PENOLAKAN"]
    mine = [row for row in rows[1:] if row[2] in niks]
    assert len(mine) == PERSONS
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("Hasil")
    for c, header in enumerate(rows[0]):
        sheet.write_string(0, c, str(header))
    for r, row in enumerate(mine, start=1):
        values = [str(v) for v in row]
        values[22:26] = [
            "DITERIMA",
            f"97{row[2][-9:]}",
            TODAY.replace(day=1).strftime("%d-%m-%Y"),
            "",
        ]
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    return output.getvalue()


def test_year_pagu_phase_reserve_decree_bpjs_memberships(browser: Browser, jamsos_system):
    niks = jamsos_system.jamsos("shell", "-c", SETUP).stdout.split()[-PERSONS:]

    # Operator: year, pagu.
    operator = log_in(browser, jamsos_system, "dinas_operator")
    year_url = open_year(operator)
    operator.get_by_test_id("add-allocation").click()
    form = operator.get_by_test_id("allocation-form")
    form.get_by_label("Sumber dana").select_option(label="APBD Kabupaten Sijunjung")
    form.get_by_label("Nama pagu").fill(PAGU_NAME)
    form.get_by_label("Pagu (Rp)").fill("Rp 10.000.000")
    form.get_by_role("button", name="Simpan").click()
    expect(operator.get_by_test_id("allocation-status")).to_have_text("Draf")
    pagu_url = operator.url

    # Head: approves the pagu.
    head = log_in(browser, jamsos_system, "dinas_head")
    head.goto(pagu_url)
    head.get_by_test_id("approve-allocation").click()
    expect(head.get_by_test_id("allocation-status")).to_have_text("Ditetapkan")

    # Operator: a phase from this month to December, then a reservation of 3 persons.
    operator.goto(year_url.rstrip("/") + "/tahap/")
    phase = operator.get_by_test_id("phase-form")
    phase.get_by_label("Nama").fill(f"Tahap uji {TAG}")
    phase.get_by_label("Mulai bulan").fill(f"{YEAR}-{TODAY.month:02d}")
    phase.get_by_label("Lama (bulan)").fill(str(MONTHS_LEFT))
    phase.get_by_label("Pagu").select_option(label=PAGU_NAME)
    phase.get_by_role("button", name="Simpan").click()
    expect(operator.get_by_test_id("phase-table")).to_contain_text(f"Tahap uji {TAG}")
    operator.goto(pagu_url)
    reserve = operator.get_by_test_id("reserve-form")
    reserve.get_by_label("Jumlah orang").fill(str(PERSONS))
    reserve.get_by_label("Tahap").select_option(label=f"Tahap uji {TAG} (TA {YEAR})")
    reserve.get_by_role("button", name="Reservasi").click()
    expect(operator.get_by_test_id("reservation-table")).to_contain_text(f"Tahap uji {TAG}")

    # Operator: the SK from that reservation, naming the test's persons by NIK.
    operator.goto("/kepesertaan/sk/baru/")
    option = operator.locator("#id_reservation option", has_text=PAGU_NAME)
    operator.locator("#id_reservation").select_option(option.get_attribute("value"))
    operator.get_by_label("Daftar NIK").check()
    operator.get_by_label("NIK penerima").fill("\n".join(niks))
    operator.get_by_test_id("decree-submit").click()
    expect(operator.get_by_test_id("decree-status")).to_have_text("Draf")
    expect(operator.get_by_test_id("count-persons")).to_have_text(str(PERSONS))
    decree_url = operator.url
    expect(operator.get_by_test_id("decree-approve")).to_have_count(0)  # maker-checker

    # Head: approves the SK.
    head.goto(decree_url)
    head.get_by_test_id("decree-approve").click()
    expect(head.get_by_test_id("decree-status")).to_have_text("Disetujui kepala dinas")

    # Operator: records the number and date; the PDF downloads.
    operator.goto(decree_url)
    number = f"188.45/{TAG}/KPTS-BPT-{YEAR}"
    issue = operator.get_by_test_id("issue-form")
    issue.get_by_label("Nomor SK").fill(number)
    issue.get_by_label("Tanggal penetapan").fill(TODAY.isoformat())
    operator.get_by_test_id("decree-issue").click()
    expect(operator.get_by_test_id("decree-status")).to_have_text("Ditetapkan")
    expect(operator.get_by_test_id("decree-number")).to_have_text(number)
    with operator.expect_download() as download:
        operator.get_by_test_id("download-official").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")

    # BPJS: export, answer, import.
    bpjs = log_in(browser, jamsos_system, "bpjs_officer")
    bpjs.goto(decree_url)
    with bpjs.expect_download() as download:
        bpjs.get_by_test_id("bpjs-export-xlsx").click()
    result = answered(download.value.path().read_bytes(), niks)
    bpjs.get_by_label("Berkas hasil dari BPJS (.xlsx atau .csv)").set_input_files(
        {"name": "hasil-kc-solok.xlsx", "mimeType": "application/octet-stream", "buffer": result}
    )
    bpjs.get_by_test_id("bpjs-import").click()
    expect(bpjs.get_by_role("alert").filter(has_text="Hasil BPJS diimpor")).to_contain_text(
        f"{PERSONS} diterima"
    )
    expect(bpjs.get_by_test_id("count-accepted")).to_have_text(str(PERSONS))

    # Memberships are active this month; the card is a PDF.
    operator.goto("/kepesertaan/peserta/?q=Uji+Peramban+SK")
    statuses = operator.get_by_test_id("membership-status")
    expect(statuses).to_have_count(PERSONS)
    expect(statuses.first).to_have_text("Aktif")
    operator.get_by_test_id("membership-table").get_by_role("link").first.click()
    card_url = operator.get_by_test_id("card-link").get_attribute("href")
    card = operator.request.get(card_url)
    assert card.ok and card.headers["content-type"] == "application/pdf"
    assert card.body().startswith(b"%PDF")

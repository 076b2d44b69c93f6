"""Collaboration end to end on the real system (gunicorn + task worker, demo data):

the Dinas operator records a meeting of the forum (today) with BPJS's attendance and a
decision, and assigns an action item to BPJS due today; the scorecard's CP-5 ("tindak
lanjut selesai tepat waktu") gains one due item. The BPJS officer finds the item among its
agency's, marks it done with an evidence file; the scorecard's CP-5 gains one on-time
item. The Bupati opens "Rapor kolaborasi" from the menu and reads the same figure, and
DPRD-level readers get no form to change anything.

Counts are read before and after rather than fixed, so the test holds on a system where
other tests (or an earlier run) recorded items of their own.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from jamsos.web.tests.live_system import demo_logins
from tests.browser.conftest import DESKTOP, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FORUM = "Forum Komunikasi Program Jamsos Pekerja Rentan Kabupaten Sijunjung"
BPJS = "BPJS Ketenagakerjaan Kantor Cabang Solok"
DINAS = "Disnakertrans Kabupaten Sijunjung"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(browser: Browser, system, role: str) -> Page:
    context = browser.new_context(base_url=system.base_url, locale="id-ID", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(20_000)
    username, password, _name = demo_logins()[role]
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk/"))
    return page


def open_menu(page: Page, label: str) -> None:
    item = page.get_by_role("link", name=label, exact=True)
    if not item.is_visible():
        sections = page.get_by_test_id("nav-section").filter(has_text="Kolaborasi")
        if sections.count():
            sections.first.click()
    item.click()


def cp5(page: Page) -> tuple[int, int]:
    text = page.get_by_test_id("kn-CP-5").inner_text()
    match = re.match(r"(\d+) dari (\d+)", text)
    assert match, text
    return int(match[1]), int(match[2])


def test_meeting_item_done_by_bpjs_moves_scorecard_bupati_reads(browser, jamsos_system):
    # The server counts days in Asia/Jakarta (settings.TIME_ZONE), not the runner's zone.
    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    title = f"Rakor uji peramban {uuid.uuid4().hex[:6]}"
    item_title = f"Kirim jadwal sosialisasi ({title})"

    # 0. The scorecard before.
    operator = log_in(browser, jamsos_system, "dinas_operator")
    open_menu(operator, "Rapor kolaborasi")
    k0, n0 = cp5(operator)

    # 1. The operator records a meeting with attendance, a decision and an action item.
    open_menu(operator, "Forum komunikasi")
    operator.get_by_test_id("forum-list").get_by_role("link", name=FORUM).click()
    form = operator.get_by_test_id("meeting-form")
    form.get_by_label("Jenis rapat").select_option(label="Rapat koordinasi")
    form.get_by_label("Cara rapat").select_option(label="Tatap muka")
    form.get_by_label("Acara").fill(title)
    form.get_by_label("Waktu").fill(f"{today.isoformat()}T09:00")
    form.get_by_label("Tempat atau tautan").fill("Aula Disnakertrans")
    form.get_by_label("Pengundang").select_option(label=DINAS)
    form.get_by_test_id("meeting-submit").click()
    expect(operator.get_by_test_id("meeting-title")).to_have_text(title)

    attendance = operator.get_by_test_id("attendance-form")
    attendance.get_by_label("Instansi").select_option(label=BPJS)
    attendance.get_by_label("Tingkat").select_option(label="Pimpinan")
    attendance.get_by_label("Jumlah orang").fill("2")
    attendance.get_by_test_id("attendance-submit").click()
    expect(operator.get_by_test_id("attendance-table")).to_contain_text(BPJS)

    decision = operator.get_by_test_id("decision-form")
    decision.get_by_label("Keputusan").fill("Sosialisasi berkala di setiap nagari")
    decision.get_by_label("Cara memutuskan").select_option(label="Konsensus")
    decision.get_by_label("Diusulkan oleh").select_option(label=BPJS)
    decision.get_by_test_id("decision-submit").click()
    expect(operator.get_by_test_id("decision-list")).to_contain_text("Sosialisasi berkala")

    item = operator.get_by_test_id("item-form")
    item.get_by_label("Tindak lanjut").fill(item_title)
    item.get_by_label("Instansi penanggung jawab").select_option(label=BPJS)
    item.get_by_label("Tenggat").fill(today.isoformat())
    item.get_by_label("Dari keputusan").select_option(index=1)
    item.get_by_test_id("item-submit").click()
    expect(operator.get_by_test_id("item-list")).to_contain_text(item_title)
    operator.screenshot(path=screenshot_path("collaboration-meeting"), full_page=True)

    # The item is due today and open: one more due, none more on time.
    open_menu(operator, "Rapor kolaborasi")
    assert cp5(operator) == (k0, n0 + 1)

    # 2. BPJS marks its item done with an evidence file; the Dinas could not have.
    bpjs = log_in(browser, jamsos_system, "bpjs_officer")
    bpjs.goto("/forum/tindak-lanjut/?milik=saya&status=open")
    bpjs.get_by_test_id("item-table").get_by_role("link", name=item_title).click()
    done = bpjs.get_by_test_id("complete-form")
    done.get_by_label("Berkas bukti").set_input_files(
        {"name": "jadwal-sosialisasi.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    done.get_by_label("Keterangan").fill("Jadwal terlampir")
    done.get_by_test_id("complete-submit").click()
    expect(bpjs.get_by_test_id("item-status")).to_contain_text("Selesai")
    expect(bpjs.get_by_test_id("item-status")).to_contain_text("tepat waktu")
    expect(bpjs.get_by_test_id("item-evidence")).to_contain_text("jadwal-sosialisasi.pdf")

    # 3. The Bupati reads the scorecard: the item counts as done on time.
    bupati = log_in(browser, jamsos_system, "executive")
    open_menu(bupati, "Rapor kolaborasi")
    expect(bupati.get_by_role("heading", level=1)).to_contain_text("Rapor kolaborasi")
    assert cp5(bupati) == (k0 + 1, n0 + 1)
    expect(bupati.get_by_test_id("snapshot-draft")).to_have_count(0)  # reads only
    expect(bupati.get_by_test_id("clocks")).to_be_visible()
    bupati.screenshot(path=screenshot_path("collaboration-scorecard-bupati"), full_page=True)
    # The Bupati reads minutes too, and is offered no form to change them.
    bupati.goto("/forum/")
    bupati.get_by_role("link", name=title).click()
    expect(bupati.get_by_test_id("attendance-table")).to_contain_text(BPJS)
    expect(bupati.get_by_test_id("attendance-form")).to_have_count(0)

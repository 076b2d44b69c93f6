"""Intake end to end on the real system (gunicorn + task worker, demo data):

an agent proposes one person from a 360×740 phone; an operator uploads an Excel file with
a possible-duplicate pair and a bad row, watches validation to completion, resolves the
duplicates and submits both batches; the head approves; the registry grows.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from jamsos.lib.nik import nik_build
from jamsos.web.tests.live_system import demo_logins
from tests.browser.conftest import DESKTOP, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AGENT_NAGARI = "13.03.03.2001"  # Nagari Timbulun, Kecamatan Tanjung Gadang (demo agent)
KECAMATAN = "13.03.03"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WAIT_VALIDATION_MS = 90_000

AGENT_PERSON = {
    "nik": nik_build(KECAMATAN, dt.date(1979, 11, 23), "L", 8811),
    "full_name": "Yusrizal Tanjung",
    "birth_place": "Sijunjung",
    "birth_date": "1979-11-23",
    "sex": "L",
    "mother_name": "Rosmaniar",
    "address": "Jorong Koto Baru",
    "occupation": "petani",
    "phone": "081277001122",
}


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


def person_count(page: Page) -> int:
    page.goto("/registri/")
    text = page.get_by_test_id("person-count").inner_text()
    return int(re.sub(r"\D", "", text))


def proposal_xlsx() -> bytes:
    """A Camat office's list: title lines, then a header in their own words; a pair of
    near-identical names with one birth date (possible duplicate), a bad NIK, one more."""
    import openpyxl

    born = dt.date(1982, 2, 14)
    rows = [
        (nik_build(KECAMATAN, born, "L", 8801), "Rahmat Hidayat", "14-02-1982", "L"),
        (nik_build(KECAMATAN, born, "L", 8802), "Rahmad Hidayat", "14-02-1982", "L"),
        ("13030312345", "Budi Salah Ketik", "01-01-1980", "L"),
        (
            nik_build(KECAMATAN, dt.date(1990, 7, 8), "P", 8803),
            "Nurhayati Syamsul",
            "08-07-1990",
            "P",
        ),
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DAFTAR USULAN PESERTA BPJS KETENAGAKERJAAN"])
    sheet.append(["Kecamatan Tanjung Gadang"])
    sheet.append([])
    sheet.append(
        [
            "No",
            "No KTP",
            "Nama",
            "Tgl Lahir",
            "JK",
            "Nama Ibu Kandung",
            "Alamat",
            "Nagari",
            "Kecamatan",
            "Pekerjaan",
            "No HP",
        ]
    )
    for number, (nik, name, born_text, sex) in enumerate(rows, start=1):
        sheet.append(
            [
                number,
                nik,
                name,
                born_text,
                sex,
                "Ibu Uji",
                "Jorong Uji",
                "Timbulun",
                "Tanjung Gadang",
                "Petani",
                "081200000000",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_intake_from_phone_form_and_upload_to_registry(phone_page: Page, browser, jamsos_system):
    # --- the agent, on a phone -----------------------------------------------------------
    agent = phone_page
    log_in(agent, "agent")
    agent.goto("/usulan/orang/")
    form = agent.get_by_test_id("person-form")
    expect(form).to_be_visible()
    agent.locator("#id_nik").fill("1303")
    expect(agent.get_by_test_id("issues-nik")).to_contain_text("16")  # checked as typed
    agent.locator("#id_nik").fill(AGENT_PERSON["nik"])
    agent.locator("#id_full_name").fill(AGENT_PERSON["full_name"])
    agent.locator("#id_birth_place").fill(AGENT_PERSON["birth_place"])
    agent.locator("#id_birth_date").fill(AGENT_PERSON["birth_date"])
    agent.locator("#id_sex").select_option(AGENT_PERSON["sex"])
    agent.locator("#id_mother_name").fill(AGENT_PERSON["mother_name"])
    agent.locator("#id_address").fill(AGENT_PERSON["address"])
    expect(agent.locator("#id_village")).to_have_value(AGENT_NAGARI)
    agent.locator("#id_occupation").select_option(AGENT_PERSON["occupation"])
    agent.locator("#id_phone").fill(AGENT_PERSON["phone"])
    expect(agent.get_by_test_id("issues-nik")).to_be_empty()
    expect(agent.get_by_test_id("check-summary")).to_contain_text("Data lengkap dan sah")
    assert agent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    agent.screenshot(path=screenshot_path("intake-person-form-360"), full_page=True)
    agent.get_by_test_id("person-submit").click()
    expect(agent.get_by_test_id("propose-confirmation")).to_be_visible()
    expect(agent.get_by_test_id("confirmation-status")).to_have_text("Valid")
    agent_batch_url = agent.get_by_test_id("batch-link").get_attribute("href")
    assert agent_batch_url and re.fullmatch(r"/usulan/\d+/", agent_batch_url)

    # --- the Dinas operator uploads a file ---------------------------------------------------
    operator = desktop_page(browser, jamsos_system)
    log_in(operator, "dinas_operator")
    before = person_count(operator)
    operator.goto("/usulan/unggah/")
    operator.locator("#id_file").set_input_files(
        files=[{"name": "usulan-tanjung-gadang.xlsx", "mimeType": XLSX, "buffer": proposal_xlsx()}]
    )
    operator.get_by_role("button", name="Unggah dan validasi").click()
    expect(operator).to_have_url(re.compile(r"/usulan/\d+/$"))
    upload_batch_url = re.sub(r"^https?://[^/]+", "", operator.url)
    expect(operator.get_by_test_id("batch-progress")).to_be_visible()
    expect(operator.get_by_test_id("progress-done")).to_be_visible(timeout=WAIT_VALIDATION_MS)
    expect(operator.get_by_test_id("count-total")).to_have_text("4")
    expect(operator.get_by_test_id("count-invalid")).to_have_text("1")
    expect(operator.get_by_test_id("count-valid")).to_have_text("3")
    possible = int(operator.get_by_test_id("count-possible").inner_text())
    assert possible >= 1
    operator.screenshot(path=screenshot_path("intake-batch-validated"), full_page=True)

    # --- resolve the possible duplicates: the first is another person, the rest the same ---
    operator.goto(upload_batch_url + "?possible_duplicate=1")
    links = operator.get_by_test_id("row-table").locator("tbody tr td:first-child a")
    expect(links).to_have_count(possible)
    row_urls = [links.nth(i).get_attribute("href") for i in range(possible)]
    same_person = 0
    for index, url in enumerate(row_urls):
        operator.goto(url)
        expect(operator.get_by_test_id("duplicate-compare")).to_be_visible()
        if index == 0:
            operator.get_by_test_id("different-person").click()
            expect(operator.get_by_test_id("row-decision")).to_have_text("Diterima")
        else:
            operator.get_by_test_id("same-person").click()
            expect(operator.get_by_test_id("row-decision")).to_contain_text("Orang yang sama")
            same_person += 1
    operator.screenshot(path=screenshot_path("intake-duplicate-resolved"), full_page=True)

    # The agent's proposals of the day gather in one batch (the demo's too, when it ran
    # today): every valid row of it joins the registry.
    operator.goto(agent_batch_url)
    agent_rows = int(operator.get_by_test_id("count-valid").inner_text())
    assert agent_rows >= 1
    for url in (upload_batch_url, agent_batch_url):
        operator.goto(url)
        operator.get_by_test_id("submit-batch").click()
        expect(operator.get_by_test_id("batch-status")).to_have_text("Diajukan ke kepala dinas")

    # --- the head approves both ---------------------------------------------------------------
    head = desktop_page(browser, jamsos_system)
    log_in(head, "dinas_head")
    for url in (upload_batch_url, agent_batch_url):
        head.goto(url)
        head.get_by_test_id("approve-batch").click()
        expect(head.get_by_test_id("batch-status")).to_have_text("Masuk registri")

    # --- the registry grew by the valid rows not judged the same person, plus the agent's --
    expected = before + (3 - same_person) + agent_rows
    assert person_count(head) == expected
    head.goto("/registri/?q=Yusrizal")
    expect(head.get_by_test_id("person-table")).to_contain_text("Yusrizal Tanjung")

    # --- the agent sees the fate of the proposal ------------------------------------------------
    agent.goto(agent_batch_url)
    expect(agent.get_by_test_id("batch-status")).to_have_text("Masuk registri")
    operator.context.close()
    head.context.close()

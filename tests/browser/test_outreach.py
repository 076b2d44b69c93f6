"""Outreach on a 360×740 phone (real system: gunicorn + worker, demo data):

the agent reports a member's death and finds the JKM follow-up on its list, records a
sosialisasi event, opens its printable QR page, and follows the QR's link to the proposal
form with the event code filled in.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import Page, expect

from jamsos.lib.nik import nik_build
from tests.browser.test_claims import AGENT_NAGARI, MEMBERSHIP_SCRIPT, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BORN = dt.date(1971, 9, 3)
NIK = nik_build("13.03.03", BORN, "L", 7302)
NAME = "Sutan Tindak Lanjut Uji"


def test_agent_reports_a_death_and_records_a_sosialisasi(phone_page: Page, jamsos_system):
    script = MEMBERSHIP_SCRIPT.format(
        village=AGENT_NAGARI,
        nik=NIK,
        name=NAME,
        y=BORN.year,
        m=BORN.month,
        d=BORN.day,
        kpj="26073027302",
    )
    made = jamsos_system.jamsos("shell", "-c", script)
    assert json.loads(made.stdout.strip().splitlines()[-1])["membership"]
    page = phone_page
    log_in(page, "agent")

    page.goto("/sosialisasi/tindak-lanjut/lapor-kematian/")
    page.locator("#id_nik").fill(NIK)
    page.locator("#id_died_on").fill((dt.date.today() - dt.timedelta(days=3)).isoformat())
    page.get_by_test_id("death-submit").click()
    expect(page).to_have_url(re.compile(r"/sosialisasi/tindak-lanjut/$"))
    item = page.get_by_test_id("followup").filter(has_text=NAME)
    expect(item).to_contain_text("Belum diklaim")
    expect(item.get_by_test_id("followup-claim")).to_be_visible()

    page.goto("/sosialisasi/baru/")
    page.locator("#id_title").fill("Sosialisasi uji di surau")
    page.locator("#id_kind").select_option("sosialisasi")
    page.locator("#id_held_on").fill(dt.date.today().isoformat())
    page.locator("#id_place").fill("Surau Jorong Koto Tuo")
    page.locator("#id_attendance_male").fill("12")
    page.locator("#id_attendance_female").fill("9")
    page.get_by_test_id("event-submit").click()
    expect(page.get_by_test_id("attendance")).to_contain_text("21")
    code = page.get_by_test_id("event-code").inner_text().strip()
    assert re.fullmatch(r"SOS-\d{5}", code)

    page.get_by_test_id("event-qr-link").click()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("qr-code")).to_have_text(code)
    link = page.locator("p.text-break").inner_text().strip()
    page.goto(link)
    expect(page.locator("#id_event_code")).to_have_value(code)
    # Nothing is wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360

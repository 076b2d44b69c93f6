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


AGENCIES_SCRIPT = """
from jamsos.accounts.models import Agency
for n in range(13):
    Agency.objects.get_or_create(
        code=f"kua-uji-{n}",
        defaults={"name": f"KUA Uji {n}", "kind": "kecamatan_office", "region_id": "13.03"},
    )
print(Agency.objects.filter(is_active=True).count())
"""


def test_correcting_an_event_on_the_phone(phone_page: Page, jamsos_system):
    """The edit form on a phone: the long co-organiser list stays folded until asked for,
    what is ticked stays in view, and an emptied place is refused naming the field."""
    agencies = int(jamsos_system.jamsos("shell", "-c", AGENCIES_SCRIPT).stdout.split()[-1])
    assert agencies > 12
    page = phone_page
    log_in(page, "agent")
    page.goto("/sosialisasi/baru/")
    page.locator("#id_title").fill("Sosialisasi untuk diubah")
    page.locator("#id_kind").select_option("sosialisasi")
    page.locator("#id_held_on").fill(dt.date.today().isoformat())
    page.locator("#id_place").fill("Balai Jorong")
    page.get_by_test_id("event-submit").click()
    expect(page.get_by_test_id("event-code")).to_be_visible()
    page.goto(page.url.rstrip("/") + "/ubah/")

    choices = page.get_by_test_id("choices-co_organisers")
    folded = choices.locator("details")
    expect(folded.locator("input[type=checkbox]").first).to_be_hidden()
    folded.locator("summary").click()
    folded.get_by_label("KUA Uji 3").check()
    page.locator("#id_place").fill("")
    page.get_by_test_id("event-edit-submit").click()
    expect(page.get_by_text('Kolom "Tempat" wajib diisi.')).to_be_visible()
    # Refused and shown again: the ticked co-organiser is in view, the rest folded.
    ticked = choices.locator(":scope > div").get_by_label("KUA Uji 3")
    expect(ticked).to_be_visible()
    expect(ticked).to_be_checked()
    expect(choices.locator("details").get_by_label("KUA Uji 4")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#id_place").fill("Balai Adat")
    page.get_by_test_id("event-edit-submit").click()
    expect(page.get_by_test_id("event-code")).to_be_visible()
    expect(page.locator("body")).to_contain_text("KUA Uji 3")

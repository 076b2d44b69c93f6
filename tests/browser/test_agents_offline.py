"""The agent's phone app offline, on a 360×740 phone (issue 13):

the demo agent logs in and opens the app once (the service worker installs and caches
the shell); the network goes away; the agent proposes two people (they wait in the
phone's queue); the page is reloaded without a network and still shows both waiting;
the network returns; both are sent, each exactly once (the server holds one proposal row
per client-made id), and the list shows their fate.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import Page, expect

from jamsos.lib.nik import nik_build
from tests.browser.test_intake import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

KECAMATAN = "13.03.03"
PEOPLE = [
    {
        "nik": nik_build(KECAMATAN, dt.date(1983, 3, 21), "L", 7311),
        "full_name": "Afrizal Koto",
        "birth_date": "1983-03-21",
        "sex": "L",
    },
    {
        "nik": nik_build(KECAMATAN, dt.date(1991, 10, 4), "P", 7312),
        "full_name": "Yulia Fitri",
        "birth_date": "1991-10-04",
        "sex": "P",
    },
]


# Put every queued item back to "waiting", as if their answers had been lost.
MARK_ALL_WAITING = """async () => {
  const user = JSON.parse(document.getElementById('phone-config').textContent).user;
  const db = await new Promise(r => {
    const q = indexedDB.open('jamsos-agent-' + user);
    q.onsuccess = () => r(q.result);
  });
  const items = await new Promise(r => {
    const q = db.transaction('queue').objectStore('queue').getAll();
    q.onsuccess = () => r(q.result);
  });
  const t = db.transaction('queue', 'readwrite');
  items.forEach(i => { i.state = 'waiting'; t.objectStore('queue').put(i); });
  await new Promise(r => { t.oncomplete = r; });
  return items.length;
}"""


def _until(page: Page, script: str, timeout: float = 20) -> None:
    """Poll an async check (the page's CSP forbids string evaluation, so no
    ``wait_for_function`` with an expression)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {script}")
        time.sleep(0.2)


def _propose(page: Page, person: dict[str, str]) -> None:
    page.get_by_test_id("phone-nik").fill(person["nik"])
    page.get_by_test_id("phone-full_name").fill(person["full_name"])
    page.get_by_test_id("phone-birth_date").fill(person["birth_date"])
    page.get_by_test_id("phone-sex").select_option(person["sex"])
    page.get_by_test_id("phone-occupation").select_option("petani")
    page.get_by_test_id("phone-submit").click()


def _rows_for(system, niks: list[str]) -> dict[str, int]:
    """How many proposal rows the server holds per NIK (through the system's own CLI)."""
    import json

    code = (
        "import json;from jamsos.intake.models import ProposalRow as R;"
        f"print(json.dumps({{n: R.objects.filter(nik=n).count() for n in {niks!r}}}))"
    )
    out = system.jamsos("shell", "-c", code).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_agent_proposes_offline_and_both_arrive_once(phone_page: Page, jamsos_system) -> None:
    page = phone_page
    log_in(page, "agent")
    page.goto("/agen/ponsel/")
    expect(page.get_by_test_id("net-status")).to_have_text("Daring")
    # The service worker installs, caches the shell and takes control of the page.
    _until(page, "async () => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    _until(
        page,
        "async () => !!(await (await caches.open('agen-v1')).match('/agen/ponsel/'))",
    )

    page.context.set_offline(True)
    expect(page.get_by_test_id("net-status")).to_have_text("Luring")
    # A NIK that breaks the rules is caught on the phone, with no server.
    page.get_by_test_id("phone-nik").fill("1303031234")
    page.get_by_test_id("phone-submit").click()
    expect(page.get_by_test_id("check-nik")).to_contain_text("16 angka")
    expect(page.get_by_test_id("queue-count")).to_have_text("0")
    for queued, person in enumerate(PEOPLE, start=1):
        _propose(page, person)
        expect(page.get_by_test_id("queue-count")).to_have_text(str(queued))
    expect(page.get_by_test_id("queued-item")).to_have_count(2)

    page.reload()  # offline: the service worker serves the cached shell
    expect(page.get_by_test_id("net-status")).to_have_text("Luring")
    expect(page.get_by_test_id("queue-count")).to_have_text("2")
    expect(page.get_by_test_id("queued-item").first).to_contain_text("menunggu dikirim")
    assert _rows_for(jamsos_system, [p["nik"] for p in PEOPLE]) == {p["nik"]: 0 for p in PEOPLE}

    page.context.set_offline(False)
    expect(page.get_by_test_id("queue-count")).to_have_text("0", timeout=30_000)
    expect(page.get_by_test_id("sent-item")).to_have_count(2)
    expect(page.get_by_test_id("sent-item").first).to_contain_text(
        re.compile("Menunggu pemeriksaan Dinas|terkirim")
    )
    # Send again on purpose (as after a lost answer): still one row per person.
    page.evaluate(MARK_ALL_WAITING)
    page.reload()
    expect(page.get_by_test_id("queue-count")).to_have_text("0", timeout=30_000)
    time.sleep(0.5)
    assert _rows_for(jamsos_system, [p["nik"] for p in PEOPLE]) == {p["nik"]: 1 for p in PEOPLE}

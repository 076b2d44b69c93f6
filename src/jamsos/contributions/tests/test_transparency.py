"""The transparency report: registered, payable, paid and claims paid per month and
funding source, exact to the rupiah; its Excel export; who may see it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from jamsos.contributions import selectors, services
from jamsos.contributions.exports import transparency_xlsx
from jamsos.contributions.transparency import transparency_report
from jamsos.lib.errors import PermissionDenied
from jamsos.lib.periods import Month
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(sijunjung, apbd, apb_nagari, make_members):
    """APBD: 4 members all year, January bill paid, February issued and half paid.
    APB Nagari: 2 members from March, prepaid 3 months and paid for one month only.
    Cancelled memberships (struck out before they started) are not registered."""
    make_members(4, apbd)
    make_members(2, apb_nagari, first="2025-03")
    make_members(5, apbd, status="cancelled")
    january = services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    bill = services.bill_issue(bill=january.bills[0].bill, acting_user=None)
    services.payment_record(
        bill=bill,
        sp2d_number="A",
        paid_on=dt.date(2025, 1, 31),
        amount=bill.total,
        treasury_account="RKUD",
        acting_user=None,
    )
    february = services.billing_run(regency=sijunjung, month=Month(2025, 2), acting_user=None)
    bill = services.bill_issue(bill=february.bills[0].bill, acting_user=None)
    services.payment_record(
        bill=bill,
        sp2d_number="B",
        paid_on=dt.date(2025, 2, 28),
        amount=2 * 16_800,
        treasury_account="RKUD",
        acting_user=None,
    )
    march = services.billing_run(
        regency=sijunjung, month=Month(2025, 3), months=3, sources=[apb_nagari], acting_user=None
    )
    bill = services.bill_issue(bill=march.bills[0].bill, acting_user=None)
    services.payment_record(
        bill=bill,
        sp2d_number="C",
        paid_on=dt.date(2025, 3, 31),
        amount=2 * 16_800 + 100,  # the first month and a bit
        treasury_account="Kas Nagari",
        acting_user=None,
    )
    return apbd, apb_nagari


def rows_by(report):
    return {
        (str(row.month), row.source.name if row.source else "total"): row for row in report.rows()
    }


def test_the_four_figures(history, sijunjung, personas):
    report = transparency_report(viewer=personas.dprd, regency=sijunjung, year=2025)
    rows = rows_by(report)
    january = rows[("2025-01", "APBD Sijunjung")]
    assert (january.registered, january.payable, january.paid) == (4, 67_200, 67_200)
    february = rows[("2025-02", "APBD Sijunjung")]
    assert (february.payable, february.paid, february.unpaid) == (67_200, 33_600, 33_600)
    march_apbd = rows[("2025-03", "APBD Sijunjung")]
    assert (march_apbd.registered, march_apbd.payable) == (4, 0)  # registered, not billed yet
    # the prepaid APB Nagari bill: paid months come first
    march = rows[("2025-03", "APB Nagari Timbulun")]
    april = rows[("2025-04", "APB Nagari Timbulun")]
    may = rows[("2025-05", "APB Nagari Timbulun")]
    assert (march.payable, march.paid) == (33_600, 33_600)
    assert (april.payable, april.paid) == (33_600, 100)
    assert (may.payable, may.paid) == (33_600, 0)
    total_march = rows[("2025-03", "total")]
    assert (total_march.registered, total_march.payable) == (6, 33_600)
    assert report.total.payable == 67_200 * 2 + 33_600 * 3
    assert report.total.paid == 67_200 + 33_600 + 33_600 + 100
    assert ("2025-01", "APB Nagari Timbulun") not in rows  # nothing to show there


def test_the_report_is_a_constant_number_of_queries(
    history, sijunjung, personas, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        transparency_report(viewer=personas.dprd, regency=sijunjung, year=2025)


def test_claims_paid_come_from_the_claims_app(history, sijunjung, personas, monkeypatch):
    from jamsos.claims import selectors as claims_selectors

    apbd, _nagari = history

    class Row:
        def __init__(self, month, source_id, amount):
            self.month, self.funding_source_id, self.amount = month, source_id, amount

    def fake(*, region_code, first, last, viewer=None):
        assert (region_code, first, last) == ("13.03", Month(2025, 1), Month(2025, 12))
        return [Row(Month(2025, 2), apbd.pk, 42_000_000), Row(Month(2025, 2), apbd.pk, 1)]

    monkeypatch.setattr(claims_selectors, "claims_paid_by_month", fake)
    report = transparency_report(viewer=personas.bpjs_officer, regency=sijunjung, year=2025)
    assert report.claims_available
    assert rows_by(report)[("2025-02", "APBD Sijunjung")].claims_paid == 42_000_001
    assert report.total.claims_paid == 42_000_001


def test_without_a_claims_selector_claims_are_zero(history, sijunjung, personas, monkeypatch):
    from jamsos.claims import selectors as claims_selectors

    monkeypatch.delattr(claims_selectors, "claims_paid_by_month")
    report = transparency_report(viewer=personas.executive, regency=sijunjung, year=2025)
    assert not report.claims_available
    assert report.total.claims_paid == 0


def test_who_may_see_it(history, sijunjung, personas):
    for user in (personas.agent, personas.kecamatan_operator, personas.admin):
        with pytest.raises(PermissionDenied):
            transparency_report(viewer=user, regency=sijunjung, year=2025)
    with pytest.raises(PermissionDenied):
        transparency_report(viewer=personas.outsider, regency=sijunjung, year=2025)
    padang = region("13.71")
    with pytest.raises(PermissionDenied):
        transparency_report(viewer=personas.dinas_operator, regency=padang, year=2025)


def test_excel_export(history, sijunjung, personas):
    report = transparency_report(viewer=personas.dprd, regency=sijunjung, year=2025)
    book = load_workbook(io.BytesIO(transparency_xlsx(report)))
    sheet = book.active
    assert sheet["A1"].value == "Transparansi iuran Kabupaten Sijunjung tahun 2025"
    assert [c.value for c in sheet[4]][:4] == ["Bulan", "Sumber dana", "Jenis", "Peserta terdaftar"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    january = next(v for v in values if v[0] == "Januari 2025" and v[1] == "APBD Sijunjung")
    assert january[3:9] == [4, 4, 67_200, 67_200, 0, 0]
    assert values[-1][0] == "Jumlah 2025"
    assert values[-1][5] == report.total.payable


def test_payable_leaves_out_months_credited_after_a_death(sijunjung, apbd, make_members, personas):
    """A member dies in March after January–June were billed and paid: April–June are
    credited back (death credit notes), so they are not payable, and the money paid for
    them counts once, where the credit is spent (issue 9 "Death ends cover")."""
    from django.db import transaction

    from jamsos.contributions.models import Credit
    from jamsos.enrollment.models import Membership

    make_members(2, apbd)
    for month in range(1, 7):
        run = services.billing_run(regency=sijunjung, month=Month(2025, month), acting_user=None)
        bill = services.bill_issue(bill=run.bills[0].bill, acting_user=None)
        services.payment_record(
            bill=bill,
            sp2d_number=f"S{month}",
            paid_on=dt.date(2025, month, 28),
            amount=bill.total,
            treasury_account="RKUD",
            acting_user=None,
        )
    dead = Membership.objects.order_by("pk").first()
    Membership.objects.filter(pk=dead.pk).update(
        last_month=dt.date(2025, 3, 1), status=Membership.Status.DECEASED
    )
    with transaction.atomic():
        services.membership_months_credit_unchecked(
            membership_ids=[dead.pk], after=Month(2025, 3), reason="uji", acting_user=None
        )
    july = services.billing_run(regency=sijunjung, month=Month(2025, 7), acting_user=None)
    services.bill_issue(bill=july.bills[0].bill, acting_user=None)  # paid from the credit

    report = transparency_report(viewer=personas.dprd, regency=sijunjung, year=2025)
    rows = rows_by(report)
    march = rows[("2025-03", "APBD Sijunjung")]
    assert (march.billed_members, march.payable, march.paid) == (2, 33_600, 33_600)
    for month in ("2025-04", "2025-05", "2025-06"):
        row = rows[(month, "APBD Sijunjung")]
        assert (row.billed_members, row.payable, row.paid, row.unpaid) == (1, 16_800, 16_800, 0)
    july_row = rows[("2025-07", "APBD Sijunjung")]
    assert (july_row.payable, july_row.paid) == (16_800, 16_800)
    # Money in (six SP2D) = paid in the report + the credit still unspent.
    balance = selectors.credit_balance(source=apbd)
    assert balance == 2 * 16_800 == sum(Credit.objects.values_list("amount", flat=True))
    assert report.total.payable == 3 * 33_600 + 4 * 16_800
    assert report.total.paid + balance == 6 * 33_600

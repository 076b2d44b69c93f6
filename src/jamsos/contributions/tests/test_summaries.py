"""The summaries the figure pages read equal a full recomputation after every kind of
write (issue 15): the membership counts (``enrollment.MembershipCount``, kept by
database triggers), the bills' months (``BillMonth``), the arrears summary
(``ArrearsMonth``, rebuilt by the refresh each committed write enqueues), and what the
transparency report, the membership totals and the arrears page make of them.

One history walks through every kind of write — memberships created in bulk and one
by one, billing runs (one month and prepaid months), bills issued, payments, lapse for
arrears, reactivation, death (with its credit notes), the monthly status refresh, an
end of coverage, raw SQL, a delete — and after each the stored summaries are compared
with the values recomputed from the memberships and bill lines themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum

from jamsos.contributions import services
from jamsos.contributions.models import BillAdjustment, BillLine, BillMonth
from jamsos.contributions.services.billing import BILLABLE_STATUSES
from jamsos.contributions.transparency import transparency_report
from jamsos.enrollment import selectors as enrollment_selectors
from jamsos.enrollment.models import Membership, MembershipCount
from jamsos.enrollment.services import membership_counts_rebuild, membership_statuses_refresh
from jamsos.enrollment.services.coverage import memberships_end_for_death_unchecked
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db

YEAR = 2025


def _registered_recomputed(source_ids: list[int]) -> dict[tuple[str, int], int]:
    """Memberships covering each month of the year, per source: the members themselves."""
    out: dict[tuple[str, int], int] = {}
    for number in range(1, 13):
        day = dt.date(YEAR, number, 1)
        for source_id, n in (
            Membership.objects.filter(
                funding_source_id__in=source_ids,
                status__in=BILLABLE_STATUSES,
                first_month__lte=day,
                last_month__gte=day,
            )
            .order_by()
            .values_list("funding_source_id")
            .annotate(n=Count("pk"))
        ):
            out[(f"{YEAR}-{number:02d}", source_id)] = n
    return out


def _payable_recomputed() -> dict[tuple[str, int], int]:
    """Payable per month and source from the bill lines of sent bills, less the months
    credited back (death credit notes)."""
    out: dict[tuple[str, int], int] = defaultdict(int)
    lines = BillLine.objects.filter(
        bill__status__in=("issued", "partly_paid", "paid", "reconciled")
    )
    for month, source_id, amount in (
        lines.order_by()
        .values_list("month", "bill__funding_source_id")
        .annotate(total=Sum("amount"))
    ):
        if month.year == YEAR:
            out[(f"{month:%Y-%m}", source_id)] += int(amount)
    for month, source_id, amount in (
        BillAdjustment.objects.filter(
            bill__status__in=("issued", "partly_paid", "paid", "reconciled")
        )
        .order_by()
        .values_list("month", "bill__funding_source_id")
        .annotate(total=Sum("amount"))
    ):
        if month.year == YEAR:
            out[(f"{month:%Y-%m}", source_id)] -= int(amount)
    return {key: value for key, value in out.items() if value}


def _bill_months_recomputed() -> dict[tuple[int, dt.date], tuple[int, int]]:
    return {
        (bill_id, month): (n, int(amount))
        for bill_id, month, n, amount in BillLine.objects.order_by()
        .values_list("bill_id", "month")
        .annotate(n=Count("pk"), total=Sum("amount"))
    }


def _bill_months_stored() -> dict[tuple[int, dt.date], tuple[int, int]]:
    out: dict[tuple[int, dt.date], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for bill_id, month, lines, amount in BillMonth.objects.values_list(
        "bill_id", "month", "lines", "amount"
    ):
        n, total = out[(bill_id, month)]
        out[(bill_id, month)] = (n + lines, total + amount)
    return {key: value for key, value in out.items() if value != (0, 0)}


def _totals_recomputed(viewer) -> dict[str, int]:
    code = viewer.region_id
    scoped = Membership.objects.filter(village__code__startswith=code + ".")
    return dict(scoped.order_by().values_list("status").annotate(n=Count("pk")))


def _arrears_check(step: str, sijunjung) -> None:
    """The arrears read from the summary equal ``arrears_check``'s computation, for
    every month of the year (the summary is current after each committed write)."""
    assert services.arrears_months_current(regency_code=sijunjung.code), step
    for number in range(1, 13):
        as_of = Month(YEAR, number)
        listing = services.arrears_listing(as_of=as_of, regency=sijunjung, acting_user=None)
        assert listing.from_summary, step
        report = services.arrears_check(
            as_of=as_of, regency=sijunjung, apply=False, acting_user=None
        )
        assert (len(listing.lapses), len(listing.warnings)) == (
            len(report.lapses),
            len(report.warnings),
        ), (step, as_of)
        assert listing.lapses[:] == report.lapses, (step, as_of)
        assert listing.warnings[:] == report.warnings, (step, as_of)


def check(step: str, *, sijunjung, sources, viewer) -> None:
    """Every summary equals its recomputation (the step names the write in a failure)."""
    _arrears_check(step, sijunjung)
    assert enrollment_selectors.membership_counts_stored() == (
        enrollment_selectors.membership_counts_computed()
    ), step
    assert _bill_months_stored() == _bill_months_recomputed(), step
    report = transparency_report(viewer=viewer, regency=sijunjung, year=YEAR)
    rows = [row for row in report.rows() if row.source is not None]
    registered = {(str(r.month), r.source.pk): r.registered for r in rows if r.registered}
    assert registered == _registered_recomputed([s.pk for s in sources]), step
    payable = {(str(r.month), r.source.pk): r.payable for r in rows if r.payable}
    assert payable == _payable_recomputed(), step
    totals = enrollment_selectors.membership_totals(viewer=viewer)
    assert totals.by_status == _totals_recomputed(viewer), step


def _pay(bill, amount: int, number: str) -> None:
    services.payment_record(
        bill=bill,
        sp2d_number=number,
        paid_on=dt.date(YEAR, 6, 30),
        amount=amount,
        treasury_account="RKUD",
        acting_user=None,
    )


def test_summaries_equal_a_recomputation_after_every_kind_of_write(
    sijunjung, apbd, apb_nagari, make_members, personas, django_capture_on_commit_callbacks
):
    viewer = personas.dprd  # sees the whole kabupaten's figures (totals and transparency)
    sources = [apbd, apb_nagari]

    def checked(step: str) -> None:
        check(step, sijunjung=sijunjung, sources=sources, viewer=viewer)

    # Writes below commit (their after-commit refresh runs, as in production); writes
    # without an audit event (bulk inserts, raw SQL: no refresh) end with a rebuild, as
    # ``reports_refresh`` does after loading data by other means.
    commit = django_capture_on_commit_callbacks
    services.arrears_months_refresh(regency_code=sijunjung.code)
    checked("nothing yet")
    members = make_members(4, apbd)  # a bulk insert
    nagari = make_members(3, apb_nagari)
    make_members(2, apbd, first="2025-09", status=Membership.Status.PENDING)
    services.arrears_months_refresh(regency_code=sijunjung.code)
    checked("memberships created in bulk")

    for number in (1, 2, 3):
        with commit(execute=True):
            run = services.billing_run(
                regency=sijunjung, month=Month(YEAR, number), acting_user=None
            )
        checked(f"billing run {number}")
        for item in run.bills:
            with commit(execute=True):
                bill = services.bill_issue(bill=item.bill, acting_user=None)
            checked(f"bill issued {number}")
            if bill.funding_source_id == apbd.pk:
                with commit(execute=True):
                    _pay(bill, bill.total, f"SP2D-{number}")
                checked(f"bill paid {number}")
    with commit(execute=True):
        prepaid = services.billing_run(
            regency=sijunjung, month=Month(YEAR, 4), months=3, sources=[apbd], acting_user=None
        )
    checked("prepaid billing run")
    with commit(execute=True):
        bill = services.bill_issue(bill=prepaid.bills[0].bill, acting_user=None)
    with commit(execute=True):
        _pay(bill, bill.total // 3, "SP2D-PREPAID")  # a partial payment
    checked("partial payment")
    listing = services.arrears_listing(as_of=Month(YEAR, 3), regency=sijunjung, acting_user=None)
    assert {e.membership_id for e in listing.lapses[:]} == {m.pk for m in nagari}

    # The APB Nagari never paid January–March: its members lapse.
    with commit(execute=True):
        report = services.arrears_check(as_of=Month(YEAR, 3), acting_user=None)
    assert {e.membership_id for e in report.lapses} == {m.pk for m in nagari}
    checked("lapse for arrears")
    with commit(execute=True):
        new = services.membership_reactivate(
            lapsed=Membership.objects.get(pk=nagari[0].pk),
            first_month=Month(YEAR, 7),
            acting_user=None,
        )
    assert new.pk
    checked("reactivation")

    dead = members[0]
    with commit(execute=True), transaction.atomic():
        memberships_end_for_death_unchecked(
            person_id=dead.person_id, died_on=dt.date(YEAR, 4, 10), reason="", acting_user=None
        )
        services.membership_months_credit_unchecked(
            membership_ids=[dead.pk], after=Month(YEAR, 4), reason="uji", acting_user=None
        )
    checked("death and its credit notes")

    with commit(execute=True):
        membership_statuses_refresh(as_of=Month(YEAR, 10))
    services.arrears_months_refresh(regency_code=sijunjung.code)
    checked("monthly status refresh")

    Membership.objects.filter(pk=members[1].pk).update(kpj_number="99")  # no counted column
    services.arrears_months_refresh(regency_code=sijunjung.code)
    checked("an update of an uncounted column")
    Membership.objects.filter(pk=members[1].pk).update(
        status=Membership.Status.ENDED, last_month=dt.date(YEAR, 8, 1)
    )
    services.arrears_months_refresh(regency_code=sijunjung.code)
    checked("end of coverage")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE enrollment_membership SET village_id = %s WHERE id = %s",
            ["13.03.04.2001", members[2].pk],
        )
    services.arrears_months_refresh(regency_code=sijunjung.code)
    checked("raw SQL")
    cancelled = make_members(1, apbd, first="2025-11", status=Membership.Status.CANCELLED)
    services.arrears_months_refresh(regency_code=sijunjung.code)
    checked("one more")
    Membership.objects.filter(pk=cancelled[0].pk).delete()
    services.arrears_months_refresh(regency_code=sijunjung.code)
    checked("a delete")


def test_the_rebuild_restores_the_counts(sijunjung, apbd, make_members, personas):
    make_members(3, apbd)
    make_members(2, apbd, first="2025-06", status=Membership.Status.PENDING)
    expected = enrollment_selectors.membership_counts_computed()
    MembershipCount.objects.update(n=7)
    MembershipCount.objects.create(
        village_id="13.03.03.2001",
        funding_source_id=apbd.pk,
        status="ended",
        first_month=dt.date(2020, 1, 1),
        last_month=dt.date(2020, 12, 1),
        n=5,
    )
    assert enrollment_selectors.membership_counts_stored() != expected
    assert membership_counts_rebuild() == len(expected)
    assert enrollment_selectors.membership_counts_stored() == expected


def test_arrears_read_the_summary_only_while_it_is_current(
    sijunjung, apbd, make_members, django_capture_on_commit_callbacks
):
    """Never built, or stale after a committed write: computed as ``arrears_check``
    does; rebuilt: read from the summary, with the same answer."""
    members = make_members(2, apbd)
    as_of = Month(YEAR, 3)
    listing = services.arrears_listing(as_of=as_of, regency=sijunjung, acting_user=None)
    assert not listing.from_summary and listing.lapses == []
    for number in (1, 2, 3):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.billing_run(
                regency=sijunjung, month=Month(YEAR, number), acting_user=None
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.bill_issue(bill=run.bills[0].bill, acting_user=None)
    listing = services.arrears_listing(as_of=as_of, regency=sijunjung, acting_user=None)
    assert listing.from_summary
    assert {e.membership_id for e in listing.lapses[:]} == {m.pk for m in members}
    # A committed write marks it stale until its refresh runs (here: not yet run).
    services.arrears_months_stale_mark(regency_codes=[sijunjung.code])
    listing = services.arrears_listing(as_of=as_of, regency=sijunjung, acting_user=None)
    assert not listing.from_summary
    assert {e.membership_id for e in listing.lapses} == {m.pk for m in members}
    # The write's after-commit refresh makes it current again.
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run(regency=sijunjung, month=Month(YEAR, 4), acting_user=None)
    assert services.arrears_months_current(regency_code=sijunjung.code)
    listing = services.arrears_listing(as_of=as_of, regency=sijunjung, acting_user=None)
    assert listing.from_summary and len(listing.lapses) == 2

"""The role homes' and report charts' decree-line figures read the line count summary
(``enrollment.DecreeLineCount``, issue 15); they equal the figures counted from the
lines as before, on the demo's data (every step of the chain, BPJS results included)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q

from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.demo.services import demo_load
from jamsos.enrollment.models import Decree, DecreeLine, DecreeLineCount, RejectionReason
from jamsos.enrollment.services import decree_line_counts_rebuild
from jamsos.reports.charts import chart_funnel
from jamsos.reports.home import queues_for
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 6, 1)
GROUP = ("decree_id", "village_id", "action", "bpjs_status", "bpjs_reason_code")


def _counts_stored() -> dict[tuple, int]:
    rows = DecreeLineCount.objects.filter(n__gt=0).values_list(*GROUP, "n")
    return {tuple(row[:-1]): row[-1] for row in rows}


def _counts_of_the_lines() -> dict[tuple, int]:
    rows = DecreeLine.objects.values_list(*GROUP).annotate(n=Count("pk")).order_by()
    return {tuple(row[:-1]): row[-1] for row in rows}


def _funnel_from_the_lines(code: str, year: int) -> tuple[list, list]:
    """The per-phase rows and rejection reasons as the chart counted them before."""
    lines = DecreeLine.objects.filter(
        Q(village_id=code) | Q(village__code__startswith=code + "."),
        action=DecreeLine.Action.ADD,
        decree__status=Decree.Status.ISSUED,
        decree__fiscal_year__year=year,
    )
    phases = [
        [r["decree__phase__name"], r["n"], r["accepted"], r["rejected"]]
        for r in lines.values("decree__phase__number", "decree__phase__name")
        .annotate(
            n=Count("pk"),
            accepted=Count("pk", filter=Q(bpjs_status="accepted")),
            rejected=Count("pk", filter=Q(bpjs_status="rejected")),
        )
        .order_by("decree__phase__number")
    ]
    reasons = sorted(
        (r["bpjs_reason_code"], r["n"])
        for r in lines.filter(bpjs_status="rejected")
        .values("bpjs_reason_code")
        .annotate(n=Count("pk"))
    )
    return phases, reasons


def test_line_counts_and_the_figures_read_from_them_equal_the_lines():
    demo_load(people=150, seed=3, as_of=AS_OF)
    assert DecreeLine.objects.filter(bpjs_status="rejected").exists()
    assert _counts_stored() == _counts_of_the_lines()

    years = sorted({d.year for d in Decree.objects.dates("first_month", "year")})
    checked = 0
    for code in ("13.03", "13.03.03", "13.03.03.2001"):
        for year in years:
            funnel, reasons = chart_funnel(region=region(code), year=year)
            phases, reason_counts = _funnel_from_the_lines(code, year)
            assert [[r[0] or "Tanpa tahap", *r[1:]] for r in phases] == funnel.rows
            labels = dict(RejectionReason.choices)
            expected = sorted((str(labels.get(c, "Tanpa kode")), n) for c, n in reason_counts)
            assert sorted((str(label), n) for label, n in reasons.rows) == expected
            checked += sum(r[1] for r in phases)
    assert checked > 0

    # Some lines back to pending (as before a BPJS result), one decree's lines deleted:
    # the triggers follow, and the BPJS officer's queue counts what the lines say.
    some = list(DecreeLine.objects.filter(action="add").values_list("pk", flat=True)[:7])
    DecreeLine.objects.filter(pk__in=some).update(bpjs_status="pending", bpjs_reason_code="")
    referenced = DecreeLine.objects.filter(removed_by_line__isnull=False)
    unused = DecreeLine.objects.filter(membership__isnull=True).exclude(
        pk__in=referenced.values("removed_by_line_id")
    )
    deleted, _ = DecreeLine.objects.filter(
        pk__in=list(unused.values_list("pk", flat=True)[:5])
    ).delete()
    assert deleted > 0
    assert _counts_stored() == _counts_of_the_lines()
    pending = DecreeLine.objects.filter(
        Q(village_id="13.03") | Q(village__code__startswith="13.03."),
        decree__status=Decree.Status.ISSUED,
        action="add",
        bpjs_status="pending",
    ).count()
    assert pending > 0
    officer = User.objects.filter(role=Role.BPJS_OFFICER, agency__region_id="13.03").first()
    assert officer is not None and officer.region_id == "13.03"
    queue = queues_for(officer)[0]
    assert queue.count == pending

    # The rebuild gives what the triggers kept.
    kept = _counts_stored()
    DecreeLineCount.objects.all().delete()
    decree_line_counts_rebuild()
    assert _counts_stored() == kept

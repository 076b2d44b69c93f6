"""The claims chart: JKK vs JKM per month with amounts and the turnaround (days from
filing to payment, median and p90 per month) read from the claims' own timestamps; its
table twin and CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from jamsos.claims import services
from jamsos.claims.models import Claim
from jamsos.claims.tests.conftest import walk
from jamsos.lib.periods import Month
from jamsos.reports.charts import chart_claims
from jamsos.reports.services import figures_refresh_year
from jamsos.reports.templatetags.reports_ui import sel
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db


def _report(membership, personas) -> Claim:
    return services.claim_report(
        membership=membership,
        claim_type="jkm",
        event_date=dt.date.today() - dt.timedelta(days=20),
        chronology="Meninggal di rumah karena sakit.",
        acting_user=personas.agent,
        heirs=[
            services.HeirData(
                full_name="Rosmaniar",
                relationship="spouse",
                bank_name="Bank Nagari",
                bank_account="1234567890",
                is_payee=True,
            )
        ],
    )


@pytest.fixture
def paid(personas, jkm_claim, make_membership):
    """Three JKM claims paid this month, filed 2, 10 and 30 days before their payment;
    a fourth only approved (not paid: not counted)."""
    claims = [walk(jkm_claim, personas, "paid")]
    claims += [walk(_report(make_membership(), personas), personas, "paid") for _ in range(2)]
    walk(_report(make_membership(), personas), personas, "approved")
    for claim, days in zip(claims, (30, 2, 10), strict=True):
        Claim.objects.filter(pk=claim.pk).update(
            reported_at=claim.paid_at - dt.timedelta(days=days, hours=6)
        )
    figures_refresh_year(regency_code="13.03", year=claims[0].payout_date.year)
    return claims


def test_turnaround_median_and_p90_per_month(paid):
    month = Month.from_date(paid[0].payout_date)
    chart = chart_claims(region=region("13.03"), year=month.year)
    row = chart.rows[month.month - 1]
    assert chart.headers[5:9] == ["JKM (klaim)", "JKM (Rp)", "JKM median hari", "JKM p90 hari"]
    assert row[5] == 3
    assert row[6] == sum(c.payout_amount for c in paid)
    assert row[7] == Decimal("10.2")  # median of 2.25, 10.25, 30.25
    assert row[8] == Decimal("30.2")  # nearest rank: ceil(0.9 × 3) = 3rd
    assert row[1:5] == [0, 0, None, None]  # no JKK claim
    others = [r for i, r in enumerate(chart.rows) if i != month.month - 1]
    assert all(r[3] is None and r[7] is None for r in others)
    line = next(d for d in chart.datasets if d.get("type") == "line")
    assert line["data"][month.month - 1] == 10.2
    assert sel(row[7]) == "10,2"
    # Another kecamatan's area sees none of them.
    elsewhere = chart_claims(region=region("13.03.04"), year=month.year)
    assert elsewhere.rows[month.month - 1][5:9] == [0, 0, None, None]


def test_p90_with_ten_claims_is_the_ninth():
    from jamsos.reports.charts import _percentile

    assert _percentile([float(i) for i in range(1, 11)], 0.9) == 9.0
    assert _percentile([4.0], 0.9) == 4.0


def test_claims_csv_has_the_turnaround(paid, personas):
    year = paid[0].payout_date.year
    client = Client()
    client.force_login(personas.dprd)
    response = client.get(f"/laporan/wilayah/13.03/grafik/klaim.csv?year={year}")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "JKM median hari;JKM p90 hari" in text
    assert ";3;" in text and ";10.2;30.2" in text
    assert "Rosmaniar" not in text


def test_the_refresh_task_warms_the_charts(sijunjung, settings, monkeypatch):
    from jamsos.reports import charts
    from jamsos.reports.tasks import figures_refresh_task

    settings.REPORTS_WARM_CHARTS = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    figures_refresh_task.call("13.03", "2025-03", "2025-04")
    computed = []

    def spy(*, region, year):
        computed.append(year)
        return []

    monkeypatch.setattr(charts, "all_charts", spy)
    charts.charts_cached(region=sijunjung, year=2025)
    assert computed == []  # served from what the task cached
    charts.charts_cached(region=sijunjung, year=2024)
    assert computed == [2024]

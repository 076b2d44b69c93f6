"""Duties judged from the other governance records: D5 by a published monthly report to
the Bupati (reports.Publication), B3 by a sosialisasi event the party organised
(outreach.OutreachEvent)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from jamsos.collaboration import services
from jamsos.collaboration.models import ObligationInstance
from jamsos.collaboration.obligations import (
    obligation_instances_generate,
    obligation_instances_judge,
)
from jamsos.collaboration.tests.conftest import at
from jamsos.collaboration.tests.test_scorecard import _agreement
from jamsos.outreach.models import EventKind, OutreachEvent
from jamsos.reports.models import Publication
from jamsos.testing.factories import region


def _duty(world, personas, *, party, code, rule, sla_days=None):
    pks = _agreement(personas, world, dt.date(2023, 1, 1))
    return services.obligation_add(
        agreement=pks,
        party=party,
        code=code,
        description=code,
        kind="recurring",
        frequency="quarterly",
        evidence_rule=rule,
        sla_days=sla_days,
        acting_user=personas.dinas_operator,
    )


def _publication(
    period: str, published: dt.date, kind: str = Publication.Kind.MONTHLY_BUPATI
) -> Publication:
    publication = Publication(
        kind=kind,
        format=Publication.Format.PDF,
        region=region("13.03"),
        period=period,
        due_date=published,
        published_at=at(published),
        sha256="0" * 64,
    )
    publication.file.save("laporan.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    publication.save()
    return publication


def _judge(obligation, key: str) -> ObligationInstance:
    obligation_instances_generate(region=region("13.03"), until=dt.date(2023, 6, 30))
    obligation_instances_judge(region=region("13.03"), today=dt.date(2023, 7, 31))
    return ObligationInstance.objects.get(obligation=obligation, key=key)


def test_report_duty_is_met_by_a_monthly_report_of_the_quarter(world, personas):
    d5 = _duty(world, personas, party=world.dinas, code="D5", rule="auto_report_published")
    _publication("2023-02", dt.date(2023, 3, 8))
    q1 = _judge(d5, "2023-Q1")
    q2 = ObligationInstance.objects.get(obligation=d5, key="2023-Q2")
    assert q1.status == "fulfilled"
    assert q1.evidence_ref.startswith("publication:")
    # no report of April-June: the second quarter is missed
    assert q2.status == "missed"


def test_report_of_another_kind_or_month_does_not_count(world, personas):
    d5 = _duty(world, personas, party=world.dinas, code="D5", rule="auto_report_published")
    _publication("2023-02", dt.date(2023, 3, 5), kind=Publication.Kind.DPRD)  # not to the Bupati
    _publication("2023-04", dt.date(2023, 5, 5))  # a month of the next quarter
    _publication("2022-12", dt.date(2023, 1, 9))  # last year's December
    assert _judge(d5, "2023-Q1").status == "missed"


def test_sosialisasi_duty_counts_events_the_party_organised(world, personas):
    b3 = _duty(world, personas, party=world.bpjs, code="B3", rule="auto_outreach_event")
    common = {
        "title": "Sosialisasi",
        "place": "Balai nagari",
        "village": region("13.03.03.2001"),
        "created_by": personas.dinas_operator,
    }
    # organised by the Dinas alone in Q1: not BPJS's duty
    OutreachEvent.objects.create(
        code="EV-1", kind=EventKind.SOSIALISASI, held_on=dt.date(2023, 2, 1),
        organiser=world.dinas, **common,
    )  # fmt: skip
    # BPJS co-organised a sosialisasi in Q2
    event = OutreachEvent.objects.create(
        code="EV-2", kind=EventKind.SOSIALISASI, held_on=dt.date(2023, 5, 2),
        organiser=world.dinas, **common,
    )  # fmt: skip
    event.co_organisers.add(world.bpjs)
    assert _judge(b3, "2023-Q1").status == "missed"
    q2 = ObligationInstance.objects.get(obligation=b3, key="2023-Q2")
    assert q2.status == "fulfilled"
    assert q2.evidence_ref == f"outreach_event:{event.pk}"


def test_reports_on_time_counts_each_monthly_report_due_in_the_quarter(db, settings):
    """ID-6: reports due in 2023-Q2 are those of March, April and May (due 10 days after
    each month's end); June's report is due in July (next quarter)."""
    from jamsos.collaboration.quarters import Quarter
    from jamsos.collaboration.tests.test_scorecard import indicator

    settings.REPORTS_MONTHLY_DUE_DAYS = 10
    _publication("2023-03", dt.date(2023, 4, 10))  # on its due date: on time
    _publication("2023-04", dt.date(2023, 5, 15))  # late
    # May's never published; June's published early but due next quarter
    _publication("2023-06", dt.date(2023, 7, 1))
    id6 = indicator("ID-6", Quarter(2023, 2))
    assert (id6["numerator"], id6["denominator"]) == (1, 3)
    assert [row["label"] for row in id6["rows"]] == ["2023-03", "2023-04", "2023-05"]
    assert id6["insufficient"] is False  # min n is 2

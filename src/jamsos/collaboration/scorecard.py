"""The collaboration scorecard: each indicator of the catalogue as "k dari n" for one
region and quarter (design-governance §1.5–1.6).

The catalogue (names, elements, minimum n, band cut-offs, parameters) is data:
``IndicatorDefinition`` rows of a ``DefinitionSet`` version. Only the formulas live here,
keyed by the indicator's code. Each formula returns its numerator, denominator and the
rows behind them, so every cell opens the evidence. There is no composite score.

Rules of presentation, applied in ``_result``:
- ``value`` is numerator/denominator, null when the denominator is 0;
- ``insufficient`` is true exactly when the denominator is below ``min_n``;
- ``band`` is 1–4 from the cut-offs (percent, lower edges of bands 4, 3, 2), null when
  insufficient, when the value is null, or when the indicator is descriptive (no cut-offs).
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from jamsos.accounts.models import Agency
from jamsos.collaboration.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    DecisionLink,
    DefinitionSet,
    Forum,
    ForumMembership,
    IndicatorDefinition,
    InterAgencyRequest,
    Meeting,
    Obligation,
    ObligationInstance,
)
from jamsos.collaboration.quarters import Quarter
from jamsos.regions.models import Region

ELEMENTS = [value for value, _label in IndicatorDefinition.Element.choices]
BAND_LABELS = {
    4: gettext_noop("Sangat baik"),
    3: gettext_noop("Baik"),
    2: gettext_noop("Cukup"),
    1: gettext_noop("Perlu perhatian"),
}
INSUFFICIENT_LABEL = gettext_noop("Data belum cukup")
TREND_QUARTERS = 4


@dataclass
class Ctx:
    region: Region
    quarter: Quarter
    today: dt.date
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> dt.date:
        return self.quarter.start

    @property
    def last(self) -> dt.date:
        """The quarter's end, or today while the quarter runs."""
        return min(self.quarter.end, self.today)

    def within(self, path: str) -> Q:
        code = self.region.code
        return Q(**{path: code}) | Q(**{f"{path}__startswith": code + "."})

    def meetings(self):
        return Meeting.objects.filter(
            self.within("forum__region__code"),
            starts_at__date__gte=self.first,
            starts_at__date__lte=self.last,
        )


@dataclass
class Count:
    numerator: int
    denominator: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def _row(kind: str, pk: int, label: str, ok: bool | None = None) -> dict[str, Any]:
    return {"type": kind, "id": pk, "label": label, "ok": ok}


# --- Formulas -----------------------------------------------------------------------------


def rejections_coded(ctx: Ctx, *, rulebook: bool) -> Count:
    from jamsos.enrollment.models import DecreeLine, RejectionReason

    lines = DecreeLine.objects.filter(
        ctx.within("decree__region__code"),
        bpjs_status="rejected",
        bpjs_recorded_at__date__gte=ctx.first,
        bpjs_recorded_at__date__lte=ctx.last,
    ).values_list("pk", "bpjs_reason_code", "decree_id")
    rows, k = [], 0
    for pk, code, decree_id in lines:
        ok = bool(code) and (not rulebook or code != RejectionReason.OTHER)
        k += ok
        rows.append(_row("decree_line", pk, f"SK #{decree_id}: {code or '-'}", ok))
    return Count(k, len(rows), rows)


def f_sc2(ctx: Ctx) -> Count:
    return rejections_coded(ctx, rulebook=False)


def f_cp8(ctx: Ctx) -> Count:
    return rejections_coded(ctx, rulebook=True)


def f_id1(ctx: Ctx) -> Count:
    """Member agencies with an attendance in the last two quarters ÷ member agencies."""
    members = (
        ForumMembership.objects.filter(ctx.within("forum__region__code"), valid_from__lte=ctx.last)
        .exclude(valid_to__lt=ctx.last)
        .select_related("agency")
    )
    window_start = ctx.quarter.previous().start
    attended = set(
        Attendance.objects.filter(
            ctx.within("meeting__forum__region__code"),
            meeting__starts_at__date__gte=window_start,
            meeting__starts_at__date__lte=ctx.last,
        ).values_list("agency_id", flat=True)
    )
    agencies = {m.agency_id: m.agency for m in members}
    rows = [_row("agency", pk, a.name, pk in attended) for pk, a in sorted(agencies.items())]
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def f_id2(ctx: Ctx) -> Count:
    """Kecamatan that submitted ≥1 proposal batch this fiscal year ÷ kecamatan in scope."""
    from jamsos.intake.models import ProposalBatch

    kecamatan = Region.objects.filter(
        level=Region.Level.DISTRICT, code__startswith=ctx.region.code + "."
    )
    year_start = dt.date(ctx.quarter.year, 1, 1)
    codes = ProposalBatch.objects.filter(
        ctx.within("region__code"),
        submitted_at__date__gte=year_start,
        submitted_at__date__lte=ctx.last,
    ).values_list("region_id", flat=True)
    active = {c[: len(ctx.region.code) + 3] for c in codes}
    rows = [_row("region", 0, f"{k.name} ({k.code})", k.code in active) for k in kecamatan]
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def f_id3(ctx: Ctx) -> Count:
    """Programme decisions of record in the quarter that link to a forum decision."""
    from jamsos.budget.models import Allocation
    from jamsos.collaboration.models import Agreement
    from jamsos.enrollment.models import Decree

    linked = DecisionLink.objects.all()
    decree_ids = set(linked.exclude(decree=None).values_list("decree_id", flat=True))
    allocation_ids = set(linked.exclude(allocation=None).values_list("allocation_id", flat=True))
    agreement_ids = set(linked.exclude(agreement=None).values_list("agreement_id", flat=True))
    rows = []
    for d in Decree.objects.filter(
        ctx.within("region__code"),
        status=Decree.Status.ISSUED,
        decree_date__gte=ctx.first,
        decree_date__lte=ctx.last,
    ):
        rows.append(_row("decree", d.pk, f"SK {d.number}", d.pk in decree_ids))
    for a in Allocation.objects.filter(
        ctx.within("fiscal_year__region__code"),
        approved_at__date__gte=ctx.first,
        approved_at__date__lte=ctx.last,
    ):
        rows.append(_row("allocation", a.pk, f"Pagu {a.name}", a.pk in allocation_ids))
    for g in Agreement.objects.filter(
        ctx.within("region__code"), signed_on__gte=ctx.first, signed_on__lte=ctx.last
    ):
        rows.append(_row("agreement", g.pk, g.title[:80], g.pk in agreement_ids))
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def f_id4(ctx: Ctx) -> Count:
    """Request kinds used in the quarter that have an agreed SLA ÷ request kinds used."""
    used: dict[str, bool] = {}
    for kind, sla in InterAgencyRequest.objects.filter(
        ctx.within("forum__region__code"),
        sent_at__date__gte=ctx.first,
        sent_at__date__lte=ctx.last,
    ).values_list("kind", "sla_days"):
        used[kind] = used.get(kind, False) or sla is not None
    rows = [_row("request_kind", 0, kind, ok) for kind, ok in sorted(used.items())]
    return Count(sum(used.values()), len(used), rows)


def f_id5(ctx: Ctx) -> Count:
    """Meetings whose minutes were shared within N days ÷ meetings (N is data)."""
    days = int(ctx.params.get("days", 7))
    rows = []
    for m in ctx.meetings().order_by("starts_at"):
        ok = m.minutes_published_at is not None and (
            m.minutes_published_at - m.starts_at
        ) <= dt.timedelta(days=days)
        rows.append(_row("meeting", m.pk, str(m), ok))
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def f_id6(ctx: Ctx) -> Count:
    """Monthly reports to the Bupati published by their due date ÷ those due in the
    quarter (``reports.Publication``; a month's report is due ``REPORTS_MONTHLY_DUE_DAYS``
    after it ends). A report never published counts in the denominator only."""
    from jamsos.lib.periods import Month, month_range
    from jamsos.reports.documents import due_date_of
    from jamsos.reports.models import Publication

    due = [
        month
        for month in month_range(Month.from_date(ctx.first) - 2, Month.from_date(ctx.last))
        if ctx.first <= due_date_of(month) <= ctx.last
    ]
    first_published: dict[str, dt.datetime] = {}
    for period, published_at in Publication.objects.filter(
        ctx.within("region__code"),
        kind=Publication.Kind.MONTHLY_BUPATI,
        period__in=[str(month) for month in due],
    ).values_list("period", "published_at"):
        if period not in first_published or published_at < first_published[period]:
            first_published[period] = published_at
    rows = []
    for month in due:
        published = first_published.get(str(month))
        ok = published is not None and timezone.localdate(published) <= due_date_of(month)
        rows.append(_row("report_month", 0, str(month), ok))
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def f_fl1(ctx: Ctx) -> Count:
    """Meetings held ÷ planned by the forums' cadence; the longest gap beside it."""
    forums = Forum.objects.filter(ctx.within("region__code")).exclude(established_on__gt=ctx.last)
    planned = sum(f.planned_per_quarter for f in forums)
    held = list(ctx.meetings().exclude(kind=Meeting.Kind.BILATERAL).order_by("starts_at"))
    previous = (
        Meeting.objects.filter(ctx.within("forum__region__code"), starts_at__date__lt=ctx.first)
        .exclude(kind=Meeting.Kind.BILATERAL)
        .order_by("-starts_at")
        .first()
    )
    days = [timezone.localdate(m.starts_at) for m in ([previous] if previous else []) + held]
    days.append(ctx.last)
    gap = max((b - a).days for a, b in itertools.pairwise(days)) if len(days) > 1 else None
    rows = [_row("meeting", m.pk, str(m), True) for m in held]
    return Count(len(held), planned, rows, {"longest_gap_days": gap})


def _pimpinan_of(meeting: Meeting, kind: str) -> bool:
    return any(
        a.level == Attendance.Level.LEADER and a.agency.kind == kind
        for a in meeting.attendances.all()
    )


def f_fl2(ctx: Ctx) -> Count:
    """Meetings with a pimpinan of both the Dinas and BPJS ÷ meetings."""
    rows = []
    for m in ctx.meetings().prefetch_related("attendances__agency").order_by("starts_at"):
        ok = _pimpinan_of(m, Agency.Kind.DINAS) and _pimpinan_of(m, Agency.Kind.BPJS_BRANCH)
        rows.append(_row("meeting", m.pk, str(m), ok))
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def f_fl3(ctx: Ctx) -> Count:
    """Agenda items and decisions proposed by an agency other than the convener ÷ all."""
    meetings = ctx.meetings()
    rows, by_agency = [], {}
    for item in AgendaItem.objects.filter(meeting__in=meetings).select_related(
        "meeting", "proposed_by"
    ):
        ok = item.proposed_by_id != item.meeting.convened_by_id
        rows.append(_row("agenda", item.pk, f"{item.proposed_by.name}: {item.title[:60]}", ok))
        by_agency[item.proposed_by.name] = by_agency.get(item.proposed_by.name, 0) + 1
    for d in Decision.objects.filter(meeting__in=meetings).select_related("meeting", "proposed_by"):
        ok = d.proposed_by_id != d.meeting.convened_by_id
        rows.append(_row("decision", d.pk, f"{d.proposed_by.name}: {d.text[:60]}", ok))
        by_agency[d.proposed_by.name] = by_agency.get(d.proposed_by.name, 0) + 1
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows, {"by_agency": by_agency})


def f_fl4(ctx: Ctx) -> Count:
    """Items that went overdue in the quarter and were escalated within N days ÷ those items."""
    days = int(ctx.params.get("days", 7))
    rows = []
    items = ActionItem.objects.filter(
        ctx.within("forum__region__code"), due_on__gte=ctx.first, due_on__lt=ctx.last
    ).exclude(status=ActionItem.Status.DROPPED)
    for item in items.select_related("owner_agency"):
        went_overdue = item.done_at is None or timezone.localdate(item.done_at) > item.due_on
        if not went_overdue:
            continue
        ok = item.escalated_at is not None and timezone.localdate(item.escalated_at) <= (
            item.due_on + dt.timedelta(days=days)
        )
        rows.append(_row("action_item", item.pk, item.title[:80], ok))
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def f_cp1(ctx: Ctx) -> Count:
    """Meetings face to face (tatap muka or hybrid) ÷ meetings."""
    rows = [
        _row("meeting", m.pk, f"{m} ({m.get_mode_display()})", m.is_face_to_face)
        for m in ctx.meetings().order_by("starts_at")
    ]
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def f_cp1b(ctx: Ctx) -> Count:
    """Core member agencies present ÷ core member agencies expected, summed over meetings."""
    rows, k, n = [], 0, 0
    meetings = ctx.meetings().prefetch_related("attendances", "forum__memberships")
    for m in meetings.order_by("starts_at"):
        day = timezone.localdate(m.starts_at)
        core = {
            ms.agency_id
            for ms in m.forum.memberships.all()
            if ms.role == ForumMembership.Role.CORE and ms.active_on(day)
        }
        present = {a.agency_id for a in m.attendances.all()} & core
        k += len(present)
        n += len(core)
        rows.append(_row("meeting", m.pk, f"{m}: {len(present)}/{len(core)}", present == core))
    return Count(k, n, rows)


def f_cp2(ctx: Ctx) -> Count:
    """Decisions by consensus ÷ decisions."""
    rows = [
        _row("decision", d.pk, d.text[:80], d.kind == Decision.Kind.CONSENSUS)
        for d in Decision.objects.filter(meeting__in=ctx.meetings())
    ]
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows)


def _requests(ctx: Ctx, direction: str) -> Count:
    """Requests resolved in the quarter within their agreed SLA ÷ those resolved with an SLA.
    Requests without an SLA are listed ("SLA belum disepakati") but not counted."""
    requests = InterAgencyRequest.objects.filter(
        ctx.within("forum__region__code"),
        resolved_at__date__gte=ctx.first,
        resolved_at__date__lte=ctx.last,
    ).select_related("from_agency", "to_agency")
    bpjs = Agency.Kind.BPJS_BRANCH
    if direction == "to_bpjs":
        requests = requests.filter(to_agency__kind=bpjs).exclude(from_agency__kind=bpjs)
    elif direction == "from_bpjs":
        requests = requests.filter(from_agency__kind=bpjs).exclude(to_agency__kind=bpjs)
    else:
        requests = requests.exclude(to_agency__kind=bpjs).exclude(from_agency__kind=bpjs)
    rows, days, no_sla = [], [], 0
    for r in requests.order_by("sent_at"):
        days.append(r.days_to_resolve)
        ok = r.within_sla()
        if ok is None:
            no_sla += 1
        label = (
            f"{r.from_agency.name} → {r.to_agency.name}: {r.subject[:50]}"
            f" ({r.days_to_resolve} hari)"
        )
        rows.append(_row("request", r.pk, label, ok))
    counted = [r for r in rows if r["ok"] is not None]
    detail = {"without_sla": no_sla, **_clock(days)}
    return Count(sum(1 for r in counted if r["ok"]), len(counted), rows, detail)


def f_cp3a(ctx: Ctx) -> Count:
    return _requests(ctx, "to_bpjs")


def f_cp3b(ctx: Ctx) -> Count:
    return _requests(ctx, "from_bpjs")


def f_cp3c(ctx: Ctx) -> Count:
    return _requests(ctx, "pemda")


def f_cp5(ctx: Ctx) -> Count:
    """Action items due in the quarter (to date) done by their due date ÷ those due."""
    items = (
        ActionItem.objects.filter(
            ctx.within("forum__region__code"), due_on__gte=ctx.first, due_on__lte=ctx.last
        )
        .exclude(status=ActionItem.Status.DROPPED)
        .select_related("owner_agency")
    )
    rows, by_owner = [], {}
    for item in items:
        ok = item.done_on_time()
        rows.append(
            _row("action_item", item.pk, f"{item.owner_agency.name}: {item.title[:60]}", ok)
        )
        k, n = by_owner.get(item.owner_agency.name, (0, 0))
        by_owner[item.owner_agency.name] = (k + ok, n + 1)
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows, {"by_owner": by_owner})


def f_cp6(ctx: Ctx) -> Count:
    """Obligation instances due in the quarter (to date) fulfilled on time ÷ due, waived
    ones left out; per party beside it."""
    S = ObligationInstance.Status
    instances = (
        ObligationInstance.objects.filter(
            ctx.within("obligation__agreement__region__code"),
            due_on__gte=ctx.first,
            due_on__lte=ctx.last,
        )
        .exclude(status=S.WAIVED)
        .select_related("obligation", "obligation__party", "obligation__agreement")
    )
    rows, by_party = [], {}
    for i in instances:
        ok = i.status == S.FULFILLED
        party = i.obligation.party.name
        rows.append(
            _row(
                "obligation_instance",
                i.pk,
                f"{i.obligation.code} {i.key} ({i.get_status_display()})",
                ok,
            )
        )
        k, n = by_party.get(party, (0, 0))
        by_party[party] = (k + ok, n + 1)
    return Count(sum(1 for r in rows if r["ok"]), len(rows), rows, {"by_party": by_party})


def _sla(code_rule: str, ctx: Ctx) -> int | None:
    obligation = (
        Obligation.objects.filter(
            ctx.within("agreement__region__code"),
            evidence_rule=code_rule,
            effective_from__lte=ctx.last,
            sla_days__isnull=False,
        )
        .exclude(effective_to__lt=ctx.first)
        .order_by("-effective_from")
        .first()
    )
    return obligation.sla_days if obligation else None


def f_cp10(ctx: Ctx) -> Count:
    """Decrees whose BPJS result arrived in the quarter within the agreed SLA ÷ those
    results (SLA from the agreement in force; none agreed: no denominator)."""
    clocks = verification_clock(ctx)
    sla = _sla(Obligation.Evidence.BPJS_RESULT, ctx)
    rows = []
    for pk, label, days in clocks:
        ok = None if sla is None else days <= sla
        rows.append(_row("decree", pk, f"{label}: {days} hari", ok))
    counted = [r for r in rows if r["ok"] is not None]
    detail = {"sla_days": sla, **_clock([d for _p, _l, d in clocks])}
    return Count(sum(1 for r in counted if r["ok"]), len(counted), rows, detail)


def f_cp11(ctx: Ctx) -> Count:
    """Claims paid in the quarter within the agreed payout SLA after approval ÷ paid claims."""
    clocks = claim_clock(ctx)
    sla = _sla(Obligation.Evidence.CLAIM_PAID, ctx)
    rows = []
    for pk, label, days_total, days_after_decision in clocks:
        ok = None if sla is None or days_after_decision is None else days_after_decision <= sla
        rows.append(_row("claim", pk, f"{label}: {days_total} hari", ok))
    counted = [r for r in rows if r["ok"] is not None]
    detail = {"sla_days": sla, **_clock([c[2] for c in clocks])}
    return Count(sum(1 for r in counted if r["ok"]), len(counted), rows, detail)


# --- Turnaround clocks (from the chain's own timestamps) ----------------------------------


def _clock(days: list[int]) -> dict[str, Any]:
    if not days:
        return {"n": 0, "median_days": None, "p90_days": None}
    ordered = sorted(days)
    p90 = ordered[min(len(ordered) - 1, max(0, -(-9 * len(ordered) // 10) - 1))]
    return {"n": len(ordered), "median_days": round(statistics.median(ordered)), "p90_days": p90}


def verification_clock(ctx: Ctx) -> list[tuple[int, str, int]]:
    """(decree, label, days) from the decree's issue (sent to BPJS) to its first result."""
    from django.db.models import Min

    from jamsos.enrollment.models import Decree

    decrees = (
        Decree.objects.filter(ctx.within("region__code"), status=Decree.Status.ISSUED)
        .annotate(file_at=Min("bpjs_imports__imported_at"), line_at=Min("lines__bpjs_recorded_at"))
        .filter(Q(file_at__isnull=False) | Q(line_at__isnull=False))
    )
    out = []
    for d in decrees:
        result = min(t for t in (d.file_at, d.line_at) if t is not None)
        if not (ctx.first <= timezone.localdate(result) <= ctx.last) or d.issued_at is None:
            continue
        days = (timezone.localdate(result) - timezone.localdate(d.issued_at)).days
        out.append((d.pk, f"SK {d.number}", max(days, 0)))
    return out


def claim_clock(ctx: Ctx) -> list[tuple[int, str, int, int | None]]:
    """(claim, label, days complete file → payout, days decision → payout)."""
    from jamsos.claims.models import Claim

    claims = Claim.objects.filter(
        ctx.within("village__code"),
        paid_at__date__gte=ctx.first,
        paid_at__date__lte=ctx.last,
    )
    out = []
    for c in claims:
        start = c.documents_completed_at or c.submitted_at or c.reported_at
        total = (timezone.localdate(c.paid_at) - timezone.localdate(start)).days
        after = (
            (timezone.localdate(c.paid_at) - timezone.localdate(c.decided_at)).days
            if c.decided_at
            else None
        )
        out.append((c.pk, c.reference or f"#{c.pk}", total, after))
    return out


def bill_clock(ctx: Ctx) -> dict[str, Any]:
    """Days from a bill's issue to its SP2D payment date, for payments in the quarter."""
    from jamsos.contributions.models import Payment

    payments = Payment.objects.filter(
        ctx.within("regency__code"), paid_on__gte=ctx.first, paid_on__lte=ctx.last
    ).select_related("bill")
    days = [
        (p.paid_on - timezone.localdate(p.bill.issued_at)).days
        for p in payments
        if p.bill.issued_at is not None
    ]
    return _clock([max(d, 0) for d in days])


FORMULAS: dict[str, Callable[[Ctx], Count]] = {
    "SC-2": f_sc2,
    "ID-1": f_id1,
    "ID-2": f_id2,
    "ID-3": f_id3,
    "ID-4": f_id4,
    "ID-5": f_id5,
    "ID-6": f_id6,
    "FL-1": f_fl1,
    "FL-2": f_fl2,
    "FL-3": f_fl3,
    "FL-4": f_fl4,
    "CP-1": f_cp1,
    "CP-1b": f_cp1b,
    "CP-2": f_cp2,
    "CP-3a": f_cp3a,
    "CP-3b": f_cp3b,
    "CP-3c": f_cp3c,
    "CP-5": f_cp5,
    "CP-6": f_cp6,
    "CP-8": f_cp8,
    "CP-10": f_cp10,
    "CP-11": f_cp11,
}


# --- Assembly -----------------------------------------------------------------------------


def band_of(numerator: int, denominator: int, cuts: list[int | float]) -> int | None:
    """4..1 from cut-offs in percent (lower edges of bands 4, 3, 2); integer arithmetic,
    so 75 of 100 is exactly at the 75 % edge."""
    if not cuts or denominator == 0:
        return None
    for band, cut in zip((4, 3, 2), cuts, strict=False):
        if numerator * 100 >= cut * denominator:
            return band
    return 1


def definition_set_for(quarter: Quarter) -> DefinitionSet | None:
    return (
        DefinitionSet.objects.filter(valid_from__lte=quarter.end).order_by("-valid_from").first()
        or DefinitionSet.objects.order_by("valid_from").first()
    )


def indicator_result(definition: IndicatorDefinition, count: Count) -> dict[str, Any]:
    n, k = count.denominator, count.numerator
    insufficient = n < definition.min_n
    band = None if insufficient else band_of(k, n, definition.band_cuts)
    return {
        "id": definition.code,
        "name": definition.name,
        "numerator": k,
        "denominator": n,
        "value": (k / n) if n else None,
        "band": band,
        "min_n": definition.min_n,
        "insufficient": insufficient,
        "detail": count.detail,
        "rows": count.rows[:500],
    }


def scorecard_compute(
    *,
    region: Region,
    quarter: Quarter,
    today: dt.date | None = None,
    trend: bool = True,
) -> dict[str, Any]:
    """The scorecard of one region and quarter, in the CLI's JSON shape plus, per
    indicator, its rows, its detail and (``trend``) the three quarters before."""
    today = today or timezone.localdate()
    definitions = definition_set_for(quarter)
    version = definitions.version if definitions else ""
    elements: dict[str, list[dict[str, Any]]] = {e: [] for e in ELEMENTS}
    rows = definitions.indicators.all() if definitions else IndicatorDefinition.objects.none()
    for definition in rows:
        formula = FORMULAS.get(definition.code)
        if formula is None:
            continue
        ctx = Ctx(region=region, quarter=quarter, today=today, params=definition.params or {})
        result = indicator_result(definition, formula(ctx))
        if trend:
            result["trend"] = []
            for q in quarter.last(TREND_QUARTERS)[:-1]:
                past = indicator_result(
                    definition,
                    formula(
                        Ctx(region=region, quarter=q, today=today, params=definition.params or {})
                    ),
                )
                result["trend"].append(
                    {
                        "period": str(q),
                        "numerator": past["numerator"],
                        "denominator": past["denominator"],
                        "band": past["band"],
                        "insufficient": past["insufficient"],
                    }
                )
        elements[definition.element].append(result)
    ctx = Ctx(region=region, quarter=quarter, today=today)
    return {
        "region": region.code,
        "period": str(quarter),
        "definitions_version": version,
        "as_of": timezone.now().isoformat(),
        "elements": [{"element": e, "indicators": elements[e]} for e in ELEMENTS],
        "clocks": {
            "bpjs_verification": _clock([d for _p, _l, d in verification_clock(ctx)]),
            "claim_payout": _clock([c[2] for c in claim_clock(ctx)]),
            "bill_to_sp2d": bill_clock(ctx),
        },
        "note": gettext("Skor hanya mencerminkan kegiatan yang dicatat."),
    }


PUBLIC_KEYS = ("id", "name", "numerator", "denominator", "value", "band", "min_n", "insufficient")


def scorecard_json(card: dict[str, Any]) -> dict[str, Any]:
    """The documented shape (issue 11): nothing more, nothing less."""
    return {
        "region": card["region"],
        "period": card["period"],
        "definitions_version": card["definitions_version"],
        "elements": [
            {
                "element": e["element"],
                "indicators": [{k: i[k] for k in PUBLIC_KEYS} for i in e["indicators"]],
            }
            for e in card["elements"]
        ],
    }


def band_label(result: dict[str, Any]) -> str:
    if result.get("insufficient"):
        return gettext(INSUFFICIENT_LABEL)
    band = result.get("band")
    if band is None:
        return "–"
    return gettext(BAND_LABELS[band])


def profile(card: dict[str, Any]) -> dict[str, int]:
    """Count of indicators per band: offered instead of a composite score."""
    out = {label: 0 for label in [*BAND_LABELS.values(), INSUFFICIENT_LABEL]}
    for element in card["elements"]:
        for result in element["indicators"]:
            if result["insufficient"]:
                out[INSUFFICIENT_LABEL] += 1
            elif result["band"] is not None:
                out[BAND_LABELS[result["band"]]] += 1
    return out

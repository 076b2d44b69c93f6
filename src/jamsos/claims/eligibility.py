"""Eligibility of a claim at its event date, and the seam to contribution payments.

**The seam: ``paid_months(membership)``.** Claims need two facts that belong to the
contributions app: was the month of the event paid, and how many months of
contributions ("masa iur") the membership has. Claims asks ``paid_months``, which
answers, checked at call time (``apps.is_installed`` + ``hasattr``), from the first of:

1. ``jamsos.contributions.selectors.membership_paid_months(membership)`` if that
   function exists. Contract: the months (``Month`` or first-of-month ``date``) whose
   contribution for this membership is paid.
2. The contributions app's bill lines (``BillLine``: membership, month, bill) if those
   models exist: a billed month is paid when its bill's status is in ``Bill.SETTLED``;
   a month never billed in this system (coverage from before billing started here) is
   taken from the fallback below.
3. The fallback: every covered month (first..last, not after this month) of a
   membership whose status is active, ended or deceased. Pending and lapsed
   memberships count nothing.

Months of contributions (``contribution_months``) are counted within one membership row,
i.e. one continuous coverage period: after a lapse the count starts again (facts.md §1.4),
which is what the 3-month JKM and 3-year scholarship waiting rules need.

**The rules** (``claim_eligibility``), each finding with a stable code:

- ``membership_pending`` (error): the membership was never activated.
- ``membership_not_covering`` (error): the event date is outside the coverage months.
- ``programme_not_covered`` (error): JKK claims need JKK cover, JKM claims JKM cover.
- ``month_not_paid`` (error): the month of the event is not paid.
- ``jkm_short_membership`` (warning): fewer than ``jkm_full_min_months`` months of
  contributions: the JKM pays the short-membership amount only (Rp 10 M).
- ``beasiswa_min_contribution`` (error): a scholarship after a death not caused by work
  needs ``beasiswa_jkm_min_months`` months of contributions (3 years).
- ``beasiswa_too_many_children`` / ``beasiswa_child_too_old`` / ``beasiswa_no_children``
  (warnings): at most ``beasiswa_max_children`` children, each under
  ``beasiswa_max_age``, with a school level.
- ``jkk_report_late`` (warning): the accident was reported more than
  ``jkk_report_hours`` hours after it happened (form 3 KK1, tahap I). With no time of
  day, the event is taken to have happened at the end of its day (the benefit of doubt).
- ``jkk_claim_expired`` (error): reported more than ``jkk_claim_years`` years after the
  accident; the right to claim has lapsed.
- ``event_in_future`` (error).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from jamsos.claims import rules as r
from jamsos.claims.models import JKK_TYPES, BeasiswaOrigin, ClaimParameter, ClaimType
from jamsos.enrollment.models import Membership
from jamsos.lib.formats import tanggal
from jamsos.lib.periods import Month, month_range

Key = ClaimParameter.Key
ERROR = "error"
WARNING = "warning"
PAID_FALLBACK_STATUSES = frozenset(
    {Membership.Status.ACTIVE, Membership.Status.ENDED, Membership.Status.DECEASED}
)

PaidMonthsSource = Callable[[Membership], Iterable[Month | dt.date]]


def _contributions_source() -> PaidMonthsSource | None:
    """The contributions app's own answer, if it is installed and gives one."""
    if not apps.is_installed("jamsos.contributions"):
        return None
    try:
        module = importlib.import_module("jamsos.contributions.selectors")
    except ImportError:
        return None
    source = getattr(module, "membership_paid_months", None)
    return source if callable(source) else None


def _billed_months(membership: Membership) -> dict[Month, bool] | None:
    """Billed month → paid, from the contributions app's bill lines, if they exist."""
    if not apps.is_installed("jamsos.contributions"):
        return None
    try:
        bill_line = apps.get_model("contributions", "BillLine")
        bill = apps.get_model("contributions", "Bill")
    except LookupError:
        return None
    settled = getattr(bill, "SETTLED", None)
    fields = {f.name for f in bill_line._meta.get_fields()}
    if settled is None or not {"membership", "month", "bill"} <= fields:
        return None
    rows = bill_line.objects.filter(membership=membership).values_list("month", "bill__status")
    return {Month.from_date(month): status in settled for month, status in rows}


def covered_months(membership: Membership, *, until: Month | None = None) -> frozenset[Month]:
    """The fallback of ``paid_months``: covered months of an active/ended/deceased row."""
    if membership.status not in PAID_FALLBACK_STATUSES:
        return frozenset()
    last = min(Month.from_date(membership.last_month), until or Month.current())
    return frozenset(month_range(Month.from_date(membership.first_month), last))


def paid_months(membership: Membership) -> frozenset[Month]:
    """Months whose contribution for ``membership`` is paid (see the module docstring)."""
    source = _contributions_source()
    if source is not None:
        return frozenset(
            m if isinstance(m, Month) else Month.from_date(m) for m in source(membership)
        )
    covered = covered_months(membership)
    billed = _billed_months(membership)
    if billed is None:
        return covered
    return frozenset({m for m, paid in billed.items() if paid} | (covered - billed.keys()))


def covers(membership: Membership, month: Month) -> bool:
    """Whether the membership's coverage period includes ``month``."""
    return membership.first_month <= month.first_day() <= membership.last_month


def contribution_months(membership: Membership, *, until: Month) -> int:
    """Months of contributions of this coverage period up to and including ``until``."""
    return sum(1 for month in paid_months(membership) if month <= until)


# Each finding's text by code, in Bahasa Indonesia with named parameters. A claim stores
# the code, the parameters and the Indonesian text (``Claim.eligibility``); pages and the
# API render the text again in the reader's language (``finding_text``); claims stored
# before the parameters existed show their stored text.
FINDING_TEXTS: dict[str, str] = {
    "event_in_future": gettext_noop("Tanggal kejadian tidak boleh di masa depan."),
    "membership_pending": gettext_noop("Kepesertaan belum aktif (masih menunggu BPJS)."),
    "membership_not_covering": gettext_noop(
        "Bulan kejadian %(month)s di luar masa kepesertaan %(first)s–%(last)s."
    ),
    "programme_not_covered": gettext_noop("Kepesertaan ini tidak mencakup program %(programme)s."),
    "month_not_paid": gettext_noop("Iuran bulan kejadian (%(month)s) belum tercatat lunas."),
    "jkk_report_late": gettext_noop(
        "Kecelakaan dilaporkan %(days)s hari %(hours)s jam setelah kejadian, lewat dari batas "
        "%(limit)s jam (laporan tahap I, formulir 3 KK1)."
    ),
    "jkk_claim_expired": gettext_noop(
        "Hak klaim JKK gugur %(years)s tahun setelah kecelakaan (%(date)s)."
    ),
    "jkm_short_membership": gettext_noop(
        "Masa iur %(months)s bulan, kurang dari %(threshold)s bulan: ahli waris hanya "
        "menerima santunan masa iur pendek."
    ),
    "beasiswa_min_contribution": gettext_noop(
        "Beasiswa karena meninggal bukan kecelakaan kerja memerlukan masa iur %(needed)s "
        "bulan; tercatat %(months)s bulan."
    ),
    "beasiswa_no_children": gettext_noop("Belum ada anak dengan jenjang pendidikan."),
    "beasiswa_too_many_children": gettext_noop(
        "Beasiswa paling banyak untuk %(max)s anak; tercatat %(count)s."
    ),
    "beasiswa_child_too_old": gettext_noop("%(name)s sudah berusia %(age)s tahun atau lebih."),
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, code: str, severity: str, **params: object) -> Finding:
        """A finding with its Indonesian text (stored) and its parameters (re-rendered)."""
        values = {k: str(v) for k, v in params.items()}
        return cls(code, severity, FINDING_TEXTS[code] % values, values)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def finding_text(finding: dict[str, Any]) -> str:
    """A stored finding's text in the active language: from its code and parameters when
    it has them, else (claims checked before they were stored) the stored text."""
    template = FINDING_TEXTS.get(str(finding.get("code")))
    params = finding.get("params")
    if template is None or params is None:
        return str(finding.get("message", ""))
    try:
        return gettext(template) % params
    except (KeyError, TypeError, ValueError):
        return str(finding.get("message", ""))


def findings_shown(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored findings with ``message`` in the reader's language (copies)."""
    return [{**f, "message": finding_text(f)} for f in findings]


@dataclass(frozen=True)
class Eligibility:
    findings: tuple[Finding, ...]
    months_paid: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def eligible(self) -> bool:
        return not self.errors

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def as_list(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self.findings]


@dataclass(frozen=True)
class ChildInfo:
    name: str
    birth_date: dt.date | None
    level: str


def _programme(claim_type: str, origin: str) -> str:
    if claim_type == ClaimType.JKM:
        return "jkm"
    if claim_type == ClaimType.BEASISWA:
        return "jkm" if origin == BeasiswaOrigin.JKM else "jkk"
    return "jkk"


def _event_moment(event_date: dt.date, event_time: dt.time | None) -> dt.datetime:
    if event_time is None:
        moment = dt.datetime.combine(event_date + dt.timedelta(days=1), dt.time.min)
    else:
        moment = dt.datetime.combine(event_date, event_time)
    return timezone.make_aware(moment)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _membership_findings(
    membership: Membership, *, claim_type: str, origin: str, month: Month, paid: frozenset[Month]
) -> list[Finding]:
    findings = []
    if membership.status == Membership.Status.PENDING:
        findings.append(Finding.of("membership_pending", ERROR))
    if not covers(membership, month):
        findings.append(
            Finding.of(
                "membership_not_covering",
                ERROR,
                month=month,
                first=Month.from_date(membership.first_month),
                last=Month.from_date(membership.last_month),
            )
        )
    programme = _programme(claim_type, origin)
    if programme not in (membership.programmes or []):
        findings.append(Finding.of("programme_not_covered", ERROR, programme=programme.upper()))
    if month not in paid:
        findings.append(Finding.of("month_not_paid", ERROR, month=month))
    return findings


def _jkk_findings(
    params: dict[str, ClaimParameter],
    *,
    event_date: dt.date,
    event_time: dt.time | None,
    reported_at: dt.datetime,
    month: Month,
) -> list[Finding]:
    findings = []
    hours = _param(params, Key.JKK_REPORT_HOURS, month)
    late_by = reported_at - _event_moment(event_date, event_time)
    if late_by > dt.timedelta(hours=hours):
        findings.append(
            Finding.of(
                "jkk_report_late",
                WARNING,
                days=late_by.days,
                hours=late_by.seconds // 3600,
                limit=hours,
            )
        )
    years = _param(params, Key.JKK_CLAIM_YEARS, month)
    limit = _years_after(event_date, years)
    if timezone.localdate(reported_at) > limit:
        findings.append(Finding.of("jkk_claim_expired", ERROR, years=years, date=tanggal(limit)))
    return findings


def _param(params: dict[str, ClaimParameter], key: str, month: Month) -> int:
    if key not in params:
        return r.parameter(key, month)  # raises RuleMissing with a clear message
    return int(params[key].value)


def _beasiswa_findings(
    params: dict[str, ClaimParameter],
    *,
    origin: str,
    months_paid: int,
    children: list[ChildInfo],
    on: dt.date,
    month: Month,
) -> list[Finding]:
    findings = []
    if origin == BeasiswaOrigin.JKM:
        needed = _param(params, Key.BEASISWA_JKM_MIN_MONTHS, month)
        if months_paid < needed:
            findings.append(
                Finding.of("beasiswa_min_contribution", ERROR, needed=needed, months=months_paid)
            )
    if not children:
        findings.append(Finding.of("beasiswa_no_children", WARNING))
    max_children = _param(params, Key.BEASISWA_MAX_CHILDREN, month)
    if len(children) > max_children:
        findings.append(
            Finding.of("beasiswa_too_many_children", WARNING, max=max_children, count=len(children))
        )
    max_age = _param(params, Key.BEASISWA_MAX_AGE, month)
    for child in children:
        if child.birth_date and _years_after(child.birth_date, max_age) <= on:
            findings.append(
                Finding.of("beasiswa_child_too_old", WARNING, name=child.name, age=max_age)
            )
    return findings


def claim_eligibility(
    *,
    membership: Membership,
    claim_type: str,
    event_date: dt.date,
    reported_at: dt.datetime | None = None,
    event_time: dt.time | None = None,
    origin: str = "",
    children: list[ChildInfo] | None = None,
) -> Eligibility:
    """Check a claim against the rules at its event date (see the module docstring)."""
    reported_at = reported_at or timezone.now()
    month = Month.from_date(event_date)
    params = r.parameter_rows(month)
    findings: list[Finding] = []
    if event_date > timezone.localdate(reported_at):
        findings.append(Finding.of("event_in_future", ERROR))
    paid = paid_months(membership)
    months_paid = sum(1 for m in paid if m <= month)
    findings += _membership_findings(
        membership, claim_type=claim_type, origin=origin, month=month, paid=paid
    )
    if claim_type in JKK_TYPES:
        findings += _jkk_findings(
            params,
            event_date=event_date,
            event_time=event_time,
            reported_at=reported_at,
            month=month,
        )
    if claim_type == ClaimType.JKM:
        threshold = _param(params, Key.JKM_FULL_MIN_MONTHS, month)
        if months_paid < threshold:
            findings.append(
                Finding.of("jkm_short_membership", WARNING, months=months_paid, threshold=threshold)
            )
    if claim_type == ClaimType.BEASISWA:
        findings += _beasiswa_findings(
            params,
            origin=origin,
            months_paid=months_paid,
            children=children or [],
            on=timezone.localdate(reported_at),
            month=month,
        )
    return Eligibility(findings=tuple(findings), months_paid=months_paid)

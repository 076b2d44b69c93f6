"""Arrears and lapse from the regulation data (``LapseRule``, facts.md §1.4).

What counts: a *billed* month is a contribution due. It is unpaid while its bill is
issued or partly paid (a partial transfer of a collective bill says nothing about which
members it was for), paid once the bill is paid or reconciled. Draft bills are not due
yet, and months never billed in this system (coverage from before it started) are not
counted as arrears: going live must not lapse everybody. The claims app reads paid
months the same way (``BillLine`` + ``Bill.SETTLED``, covered months otherwise).

``arrears_check`` algorithm, for a month A (default: this month):

1. Pick the rule valid in A for each segment that has one (BPU: lapse at 3, warn at 2).
2. The bill lines of open bills up to A of running memberships of the segment (active,
   or pending past their first month), then one grouped query for the last paid month
   of just those memberships; the lines after it are the unpaid months since the last
   payment. Memberships with ≥ the warning length come back.
3. ≥ ``unpaid_months`` → lapse: a conditional UPDATE (only rows still running) sets
   status ``lapsed``, the reason, and ``last_month`` to the month before the
   ``unpaid_months``-th unpaid month ("masuk bulan ketiga tanpa pembayaran,
   perlindungan langsung terputus"); lines of later months still in draft bills are
   removed; a notice and an audit event per membership.
4. Warning length ≤ unpaid < ``unpaid_months`` → a warning notice (once per month).

Reactivation (``membership_reactivate``) never reopens the lapsed row: it creates a new
membership — a new coverage period, which restarts the 3-month and 3-year claim rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.models import User
from jamsos.audit.services import audit_event_build, audit_record, audit_record_many
from jamsos.contributions.models import ArrearsNotice, Bill, BillLine, LapseRule, Reactivation
from jamsos.contributions.services.billing import bills_resum
from jamsos.contributions.services.common import require, validated
from jamsos.enrollment.models import Membership
from jamsos.enrollment.services.memberships import membership_status_for
from jamsos.lib.errors import DomainError, InvalidTransition
from jamsos.lib.formats import bulan
from jamsos.lib.idsets import ids_q
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

# Memberships that can fall into arrears: active, or pending whose first month has come
# but the enrollment app's monthly status refresh has not run yet (they have bill lines).
RUNNING = (Membership.Status.ACTIVE, Membership.Status.PENDING)


def lapse_rules_valid(month: Month) -> list[LapseRule]:
    day = month.first_day()
    return list(
        LapseRule.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("segment")
    )


@dataclass(frozen=True)
class ArrearsEntry:
    membership_id: int
    full_name: str
    kpj_number: str
    village_id: str
    funding_source_id: int
    unpaid_months: tuple[Month, ...]

    @property
    def unpaid(self) -> int:
        return len(self.unpaid_months)

    def last_covered(self, rule: LapseRule) -> Month:
        """The month before the rule's last unpaid month: protection ends there."""
        return self.unpaid_months[rule.unpaid_months - 1] - 1  # type: ignore[return-value]

    def as_dict(self) -> dict[str, Any]:
        return {
            "membership": self.membership_id,
            "kpj_number": self.kpj_number,
            "village": self.village_id,
            "funding_source": self.funding_source_id,
            "unpaid_months": [str(m) for m in self.unpaid_months],
        }


def _unpaid_months(
    *, segment: str | None, as_of: Month | None, memberships: QuerySet[Membership]
) -> dict[int, list[Month]]:
    """The months due and unpaid up to ``as_of`` after each membership's last paid month.

    Set-wise reads: the open lines (issued or partly paid bills), which of their
    memberships are running members of the segment in scope, then the last settled
    month of just those memberships (one grouped query, their ids as one array: an
    index probe each); each membership's last paid month is computed once, not once
    (or twice) per unpaid line."""
    # The open bills first (a handful), then their lines by the line's bill index: a
    # join on the bill's status instead let PostgreSQL scan every line of every month
    # (12M lines at a million members) to keep the few of open bills. Then which of
    # their memberships are in scope and running: by id, never a scan of every membership.
    open_bills = list(
        Bill.objects.filter(status__in=Bill.OPEN).order_by("pk").values_list("pk", flat=True)
    )
    if not open_bills:
        return {}
    lines = BillLine.objects.filter(ids_q("bill_id", open_bills))
    if as_of is not None:  # None: every open month (the summary, ``arrears_months_refresh``)
        lines = lines.filter(month__lte=as_of.first_day())
    due: dict[int, list[Month]] = defaultdict(list)
    for membership_id, month in lines.values_list("membership_id", "month").order_by(
        "membership_id", "month"
    ):
        due[membership_id].append(Month.from_date(month))
    if not due:
        return {}
    running_in = memberships.filter(status__in=RUNNING)
    if segment is not None:
        running_in = running_in.filter(segment=segment)
    running = set(running_in.filter(ids_q("pk", due)).values_list("pk", flat=True))
    months = {m: due[m] for m in running}
    if not months:
        return {}
    # Only settled months after the earliest open one can hide an open month (a month
    # paid before it is earlier than every open month anyway): the key range
    # (membership, month > that) is all each probe reads, not the membership's history.
    earliest = min(m for open_months in months.values() for m in open_months)
    last_paid = dict(
        BillLine.objects.filter(bill__status__in=Bill.SETTLED, month__gt=earliest.first_day())
        .filter(ids_q("membership_id", months))
        .values("membership_id")
        .annotate(last=Max("month"))
        .values_list("membership_id", "last")
        .order_by()
    )
    unpaid: dict[int, list[Month]] = {}
    for membership_id, open_months in months.items():
        paid = last_paid.get(membership_id)
        after = [m for m in open_months if paid is None or m > Month.from_date(paid)]
        if after:
            unpaid[membership_id] = after
    return unpaid


def arrears_candidates(
    *, rule: LapseRule, as_of: Month, memberships: QuerySet[Membership] | None = None
) -> list[ArrearsEntry]:
    """Step 2: active memberships of the rule's segment unpaid for ≥ the warning length."""
    unpaid = _unpaid_months(
        segment=rule.segment,
        as_of=as_of,
        memberships=memberships if memberships is not None else Membership.objects.all(),
    )
    counted = {m: due for m, due in unpaid.items() if len(due) >= rule.warn_at_months}
    if not counted:
        return []
    rows = (
        Membership.objects.filter(ids_q("pk", counted))
        .values_list("pk", "person__full_name", "kpj_number", "village_id", "funding_source_id")
        .order_by("village_id", "person__full_name", "pk")
    )
    return [
        ArrearsEntry(pk, name, kpj, village, source, tuple(counted[pk]))
        for pk, name, kpj, village, source in rows
    ]


@dataclass
class ArrearsReport:
    as_of: Month
    rules: list[LapseRule] = field(default_factory=list)
    warnings: list[ArrearsEntry] = field(default_factory=list)
    lapses: list[ArrearsEntry] = field(default_factory=list)
    new_warnings: int = 0
    applied: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": str(self.as_of),
            "applied": self.applied,
            "rules": [
                {
                    "segment": r.segment,
                    "unpaid_months": r.unpaid_months,
                    "warn_at_months": r.warn_at_months,
                    "legal_basis": r.legal_basis,
                    "confirmed": r.confirmed,
                }
                for r in self.rules
            ],
            "warned": len(self.warnings),
            "new_warnings": self.new_warnings,
            "lapsed": len(self.lapses),
            "warnings": [e.as_dict() for e in self.warnings],
            "lapses": [e.as_dict() for e in self.lapses],
        }


def _scoped(regency: Region | None) -> QuerySet[Membership]:
    if regency is None:
        return Membership.objects.all()
    return Membership.objects.filter(village__code__startswith=regency.code + ".")


def arrears_check(
    *,
    as_of: Month,
    regency: Region | None = None,
    apply: bool = True,
    acting_user: User | None,
) -> ArrearsReport:
    """Find memberships to warn and to lapse at ``as_of``; with ``apply``, record them."""
    require(acting_user, "contributions.manage_arrears", regency.code if regency else "")
    report = ArrearsReport(as_of=as_of, rules=lapse_rules_valid(as_of), applied=apply)
    with transaction.atomic():
        for rule in report.rules:
            entries = arrears_candidates(rule=rule, as_of=as_of, memberships=_scoped(regency))
            lapses = [e for e in entries if e.unpaid >= rule.unpaid_months]
            warnings = [e for e in entries if e.unpaid < rule.unpaid_months]
            if apply:
                lapses = _lapse(lapses, rule=rule, as_of=as_of, acting_user=acting_user)
                report.new_warnings += _warn(warnings, rule=rule, as_of=as_of)
            report.lapses += lapses
            report.warnings += warnings
    return report


def _warn(entries: list[ArrearsEntry], *, rule: LapseRule, as_of: Month) -> int:
    if not entries:
        return 0
    ids = [e.membership_id for e in entries]
    known = set(
        ArrearsNotice.objects.filter(
            kind=ArrearsNotice.Kind.WARNING, as_of=as_of.first_day(), membership_id__in=ids
        ).values_list("membership_id", flat=True)
    )
    ArrearsNotice.objects.bulk_create(
        [
            ArrearsNotice(
                membership_id=e.membership_id,
                kind=ArrearsNotice.Kind.WARNING,
                as_of=as_of.first_day(),
                unpaid_months=[str(m) for m in e.unpaid_months],
                rule=rule,
            )
            for e in entries
            if e.membership_id not in known
        ],
        batch_size=5_000,
    )
    return len(set(ids) - known)


def _lapse_reason(entry: ArrearsEntry, rule: LapseRule) -> str:
    return (
        f"Nonaktif: iuran {entry.unpaid} bulan berturut-turut belum dibayar "
        f"({bulan(str(entry.unpaid_months[0]))} s.d. {bulan(str(entry.unpaid_months[-1]))}); "
        f"aturan {rule.segment.upper()} nonaktif setelah {rule.unpaid_months} bulan menunggak."
    )[:255]


def _lapse(
    entries: list[ArrearsEntry], *, rule: LapseRule, as_of: Month, acting_user: User | None
) -> list[ArrearsEntry]:
    """Step 3; returns the entries actually lapsed (still active at the UPDATE)."""
    now = timezone.now()
    touched_bills: set[int] = set()
    done: list[ArrearsEntry] = []
    # One conditional UPDATE per distinct (last covered month, reason): usually a few.
    groups: dict[tuple[Month, str], list[ArrearsEntry]] = defaultdict(list)
    for entry in entries:
        groups[(entry.last_covered(rule), _lapse_reason(entry, rule))].append(entry)
    for (last_covered, reason), group in groups.items():
        ids = [e.membership_id for e in group]
        still_running = Membership.objects.filter(pk__in=ids, status__in=RUNNING)
        changed = set(still_running.values_list("pk", flat=True))
        Membership.objects.filter(pk__in=changed, status__in=RUNNING).update(
            status=Membership.Status.LAPSED,
            status_reason=reason,
            status_changed_at=now,
            last_month=last_covered.first_day(),
        )
        drafts = BillLine.objects.filter(
            membership_id__in=changed,
            month__gt=last_covered.first_day(),
            bill__status=Bill.Status.DRAFT,
        )
        touched_bills |= set(drafts.values_list("bill_id", flat=True))
        drafts.delete()
        done += [e for e in group if e.membership_id in changed]
    bills_resum(sorted(touched_bills))
    ArrearsNotice.objects.bulk_create(
        [
            ArrearsNotice(
                membership_id=e.membership_id,
                kind=ArrearsNotice.Kind.LAPSE,
                as_of=as_of.first_day(),
                unpaid_months=[str(m) for m in e.unpaid_months],
                rule=rule,
            )
            for e in done
        ],
        batch_size=5_000,
        ignore_conflicts=True,
    )
    memberships = Membership.objects.select_related("person").in_bulk(
        [e.membership_id for e in done]
    )
    audit_record_many(
        audit_event_build(
            action="contributions.membership.lapsed",
            acting_user=acting_user,
            obj=memberships[e.membership_id],
            before={"status": Membership.Status.ACTIVE},
            after={
                "status": Membership.Status.LAPSED,
                "last_month": str(e.last_covered(rule)),
            },
            data={
                "as_of": str(as_of),
                "unpaid_months": [str(m) for m in e.unpaid_months],
                "rule": rule.pk,
                "legal_basis": rule.legal_basis,
            },
        )
        for e in done
    )
    return done


@transaction.atomic
def membership_reactivate(
    *,
    lapsed: Membership,
    first_month: Month,
    last_month: Month | None = None,
    note: str = "",
    acting_user: User | None,
) -> Membership:
    """Continue a lapsed membership as a new coverage period (a new Membership row).

    ``last_month`` defaults to December of ``first_month``'s year (one fiscal year).
    Refused when the membership is not lapsed, was reactivated already, or the new
    period starts before the lapse or overlaps another membership of the person.
    """
    require(acting_user, "contributions.manage_arrears", lapsed.village_id)
    lapsed = Membership.objects.select_for_update().get(pk=lapsed.pk)
    if lapsed.status != Membership.Status.LAPSED:
        raise InvalidTransition(
            gettext("Hanya kepesertaan yang nonaktif karena menunggak dapat diaktifkan kembali."),
            status=lapsed.status,
        )
    if Reactivation.objects.filter(lapsed=lapsed).exists():
        raise InvalidTransition(
            gettext("Kepesertaan ini sudah diaktifkan kembali."), code="reactivated"
        )
    last = last_month or first_month.december()
    if first_month <= Month.from_date(lapsed.last_month):
        raise DomainError(
            gettext(
                "Masa kepesertaan baru harus mulai setelah %(last_month)s (bulan "
                "terakhir sebelum nonaktif)."
            )
            % {"last_month": bulan(lapsed.last_month)},
            code="reactivation_overlaps",
        )
    if last < first_month:
        raise DomainError(gettext("Bulan terakhir sebelum bulan pertama."), code="period")
    overlapping = Membership.objects.filter(
        person_id=lapsed.person_id,
        first_month__lte=last.first_day(),
        last_month__gte=first_month.first_day(),
    ).exclude(pk=lapsed.pk)
    overlapping = overlapping.exclude(status=Membership.Status.CANCELLED)
    if overlapping.exists():
        raise DomainError(
            gettext("Peserta sudah punya kepesertaan yang mencakup %(first_month)s–%(last)s.")
            % {"first_month": first_month, "last": last},
            code="reactivation_overlaps",
        )
    membership = Membership(
        person_id=lapsed.person_id,
        segment=lapsed.segment,
        programmes=list(lapsed.programmes),
        funding_source_id=lapsed.funding_source_id,
        village_id=lapsed.village_id,
        kpj_number=lapsed.kpj_number,
        first_month=first_month.first_day(),
        last_month=last.first_day(),
        status=membership_status_for(first_month, last, Month.current()),
        status_reason=f"Diaktifkan kembali setelah nonaktif (kepesertaan #{lapsed.pk}).",
    )
    validated(membership)
    membership.save(force_insert=True)
    Reactivation.objects.create(
        lapsed=lapsed, membership=membership, note=note.strip()[:255], created_by=acting_user
    )
    audit_record(
        action="contributions.membership.reactivated",
        acting_user=acting_user,
        obj=membership,
        after={
            "first_month": str(first_month),
            "last_month": str(last),
            "status": membership.status,
        },
        data={"lapsed_membership": lapsed.pk, "note": note.strip()},
    )
    return membership

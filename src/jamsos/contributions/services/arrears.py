"""Arrears and lapse from the regulation data (``LapseRule``, facts.md §1.4).

A month of a membership is *paid* when its bill line belongs to a paid or reconciled
bill; every other covered month up to the check month — billed and unpaid, partly paid,
or never billed — is unpaid (the payer, not the member, decides when the bill runs).
A partly paid bill leaves all its lines unpaid: a collective bill says nothing about
which members a partial transfer was for.

``arrears_check`` algorithm, for a month A (default: this month):

1. Pick the rule valid in A for each segment that has one (BPU: lapse at 3, warn at 2).
2. One grouped query: active memberships of the segment covering A, with the last
   paid month; the trailing run of unpaid months ends at A and starts after the last
   paid month (or at the first month). Only runs ≥ the warning length come back.
3. Run ≥ ``unpaid_months`` → lapse: a conditional UPDATE (only rows still active)
   sets status ``lapsed``, the reason, and ``last_month`` to the month before the
   ``unpaid_months``-th unpaid month ("masuk bulan ketiga tanpa pembayaran,
   perlindungan langsung terputus"); lines of later months still in draft bills are
   removed; a notice and an audit event per membership.
4. Warning length ≤ run < ``unpaid_months`` → a warning notice (once per month).

Reactivation (``membership_reactivate``) never reopens the lapsed row: it creates a new
membership — a new coverage period, which restarts the 3-month and 3-year claim rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, IntegerField, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest
from django.utils import timezone

from jamsos.accounts.models import User
from jamsos.audit.services import audit_event_build, audit_record, audit_record_many
from jamsos.contributions.models import ArrearsNotice, Bill, BillLine, LapseRule, Reactivation
from jamsos.contributions.services.billing import bills_resum
from jamsos.contributions.services.common import require, validated
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, InvalidTransition
from jamsos.lib.formats import bulan
from jamsos.lib.periods import Month, month_range
from jamsos.regions.models import Region


def lapse_rules_valid(month: Month) -> list[LapseRule]:
    day = month.first_day()
    return list(
        LapseRule.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("segment")
    )


def _index(expression: Any) -> Any:
    """Months since year 0 of a date expression (``Month.index`` in SQL)."""
    return ExtractYear(expression) * 12 + ExtractMonth(expression) - 1


@dataclass(frozen=True)
class ArrearsEntry:
    membership_id: int
    full_name: str
    kpj_number: str
    village_id: str
    funding_source_id: int
    first_unpaid: Month
    as_of: Month

    @property
    def unpaid_months(self) -> list[Month]:
        return list(month_range(self.first_unpaid, self.as_of))

    @property
    def run(self) -> int:
        return len(self.unpaid_months)

    def as_dict(self) -> dict[str, Any]:
        return {
            "membership": self.membership_id,
            "kpj_number": self.kpj_number,
            "village": self.village_id,
            "funding_source": self.funding_source_id,
            "unpaid_months": [str(m) for m in self.unpaid_months],
        }


def arrears_candidates(
    *, rule: LapseRule, as_of: Month, memberships: QuerySet[Membership] | None = None
) -> list[ArrearsEntry]:
    """Step 2: active memberships of the rule's segment in arrears for ≥ the warning."""
    day = as_of.first_day()
    queryset = memberships if memberships is not None else Membership.objects.all()
    first_index = _index(F("first_month"))
    rows = (
        queryset.filter(
            status=Membership.Status.ACTIVE,
            segment=rule.segment,
            first_month__lte=day,
            last_month__gte=day,
        )
        .annotate(
            last_paid=Max("bill_lines__month", filter=Q(bill_lines__bill__status__in=Bill.SETTLED))
        )
        .annotate(
            start_index=Greatest(
                first_index,
                Coalesce(_index(F("last_paid")), first_index - 1) + 1,
                output_field=IntegerField(),
            )
        )
        .annotate(run=Value(as_of.index, output_field=IntegerField()) - F("start_index") + 1)
        .filter(run__gte=rule.warn_at_months)
        .values_list(
            "pk",
            "person__full_name",
            "kpj_number",
            "village_id",
            "funding_source_id",
            "start_index",
        )
        .order_by("village_id", "person__full_name", "pk")
    )
    return [
        ArrearsEntry(pk, name, kpj, village, source, Month.from_index(int(start)), as_of)
        for pk, name, kpj, village, source, start in rows
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
            lapses = [e for e in entries if e.run >= rule.unpaid_months]
            warnings = [e for e in entries if e.run < rule.unpaid_months]
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
        f"Nonaktif: iuran {entry.run} bulan berturut-turut belum dibayar "
        f"({bulan(str(entry.first_unpaid))} s.d. {bulan(str(entry.as_of))}); aturan "
        f"{rule.segment.upper()} nonaktif setelah {rule.unpaid_months} bulan menunggak."
    )[:255]


def _lapse(
    entries: list[ArrearsEntry], *, rule: LapseRule, as_of: Month, acting_user: User | None
) -> list[ArrearsEntry]:
    """Step 3; returns the entries actually lapsed (still active at the UPDATE)."""
    now = timezone.now()
    by_start: dict[Month, list[ArrearsEntry]] = defaultdict(list)
    for entry in entries:
        by_start[entry.first_unpaid].append(entry)
    done: list[ArrearsEntry] = []
    touched_bills: set[int] = set()
    for start, group in by_start.items():
        # Covered up to the month before the rule's last unpaid month.
        last_covered = start + (rule.unpaid_months - 2)
        ids = [e.membership_id for e in group]
        changed = set(
            Membership.objects.filter(pk__in=ids, status=Membership.Status.ACTIVE).values_list(
                "pk", flat=True
            )
        )
        Membership.objects.filter(pk__in=changed, status=Membership.Status.ACTIVE).update(
            status=Membership.Status.LAPSED,
            status_reason=_lapse_reason(group[0], rule),
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
                "last_month": str(e.first_unpaid + (rule.unpaid_months - 2)),
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
            "Hanya kepesertaan yang nonaktif karena menunggak dapat diaktifkan kembali.",
            status=lapsed.status,
        )
    if Reactivation.objects.filter(lapsed=lapsed).exists():
        raise InvalidTransition("Kepesertaan ini sudah diaktifkan kembali.", code="reactivated")
    last = last_month or first_month.december()
    if first_month <= Month.from_date(lapsed.last_month):
        raise DomainError(
            f"Masa kepesertaan baru harus mulai setelah {bulan(lapsed.last_month)} "
            "(bulan terakhir sebelum nonaktif).",
            code="reactivation_overlaps",
        )
    if last < first_month:
        raise DomainError("Bulan terakhir sebelum bulan pertama.", code="period")
    overlapping = Membership.objects.filter(
        person_id=lapsed.person_id,
        first_month__lte=last.first_day(),
        last_month__gte=first_month.first_day(),
    ).exclude(pk=lapsed.pk)
    if overlapping.exists():
        raise DomainError(
            f"Peserta sudah punya kepesertaan yang mencakup {first_month}–{last}.",
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
        status=Membership.Status.ACTIVE,
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

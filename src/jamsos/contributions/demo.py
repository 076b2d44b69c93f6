"""Demo data: bills and payments for the demo's history, one unpaid month, one discrepancy.

``demo_step_bills`` runs after the enrolment step (which makes budgets, decrees and
memberships). Without memberships it does nothing, so the demo loads before that step
exists. What it makes, for each kabupaten with memberships:

1. the billing run for every month from the first covered month to the demo's month, run
   by the BPJS officer (``bpjs``), each bill issued by the same officer;
2. a treasury payment (SP2D, recorded by the Dinas operator ``operator``) for every bill
   except the last month's, which stays issued and unpaid — the unpaid month to show;
3. the BPJS branch's statement for the last three paid months, with one member's last
   month missing from it — the discrepancy to show, open on the reconciliation page;
   the other paid bills of those months come out reconciled.

Before billing, a few demo persons without coverage become the Pemda's non-ASN wage
earners (PU) on the APBD, from five months before the demo's month, with their wage and
risk group recorded through the enrollment service: their lines show PU billing (wage ×
the risk group's JKK rate + the JKM rate) next to the BPU members on the APBD bills.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Min
from django.utils import timezone

from jamsos.budget.models import FundingSource, Segment
from jamsos.contributions import services
from jamsos.contributions.models import Bill, BillLine
from jamsos.demo.registry import demo_step
from jamsos.enrollment.models import Membership
from jamsos.enrollment.services.coverage import membership_wage_set
from jamsos.lib.periods import Month, month_range
from jamsos.regions.models import Region

if TYPE_CHECKING:
    from jamsos.demo.registry import DemoContext

TREASURY_ACCOUNT = "Rekening Kas Umum Daerah (RKUD) Kabupaten Sijunjung, Bank Nagari"
STATEMENT_MONTHS = 3
# Non-ASN staff of the Pemda (PU): monthly wages of the demo. Government administration
# is usually risk group "sangat rendah" (facts.md §2, unconfirmed for these workers).
PU_WAGES = (2_250_000, 2_500_000, 2_811_450, 3_100_000, 3_500_000)
PU_RISK_GROUP = "sangat_rendah"
PU_MONTHS_BEFORE = 5


def _pu_non_asn(ctx: DemoContext) -> int:
    """Demo persons without coverage become PU members on the APBD; returns how many."""
    source = FundingSource.objects.filter(region=ctx.regency, kind=FundingSource.Kind.APBD).first()
    operator = ctx.users.get("operator")
    if source is None or operator is None or not ctx.persons:
        return 0
    covered = set(Membership.objects.values_list("person_id", flat=True))
    free = [p for p in ctx.persons if p.pk not in covered and not p.is_deceased]
    first = Month.from_date(ctx.as_of) - PU_MONTHS_BEFORE
    made = 0
    for person, wage in zip(free, PU_WAGES, strict=False):
        membership = Membership.objects.create(
            person=person,
            segment=Segment.PU,
            programmes=["jkk", "jkm"],
            funding_source=source,
            village_id=person.village_id,
            kpj_number=f"27{person.pk:09d}",
            first_month=first.first_day(),  # type: ignore[union-attr]
            last_month=Month(ctx.as_of.year, 12).first_day(),
            status=Membership.Status.ACTIVE,
            status_reason="Demo: tenaga non-ASN Pemda (PU)",
        )
        membership_wage_set(
            membership=membership, wage=wage, risk_group=PU_RISK_GROUP, acting_user=operator
        )
        made += 1
    return made


def _statement_csv(lines: list[tuple[str, str, list[Month], int]]) -> bytes:
    """The branch's export: KPJ, name, months paid (a range), amount."""
    out = ["Rekening Iuran Kolektif — BPJS Ketenagakerjaan Kantor Cabang Solok;;;", ""]
    out.append("No KPJ;Nama Peserta;Bulan Dibayar;Jumlah Iuran")
    for kpj, name, months, amount in lines:
        period = str(months[0]) if len(months) == 1 else f"{months[0]} s.d. {months[-1]}"
        out.append(f"{kpj};{name.replace(';', ' ')};{period};{amount}")
    return ("\n".join(out) + "\n").encode()


def _statement(ctx: DemoContext, regency: Region, paid_months: list[Month]) -> int:
    """Step 3: the statement with one planted discrepancy; returns rows created."""
    months = paid_months[-STATEMENT_MONTHS:]
    if not months:
        return 0
    per_member: dict[int, list[tuple[Month, int]]] = {}
    lines = BillLine.objects.filter(
        bill__regency=regency,
        bill__status__in=Bill.SETTLED,
        month__gte=months[0].first_day(),
        month__lte=months[-1].first_day(),
    ).values_list("membership_id", "month", "amount")
    for membership_id, month, amount in lines:
        per_member.setdefault(membership_id, []).append((Month.from_date(month), amount))
    members = {
        pk: (kpj, name)
        for pk, kpj, name in Membership.objects.filter(pk__in=per_member)
        .exclude(kpj_number="")
        .values_list("pk", "kpj_number", "person__full_name")
    }
    if not members:
        return 0
    rows = []
    planted = ctx.rng("bills").choice(sorted(members))
    for pk in sorted(members):
        kpj, name = members[pk]
        paid = sorted(per_member[pk])
        if pk == planted and len(paid) > 1:
            paid = paid[:-1]  # BPJS did not credit this member's last month
        rows.append((kpj, name, [m for m, _a in paid], sum(a for _m, a in paid)))
    result = services.statement_import(
        regency=regency,
        file_name=f"rekening-iuran-cabang-solok-{months[0]}-{months[-1]}.csv",
        data=_statement_csv(rows),
        acting_user=ctx.users.get("bpjs"),
    )
    return result.statement.rows + result.statement.discrepancies.count()


@demo_step("bills", order=50)
def demo_step_bills(ctx: DemoContext) -> int:
    """Bills and payments for the demo history (see the module docstring)."""
    billable = Membership.objects.filter(status__in=services.BILLABLE_STATUSES)
    if not billable.exists():
        return 0
    _pu_non_asn(ctx)
    first = billable.aggregate(first=Min("first_month"))["first"]
    if first is None:
        return 0
    bpjs, operator = ctx.users.get("bpjs"), ctx.users.get("operator")
    last = Month.from_date(ctx.as_of)
    today = timezone.localdate()
    regencies = Region.objects.filter(
        pk__in=billable.values("funding_source__region_id").distinct()
    ).order_by("code")
    created = 0
    for regency in regencies:
        paid_months: list[Month] = []
        for month in month_range(Month.from_date(first), last):
            result = services.billing_run(regency=regency, month=month, acting_user=bpjs)
            for outcome in result.bills:
                if not outcome.created:
                    continue
                bill = services.bill_issue(bill=outcome.bill, acting_user=bpjs)
                created += 1
                if month == last or bill.due == 0:
                    continue
                services.payment_record(
                    bill=bill,
                    sp2d_number=f"{900 + month.month:03d}/{bill.pk:05d}/SP2D-LS/BPKAD/{month.year}",
                    paid_on=min(dt.date(month.year, month.month, 20), today),
                    amount=bill.due,
                    treasury_account=TREASURY_ACCOUNT,
                    acting_user=operator,
                )
                created += 1
            if month != last and result.bills:
                paid_months.append(month)
        created += _statement(ctx, regency, paid_months)
    return created

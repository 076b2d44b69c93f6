"""REST API of contributions: one operation per action, explicit In/Out schemas (STYLE.md 13).

Same rules as the pages: ``access_*`` for every object (missing and forbidden are both
404), services check permissions again, persons only for roles that may see them.
Months are ``"YYYY-MM"`` strings, money integer rupiah.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jamsos.accounts.access import may_see_persons, region_in_scope, require_perm
from jamsos.api.schemas import Count, Id, IdList, Rupiah, Year
from jamsos.contributions import access, selectors, services
from jamsos.contributions.models import Bill, Discrepancy, Payment, StatementImport
from jamsos.contributions.transparency import transparency_report
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

router = Router(tags=["contributions"])

MONTH_PATTERN = r"^\d{4}-\d{2}$"


def _user(request: HttpRequest) -> Any:
    return request.user


def _regency(request: HttpRequest, code: str) -> Region:
    region = Region.objects.filter(pk=code, level=Region.Level.REGENCY).first()
    if region is None or not region_in_scope(_user(request), code):
        raise NotFoundOrForbidden(
            gettext("Kabupaten/kota %(code)s tidak ditemukan.") % {"code": code}
        )
    return region


def _month(value: dt.date) -> str:
    return str(Month.from_date(value))


# --- Schemas -------------------------------------------------------------------------------


class BillingRunIn(Schema):
    regency: str = Field(examples=["13.03"])
    month: str = Field(pattern=MONTH_PATTERN, examples=["2025-03"])
    months: Count = Field(default=1, examples=[1, 3, 6, 12])
    source_ids: IdList | None = None


class BillOut(Schema):
    id: int
    number: str
    regency: str
    region: str
    source_id: int
    source: str
    source_kind: str
    first_month: str
    last_month: str
    months: int
    sequence: int
    status: str
    members: int
    person_months: int
    total: int
    credit_applied: int
    adjusted_amount: int
    paid_amount: int
    due: int
    issued_at: dt.datetime | None

    @staticmethod
    def of(bill: Bill) -> dict[str, Any]:
        return {
            "id": bill.pk,
            "number": bill.number,
            "regency": bill.regency_id,
            "region": bill.region_id,
            "source_id": bill.funding_source_id,
            "source": bill.funding_source.name,
            "source_kind": bill.funding_source.kind,
            "first_month": _month(bill.first_month),
            "last_month": _month(bill.last_month),
            "months": bill.months,
            "sequence": bill.sequence,
            "status": bill.status,
            "members": bill.members,
            "person_months": bill.person_months,
            "total": bill.total,
            "credit_applied": bill.credit_applied,
            "adjusted_amount": bill.adjusted_amount,
            "paid_amount": bill.paid_amount,
            "due": bill.due,
            "issued_at": bill.issued_at,
        }


class BillingRunBillOut(Schema):
    source: str
    source_id: int
    number: str
    status: str
    members: int
    total: int
    created: bool
    lines_added: int


class BillingRunOut(Schema):
    month: str
    last_month: str
    regency: str
    members: int
    total: int
    created: int
    lines_added: int
    skipped: dict[str, int]
    bills: list[BillingRunBillOut]


class BillMonthOut(Schema):
    month: str
    segment: str
    wage: int | None = Field(description="PU: the wage this rate is for; null for BPU.")
    risk_group: str
    members: int
    amount: int
    per_person_month: int
    jkk: int
    jkm: int
    legal_basis: list[str]
    unconfirmed: list[str]


class PaymentIn(Schema):
    sp2d_number: str = Field(min_length=1, max_length=80)
    paid_on: dt.date
    amount: Rupiah = Field(gt=0)
    treasury_account: str = Field(min_length=1, max_length=120)
    note: str = ""


class PaymentOut(Schema):
    id: int
    bill_id: int
    sp2d_number: str
    paid_on: dt.date
    amount: int
    applied_amount: int
    credited_amount: int
    treasury_account: str

    @staticmethod
    def of(payment: Payment) -> dict[str, Any]:
        return {
            "id": payment.pk,
            "bill_id": payment.bill_id,
            "sp2d_number": payment.sp2d_number,
            "paid_on": payment.paid_on,
            "amount": payment.amount,
            "applied_amount": payment.applied_amount,
            "credited_amount": payment.credited_amount,
            "treasury_account": payment.treasury_account,
        }


class BillDetailOut(Schema):
    bill: BillOut
    months: list[BillMonthOut]
    payments: list[PaymentOut]
    credit_balance: int


class PaymentRecordOut(Schema):
    payment: PaymentOut
    bill: BillOut


class TransparencyRowOut(Schema):
    month: str
    source_id: int | None
    source: str
    kind: str
    registered: int
    billed_members: int
    payable: int
    paid: int
    unpaid: int
    claims_paid: int


class TransparencyOut(Schema):
    regency: str
    year: int
    claims_available: bool
    rows: list[TransparencyRowOut]
    total_payable: int
    total_paid: int
    total_claims_paid: int


class StatementImportIn(Schema):
    regency: str = Field(examples=["13.03"])
    first_month: str | None = Field(default=None, pattern=MONTH_PATTERN)
    last_month: str | None = Field(default=None, pattern=MONTH_PATTERN)


class StatementOut(Schema):
    id: int
    regency: str
    file_name: str
    first_month: str
    last_month: str
    rows: int
    total: int
    our_total: int
    created: bool
    reconciled_bills: int
    discrepancies_open: int

    @staticmethod
    def of(statement: StatementImport, *, created: bool, reconciled: int) -> dict[str, Any]:
        return {
            "id": statement.pk,
            "regency": statement.regency_id,
            "file_name": statement.file_name,
            "first_month": _month(statement.first_month),
            "last_month": _month(statement.last_month),
            "rows": statement.rows,
            "total": statement.total,
            "our_total": statement.our_total,
            "created": created,
            "reconciled_bills": reconciled,
            "discrepancies_open": selectors.discrepancy_counts(statement=statement)["open"],
        }


class DiscrepancyOut(Schema):
    id: int
    statement_id: int
    kind: str
    kpj_number: str
    full_name: str
    membership_id: int | None
    our_months: list[str]
    their_months: list[str]
    our_amount: int
    their_amount: int
    status: str
    resolution_note: str
    resolved_at: dt.datetime | None

    @staticmethod
    def of(d: Discrepancy) -> dict[str, Any]:
        return {
            "id": d.pk,
            "statement_id": d.statement_id,
            "kind": d.kind,
            "kpj_number": d.kpj_number,
            "full_name": d.full_name,
            "membership_id": d.membership_id,
            "our_months": d.our_months,
            "their_months": d.their_months,
            "our_amount": d.our_amount,
            "their_amount": d.their_amount,
            "status": d.status,
            "resolution_note": d.resolution_note,
            "resolved_at": d.resolved_at,
        }


class DiscrepancyResolveIn(Schema):
    note: str = Field(min_length=1, max_length=2000)


class ArrearsEntryOut(Schema):
    membership: int
    kpj_number: str
    village: str
    funding_source: int
    unpaid_months: list[str]


# The arrears lists are paged (each list sliced alike); ``warned`` and ``lapsed`` count
# them whole.
ARREARS_PAGE_SIZE = 200
ARREARS_MAX_PAGE_SIZE = 5_000


class ArrearsOut(Schema):
    as_of: str
    warned: int
    lapsed: int
    page: int
    page_size: int
    warnings: list[ArrearsEntryOut]
    lapses: list[ArrearsEntryOut]


class ReactivateIn(Schema):
    first_month: str = Field(pattern=MONTH_PATTERN)
    last_month: str | None = Field(default=None, pattern=MONTH_PATTERN)
    note: str = ""


class ReactivatedMembershipOut(Schema):
    id: int
    person_id: int
    kpj_number: str
    first_month: str
    last_month: str
    status: str
    funding_source_id: int


# --- Operations ----------------------------------------------------------------------------


@router.post("/billing-runs", response=BillingRunOut, summary="Hitung tagihan bulan")
def billing_run(request: HttpRequest, payload: BillingRunIn) -> dict[str, Any]:
    user = _user(request)
    require_perm(user, "contributions.run_billing")
    regency = _regency(request, payload.regency)
    sources = None
    if payload.source_ids:
        sources = list(
            selectors.funding_sources_for_billing(regency=regency).filter(pk__in=payload.source_ids)
        )
        if len(sources) != len(set(payload.source_ids)):
            raise DomainError(
                gettext("Sumber dana tidak dikenal di kabupaten ini."), code="source_unknown"
            )
    result = services.billing_run(
        regency=regency,
        month=Month.parse(payload.month),
        months=payload.months,
        sources=sources,
        acting_user=user,
    )
    return result.as_dict()


@router.get("/bills", response=list[BillOut], summary="Daftar tagihan")
def bill_list(
    request: HttpRequest,
    regency: str | None = None,
    month: str | None = Query(None, pattern=MONTH_PATTERN),
    status: str | None = None,
    source_id: Id | None = None,
) -> list[dict[str, Any]]:
    bills = selectors.bill_list(
        viewer=_user(request),
        regency=_regency(request, regency) if regency else None,
        month=Month.parse(month) if month else None,
        status=status,
        source_id=source_id,
    )
    return [BillOut.of(b) for b in bills[:1000]]


@router.get("/bills/{bill_id}", response=BillDetailOut, summary="Tagihan")
def bill_detail(request: HttpRequest, bill_id: Id) -> dict[str, Any]:
    bill = access.access_bill(_user(request), bill_id)
    return {
        "bill": BillOut.of(bill),
        "months": [
            {
                "month": _month(m.month),
                "segment": m.segment,
                "wage": m.wage or None,
                "risk_group": m.risk_group,
                "members": m.lines,
                "amount": m.amount,
                "per_person_month": m.per_person_month,
                "jkk": m.jkk,
                "jkm": m.jkm,
                "legal_basis": m.legal_basis,
                "unconfirmed": m.unconfirmed,
            }
            for m in selectors.bill_months(bill=bill)
        ],
        "payments": [PaymentOut.of(p) for p in selectors.bill_payments(bill=bill)],
        "credit_balance": selectors.credit_balance(source=bill.funding_source),
    }


@router.post("/bills/{bill_id}/issue", response=BillOut, summary="Terbitkan tagihan")
def bill_issue(request: HttpRequest, bill_id: Id) -> dict[str, Any]:
    user = _user(request)
    bill = access.access_bill(user, bill_id)
    bill = services.bill_issue(bill=bill, acting_user=user)
    return BillOut.of(access.access_bill(user, bill.pk))


@router.post(
    "/bills/{bill_id}/payments",
    response={201: PaymentRecordOut},
    summary="Catat pembayaran SP2D",
)
def payment_create(request: HttpRequest, bill_id: Id, payload: PaymentIn) -> Status[dict[str, Any]]:
    user = _user(request)
    bill = access.access_bill(user, bill_id)
    payment = services.payment_record(
        bill=bill,
        sp2d_number=payload.sp2d_number,
        paid_on=payload.paid_on,
        amount=payload.amount,
        treasury_account=payload.treasury_account,
        note=payload.note,
        acting_user=user,
    )
    bill = access.access_bill(user, bill.pk)
    return Status(201, {"payment": PaymentOut.of(payment), "bill": BillOut.of(bill)})


@router.post("/bills/{bill_id}/reconcile", response=BillOut, summary="Tandai direkonsiliasi")
def bill_reconcile(request: HttpRequest, bill_id: Id) -> dict[str, Any]:
    user = _user(request)
    bill = services.bill_reconcile(bill=access.access_bill(user, bill_id), acting_user=user)
    return BillOut.of(access.access_bill(user, bill.pk))


@router.get("/transparency", response=TransparencyOut, summary="Transparansi iuran")
def transparency(request: HttpRequest, regency: str, year: Year) -> dict[str, Any]:
    require_perm(_user(request), "contributions.view_transparency")
    report = transparency_report(
        viewer=_user(request), regency=_regency(request, regency), year=year
    )
    total = report.total
    return {
        "regency": report.regency.code,
        "year": report.year,
        "claims_available": report.claims_available,
        "rows": [row.as_dict() for row in report.rows()],
        "total_payable": total.payable if total else 0,
        "total_paid": total.paid if total else 0,
        "total_claims_paid": total.claims_paid if total else 0,
    }


@router.post(
    "/statements", response={201: StatementOut, 200: StatementOut}, summary="Impor rekening BPJS"
)
def statement_import(
    request: HttpRequest, payload: Form[StatementImportIn], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    user = _user(request)
    result = services.statement_import(
        regency=_regency(request, payload.regency),
        file_name=file.name or "rekening.xlsx",
        data=file.read(),
        first_month=Month.parse(payload.first_month) if payload.first_month else None,
        last_month=Month.parse(payload.last_month) if payload.last_month else None,
        acting_user=user,
    )
    body = StatementOut.of(result.statement, created=result.created, reconciled=result.reconciled)
    return Status(201 if result.created else 200, body)


@router.get(
    "/statements/{statement_id}/discrepancies",
    response=list[DiscrepancyOut],
    summary="Selisih rekonsiliasi",
)
def discrepancy_list(
    request: HttpRequest, statement_id: Id, status: str | None = None
) -> list[dict[str, Any]]:
    user = _user(request)
    statement = access.access_statement(user, statement_id)
    rows = selectors.discrepancy_list(statement=statement, viewer=user, status=status)
    return [DiscrepancyOut.of(d) for d in rows]


@router.post(
    "/discrepancies/{discrepancy_id}/resolve",
    response=DiscrepancyOut,
    summary="Selesaikan selisih",
)
def discrepancy_resolve(
    request: HttpRequest, discrepancy_id: Id, payload: DiscrepancyResolveIn
) -> dict[str, Any]:
    user = _user(request)
    discrepancy = services.discrepancy_resolve(
        discrepancy=access.access_discrepancy(user, discrepancy_id),
        note=payload.note,
        acting_user=user,
    )
    return DiscrepancyOut.of(discrepancy)


@router.get("/arrears", response=ArrearsOut, summary="Tunggakan (tanpa mengubah data)")
def arrears(
    request: HttpRequest,
    regency: str,
    as_of: str | None = Query(None, pattern=MONTH_PATTERN),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(ARREARS_PAGE_SIZE, ge=1, le=ARREARS_MAX_PAGE_SIZE),
) -> dict[str, Any]:
    user = _user(request)
    require_perm(user, "contributions.manage_arrears")
    if not may_see_persons(user):
        raise NotFoundOrForbidden(gettext("Tidak ditemukan."))
    listing = services.arrears_listing(
        as_of=Month.parse(as_of) if as_of else Month.current(),
        regency=_regency(request, regency),
        acting_user=user,
    )
    # Whole counts; the lists one page at a time (thousands can be in arrears).
    start = (page - 1) * page_size
    return {
        "as_of": str(listing.as_of),
        "warned": len(listing.warnings),
        "lapsed": len(listing.lapses),
        "page": page,
        "page_size": page_size,
        "warnings": [e.as_dict() for e in listing.warnings[start : start + page_size]],
        "lapses": [e.as_dict() for e in listing.lapses[start : start + page_size]],
    }


@router.post(
    "/memberships/{membership_id}/reactivate",
    response={201: ReactivatedMembershipOut},
    summary="Aktifkan kembali (masa kepesertaan baru)",
)
def membership_reactivate(
    request: HttpRequest, membership_id: Id, payload: ReactivateIn
) -> Status[dict[str, Any]]:
    user = _user(request)
    membership = services.membership_reactivate(
        lapsed=access.access_membership(user, membership_id),
        first_month=Month.parse(payload.first_month),
        last_month=Month.parse(payload.last_month) if payload.last_month else None,
        note=payload.note,
        acting_user=user,
    )
    return Status(
        201,
        {
            "id": membership.pk,
            "person_id": membership.person_id,
            "kpj_number": membership.kpj_number,
            "first_month": _month(membership.first_month),
            "last_month": _month(membership.last_month),
            "status": membership.status,
            "funding_source_id": membership.funding_source_id,
        },
    )

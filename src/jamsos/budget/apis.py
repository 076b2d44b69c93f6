"""REST API of the budget: one operation per action, explicit In/Out schemas (STYLE.md 13).

Same rules as the pages: ``access_*`` for every object (missing and forbidden are both
404), services check permissions again, DPRD and the executive get totals but no
reservation rows. Months are ``"YYYY-MM"`` strings, money integer rupiah.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jamsos.accounts.access import may_see_persons, require_perm
from jamsos.api.schemas import Count, Id, IdList, Persons, Rupiah
from jamsos.budget import access, selectors, services
from jamsos.budget.estimates import cost_estimate
from jamsos.budget.models import (
    Allocation,
    FiscalYear,
    FundingSource,
    PayerType,
    Phase,
    Reservation,
    Segment,
)
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

router = Router(tags=["budget"])

MONTH_PATTERN = r"^\d{4}-\d{2}$"


def _month(text: str | None) -> Month | None:
    return Month.parse(text) if text else None


def _region(code: str, *, level: str) -> Region:
    region = Region.objects.filter(pk=code, level=level).first()
    if region is None:
        raise DomainError(
            gettext("Wilayah %(code)s tidak dikenal.") % {"code": code},
            code="invalid_region",
            value=code,
        )
    return region


# --- Schemas -------------------------------------------------------------------------------


class CostEstimateIn(Schema):
    persons: Persons = Field(ge=1)
    months: int = Field(ge=1, le=120)
    start: str | None = Field(default=None, pattern=MONTH_PATTERN)
    segment: str = Segment.BPU
    income: Rupiah | None = None
    wage: Rupiah | None = None
    risk_group: str | None = None
    payer: str = PayerType.APBD
    sector: str | None = None


class EstimateComponentsOut(Schema):
    jkk: int
    jkm: int


class EstimatePeriodOut(Schema):
    first_month: str
    last_month: str
    months: int
    per_person_month: int
    jkk: int
    jkm: int
    jkk_before_discount: int
    jkm_before_discount: int
    discount_percent: str | None


class CostEstimateOut(Schema):
    persons: int
    months: int
    per_person_month: int | None
    components: EstimateComponentsOut | None
    total: int
    legal_basis: list[str]
    segment: str
    payer: str
    start: str
    end: str
    person_months: int
    periods: list[EstimatePeriodOut]
    unconfirmed: list[str]
    notes: list[str]


class AbsorptionOut(Schema):
    pagu: int
    reserved: int
    remaining: int
    billed: int
    paid: int
    reserved_percent: str
    paid_percent: str
    forecast_year_end: int
    forecast_unspent: int
    warning: bool
    warning_message: str
    as_of: str


class FiscalYearCreateIn(Schema):
    region: str = Field(examples=["13.03"])
    year: int = Field(ge=2000, le=2100)
    note: str = ""


class FiscalYearOut(Schema):
    id: int
    region: str
    region_name: str
    year: int
    note: str

    @staticmethod
    def of(year: FiscalYear) -> dict[str, Any]:
        return {
            "id": year.pk,
            "region": year.region_id,
            "region_name": year.region.name,
            "year": year.year,
            "note": year.note,
        }


class FundingSourceCreateIn(Schema):
    region: str
    kind: str
    name: str
    nagari: str | None = None
    dprd_member: str = ""
    company: str = ""


class FundingSourceOut(Schema):
    id: int
    region: str
    kind: str
    name: str
    nagari: str | None
    dprd_member: str
    company: str
    payer: str

    @staticmethod
    def of(source: FundingSource) -> dict[str, Any]:
        return {
            "id": source.pk,
            "region": source.region_id,
            "kind": source.kind,
            "name": source.name,
            "nagari": source.nagari_id,
            "dprd_member": source.dprd_member,
            "company": source.company,
            "payer": source.payer,
        }


class AllocationCreateIn(Schema):
    fiscal_year: Id
    source: Id
    name: str
    pagu: Rupiah = Field(gt=0)
    segment: str = Segment.BPU


class AllocationOut(Schema):
    id: int
    fiscal_year: int
    year: int
    source: int
    source_name: str
    name: str
    segment: str
    status: str
    absorption: AbsorptionOut

    @staticmethod
    def of(allocation: Allocation, absorption: selectors.Absorption) -> dict[str, Any]:
        return {
            "id": allocation.pk,
            "fiscal_year": allocation.fiscal_year_id,
            "year": allocation.fiscal_year.year,
            "source": allocation.source_id,
            "source_name": allocation.source.name,
            "name": allocation.name,
            "segment": allocation.segment,
            "status": allocation.status,
            "absorption": absorption.as_dict(),
        }


class YearOverviewOut(Schema):
    fiscal_year: FiscalYearOut
    totals: AbsorptionOut
    allocations: list[AllocationOut]


class CapacityOut(Schema):
    start: str
    end: str
    months: int
    remaining: int
    persons: int
    per_person: int
    per_person_month: int | None
    leftover: int
    legal_basis: list[str]


class PhaseCreateIn(Schema):
    fiscal_year: Id
    number: Count = Field(ge=1)
    name: str = ""
    first_month: str = Field(pattern=MONTH_PATTERN, examples=["2022-03"])
    months: int = Field(ge=1, le=12)
    allocation: Id | None = None
    planned_persons: Persons | None = None
    decree_reference: str = ""


class PhaseOut(Schema):
    id: int
    fiscal_year: int
    number: int
    name: str
    first_month: str
    last_month: str
    months: int
    allocation: int | None
    planned_persons: int | None
    decree_reference: str

    @staticmethod
    def of(phase: Phase) -> dict[str, Any]:
        return {
            "id": phase.pk,
            "fiscal_year": phase.fiscal_year_id,
            "number": phase.number,
            "name": phase.name,
            "first_month": str(Month.from_date(phase.first_month)),
            "last_month": str(Month.from_date(phase.last_month)),
            "months": phase.months,
            "allocation": phase.allocation_id,
            "planned_persons": phase.planned_persons,
            "decree_reference": phase.decree_reference,
        }


class QuotaSetIn(Schema):
    fiscal_year: Id
    nagari: str = Field(examples=["13.03.03.2001"])
    persons: Persons = Field(ge=1)
    note: str = ""


class QuotaProgressOut(Schema):
    id: int
    nagari: str
    nagari_name: str
    quota: int
    reserved_persons: int
    remaining: int
    percent: str
    full: bool

    @staticmethod
    def of(progress: selectors.QuotaProgress) -> dict[str, Any]:
        quota = progress.quota
        return {
            "id": quota.pk,
            "nagari": quota.nagari_id,
            "nagari_name": quota.nagari.name,
            "quota": quota.persons,
            "reserved_persons": progress.reserved_persons,
            "remaining": progress.remaining,
            "percent": str(progress.percent),
            "full": progress.reached,
        }


class ReservationCreateIn(Schema):
    allocation: Id
    persons: Persons | None = Field(default=None, ge=1)
    person_ids: IdList | None = None
    phase: Id | None = None
    first_month: str | None = Field(default=None, pattern=MONTH_PATTERN)
    months: int | None = Field(default=None, ge=1, le=12)
    nagari: str | None = None
    income: Rupiah | None = None
    wage: Rupiah | None = None
    risk_group: str | None = None
    sector: str | None = None
    note: str = ""


class ReservationOut(Schema):
    id: int
    allocation: int
    phase: int | None
    nagari: str | None
    persons: int
    named_persons: bool
    first_month: str
    last_month: str
    months: int
    per_person_month: int | None
    amount: int
    payer: str
    status: str
    legal_basis: list[str]

    @staticmethod
    def of(reservation: Reservation, *, named: bool | None = None) -> dict[str, Any]:
        if named is None:
            named = reservation.lines.exists()
        return {
            "id": reservation.pk,
            "allocation": reservation.allocation_id,
            "phase": reservation.phase_id,
            "nagari": reservation.nagari_id,
            "persons": reservation.persons,
            "named_persons": named,
            "first_month": str(Month.from_date(reservation.first_month)),
            "last_month": str(Month.from_date(reservation.last_month)),
            "months": reservation.months,
            "per_person_month": reservation.per_person_month,
            "amount": reservation.amount,
            "payer": reservation.payer,
            "status": reservation.status,
            "legal_basis": reservation.estimate.get("legal_basis", []),
        }


class ReservationReduceIn(Schema):
    persons: Persons | None = Field(default=None, ge=1)
    remove_person_ids: IdList | None = None
    reason: str = ""


# --- Operations ----------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.user


@router.get("/estimate", response=CostEstimateOut, summary="Hitung biaya iuran")
def estimate(request: HttpRequest, query: Query[CostEstimateIn]) -> dict[str, Any]:
    require_perm(_user(request), "budget.view_budget")
    result = cost_estimate(
        persons=query.persons,
        months=query.months,
        start=_month(query.start) or Month.current(),
        segment=query.segment,
        income=query.income,
        wage=query.wage,
        risk_group=query.risk_group,
        payer=query.payer,
        sector=query.sector,
    )
    return result.as_dict()


@router.get("/years", response=list[FiscalYearOut], summary="Tahun anggaran")
def year_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [FiscalYearOut.of(y) for y in selectors.fiscal_year_list(viewer=_user(request))]


@router.post("/years", response={201: FiscalYearOut}, summary="Buat tahun anggaran")
def year_create(request: HttpRequest, payload: FiscalYearCreateIn) -> Status[dict[str, Any]]:
    year = services.fiscal_year_create(
        region=_region(payload.region, level=Region.Level.REGENCY),
        year=payload.year,
        note=payload.note,
        acting_user=_user(request),
    )
    return Status(201, FiscalYearOut.of(year))


@router.get("/years/{year_id}", response=YearOverviewOut, summary="Ringkasan tahun anggaran")
def year_detail(request: HttpRequest, year_id: Id) -> dict[str, Any]:
    year = access.access_fiscal_year(_user(request), year_id)
    overview = selectors.fiscal_year_overview(fiscal_year=year)
    return {
        "fiscal_year": FiscalYearOut.of(year),
        "totals": overview.totals.as_dict(),
        "allocations": [AllocationOut.of(a, absorption) for a, absorption in overview.rows],
    }


@router.get("/sources", response=list[FundingSourceOut], summary="Sumber dana")
def source_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [FundingSourceOut.of(s) for s in selectors.funding_source_list(viewer=_user(request))]


@router.post("/sources", response={201: FundingSourceOut}, summary="Buat sumber dana")
def source_create(request: HttpRequest, payload: FundingSourceCreateIn) -> Status[dict[str, Any]]:
    source = services.funding_source_create(
        region=_region(payload.region, level=Region.Level.REGENCY),
        kind=payload.kind,
        name=payload.name,
        nagari=_region(payload.nagari, level=Region.Level.VILLAGE) if payload.nagari else None,
        dprd_member=payload.dprd_member,
        company=payload.company,
        acting_user=_user(request),
    )
    return Status(201, FundingSourceOut.of(source))


@router.post("/allocations", response={201: AllocationOut}, summary="Buat pagu")
def allocation_create(request: HttpRequest, payload: AllocationCreateIn) -> Status[dict[str, Any]]:
    user = _user(request)
    year = access.access_fiscal_year(user, payload.fiscal_year)
    source = access.access_funding_source(user, payload.source)
    allocation = services.allocation_create(
        fiscal_year=year,
        source=source,
        name=payload.name,
        pagu=payload.pagu,
        segment=payload.segment,
        acting_user=user,
    )
    return Status(
        201, AllocationOut.of(allocation, selectors.allocation_absorption(allocation=allocation))
    )


@router.get("/allocations/{allocation_id}", response=AllocationOut, summary="Pagu dan serapan")
def allocation_detail(request: HttpRequest, allocation_id: Id) -> dict[str, Any]:
    allocation = access.access_allocation(_user(request), allocation_id)
    return AllocationOut.of(allocation, selectors.allocation_absorption(allocation=allocation))


@router.post(
    "/allocations/{allocation_id}/approve", response=AllocationOut, summary="Tetapkan pagu"
)
def allocation_approve(request: HttpRequest, allocation_id: Id) -> dict[str, Any]:
    user = _user(request)
    allocation = access.access_allocation(user, allocation_id)
    allocation = services.allocation_approve(allocation=allocation, acting_user=user)
    return AllocationOut.of(allocation, selectors.allocation_absorption(allocation=allocation))


@router.get(
    "/allocations/{allocation_id}/capacity",
    response=CapacityOut,
    summary="Berapa orang lagi dari bulan X s.d. Desember",
)
def allocation_capacity(
    request: HttpRequest,
    allocation_id: Id,
    start: str = Query(..., pattern=MONTH_PATTERN, examples=["2025-05"]),
) -> dict[str, Any]:
    allocation = access.access_allocation(_user(request), allocation_id)
    month = Month.parse(start)
    return selectors.allocation_capacity(allocation=allocation, start=month).as_dict()


@router.get(
    "/allocations/{allocation_id}/reservations",
    response=list[ReservationOut],
    summary="Reservasi sebuah pagu",
)
def reservation_list(request: HttpRequest, allocation_id: Id) -> list[dict[str, Any]]:
    user = _user(request)
    allocation = access.access_allocation(user, allocation_id)
    if not may_see_persons(user):
        raise PermissionDenied(
            gettext("Peran Anda hanya melihat jumlah total."), code="aggregate_only"
        )
    return [
        ReservationOut.of(r, named=bool(r.named_persons))  # type: ignore[attr-defined]
        for r in selectors.reservation_list(allocation=allocation)
    ]


@router.post("/reservations", response={201: ReservationOut}, summary="Reservasi anggaran")
def reservation_create(
    request: HttpRequest, payload: ReservationCreateIn
) -> Status[dict[str, Any]]:
    user = _user(request)
    allocation = access.access_allocation(user, payload.allocation)
    phase = access.access_phase(user, payload.phase) if payload.phase else None
    nagari = _region(payload.nagari, level=Region.Level.VILLAGE) if payload.nagari else None
    reservation = services.reservation_create(
        allocation=allocation,
        persons=payload.persons,
        person_ids=payload.person_ids,
        phase=phase,
        first_month=_month(payload.first_month),
        months=payload.months,
        nagari=nagari,
        income=payload.income,
        wage=payload.wage,
        risk_group=payload.risk_group,
        sector=payload.sector,
        note=payload.note,
        acting_user=user,
    )
    return Status(201, ReservationOut.of(reservation, named=payload.person_ids is not None))


@router.post(
    "/reservations/{reservation_id}/release", response=ReservationOut, summary="Lepas reservasi"
)
def reservation_release(request: HttpRequest, reservation_id: Id) -> dict[str, Any]:
    user = _user(request)
    reservation = access.access_reservation(user, reservation_id)
    return ReservationOut.of(
        services.reservation_release(reservation=reservation, acting_user=user)
    )


@router.post(
    "/reservations/{reservation_id}/reduce", response=ReservationOut, summary="Kurangi reservasi"
)
def reservation_reduce(
    request: HttpRequest, reservation_id: Id, payload: ReservationReduceIn
) -> dict[str, Any]:
    user = _user(request)
    reservation = access.access_reservation(user, reservation_id)
    reduced = services.reservation_reduce(
        reservation=reservation,
        persons=payload.persons,
        remove_person_ids=payload.remove_person_ids,
        reason=payload.reason,
        acting_user=user,
    )
    return ReservationOut.of(reduced)


@router.get("/years/{year_id}/phases", response=list[PhaseOut], summary="Tahap")
def phase_list(request: HttpRequest, year_id: Id) -> list[dict[str, Any]]:
    year = access.access_fiscal_year(_user(request), year_id)
    return [PhaseOut.of(p) for p in selectors.phase_list(fiscal_year=year)]


@router.post("/phases", response={201: PhaseOut}, summary="Buat tahap")
def phase_create(request: HttpRequest, payload: PhaseCreateIn) -> Status[dict[str, Any]]:
    user = _user(request)
    year = access.access_fiscal_year(user, payload.fiscal_year)
    allocation = access.access_allocation(user, payload.allocation) if payload.allocation else None
    phase = services.phase_create(
        fiscal_year=year,
        number=payload.number,
        name=payload.name,
        first_month=Month.parse(payload.first_month),
        months=payload.months,
        allocation=allocation,
        planned_persons=payload.planned_persons,
        decree_reference=payload.decree_reference,
        acting_user=user,
    )
    return Status(201, PhaseOut.of(phase))


@router.get(
    "/years/{year_id}/quotas",
    response=list[QuotaProgressOut],
    summary="Target nagari (bukan batas)",
)
def quota_list(request: HttpRequest, year_id: Id) -> list[dict[str, Any]]:
    year = access.access_fiscal_year(_user(request), year_id)
    return [QuotaProgressOut.of(p) for p in selectors.nagari_quota_progress(fiscal_year=year)]


@router.post("/quotas", response=QuotaProgressOut, summary="Tetapkan target nagari")
def quota_set(request: HttpRequest, payload: QuotaSetIn) -> dict[str, Any]:
    user = _user(request)
    year = access.access_fiscal_year(user, payload.fiscal_year)
    quota = services.nagari_quota_set(
        fiscal_year=year,
        nagari=_region(payload.nagari, level=Region.Level.VILLAGE),
        persons=payload.persons,
        note=payload.note,
        acting_user=user,
    )
    reserved = selectors.nagari_reserved_persons(
        fiscal_year_id=year.pk, nagari_id=quota.nagari_id
    ).get(quota.nagari_id, 0)
    return QuotaProgressOut.of(selectors.QuotaProgress(quota=quota, reserved_persons=reserved))

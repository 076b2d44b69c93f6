"""Writes of the budget. Each checks the actor's permission and scope, validates, and
records its audit event in the same transaction (``acting_user`` None is the system: the
demo loader or the contributions app's billing run).

**Reserving against a pagu** (``reservation_create``) follows STYLE.md §20, like pretix's
quota locking:

1. Outside any transaction: check the request, read the rate tables and compute the cost,
   check the named persons (existence, scope, nagari) in chunks: no per-row query.
2. ``transaction.atomic(durable=True)``: it cannot run inside someone else's transaction,
   so the lock is held only as long as this short block and is released by its commit.
3. Lock the pagu row (``select_for_update``) — the one lock every reservation of this
   pagu queues on. A nagari's target ("1 Nagari 100 orang") is a minimum, not a cap, so
   it takes no lock and refuses nothing (issue 9).
4. Re-read what is reserved *inside* the lock and refuse if the new amount does not fit;
   a check made before the lock would let two operators both see the same free money.
5. Check that no named person is already reserved for an overlapping period, write the
   reservation, its person lines (``bulk_create``) and one audit event; commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.audit.services import audit_record, model_snapshot
from jamsos.budget.estimates import CostEstimate, cost_estimate
from jamsos.budget.models import (
    Allocation,
    ContributionDiscount,
    ContributionRate,
    FiscalYear,
    FundingSource,
    IncomeBracket,
    NagariQuota,
    Phase,
    RegulationRow,
    Reservation,
    ReservationPerson,
    Segment,
)
from jamsos.budget.selectors import allocation_reserved
from jamsos.lib.bulkcopy import rows_insert
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.lib.formats import angka, rupiah
from jamsos.lib.periods import Month, last_month, months_between
from jamsos.regions.models import Region
from jamsos.registry.models import Person

CHUNK = 10_000  # person ids per query on SQLite: below its bound-parameter limit


def _id_chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    """PostgreSQL takes any number of ids as one array parameter; SQLite needs chunks."""
    if connection.vendor == "postgresql":
        yield ids
        return
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _ids_q(field: str, ids: Sequence[int]) -> Q:
    """``field IN ids``; on PostgreSQL as ``= ANY(array)``: one parameter, not 100,000."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))})
    return Q(**{f"{field}__in": ids})


class BudgetExhausted(DomainError):
    code = "budget_exhausted"
    http_status = 409

    http_status = 409


def _validated(obj: Any) -> None:
    """``full_clean`` with Django's messages turned into one domain error."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        parts = []
        for field, messages in exc.message_dict.items():
            label = "" if field == "__all__" else f"{field}: "
            parts.append(label + " ".join(str(m) for m in messages))
        raise DomainError("; ".join(parts), code="invalid", fields=exc.message_dict) from exc


def _require(acting_user: User | None, perm: str, region_code: str) -> None:
    """The actor holds ``perm`` and the kabupaten lies in its scope (None = the system)."""
    if acting_user is None:
        return
    require_perm(acting_user, perm)
    if not region_in_scope(acting_user, region_code):
        raise PermissionDenied(gettext("Anggaran ini di luar cakupan Anda."), code="outside_scope")


# --- Fiscal years, sources, pagu -------------------------------------------------------------


@transaction.atomic
def fiscal_year_create(
    *, region: Region, year: int, note: str = "", acting_user: User | None
) -> FiscalYear:
    _require(acting_user, "budget.manage_budget", region.code)
    if region.level != Region.Level.REGENCY:
        raise DomainError(
            gettext("Tahun anggaran dibuat untuk kabupaten/kota, bukan %(level)s.")
            % {"level": region.get_level_display()},
            code="invalid_region",
        )
    if FiscalYear.objects.filter(region=region, year=year).exists():
        raise DomainError(
            gettext("Tahun anggaran %(year)s untuk %(name)s sudah ada.")
            % {"year": year, "name": region.name},
            code="duplicate_year",
        )
    fiscal_year = FiscalYear(region=region, year=year, note=note, created_by=acting_user)
    _validated(fiscal_year)
    fiscal_year.save()
    audit_record(
        action="budget.fiscal_year.created",
        acting_user=acting_user,
        obj=fiscal_year,
        after={"year": year, "region": region.code},
    )
    return fiscal_year


@transaction.atomic
def funding_source_create(
    *,
    region: Region,
    kind: str,
    name: str,
    nagari: Region | None = None,
    dprd_member: str = "",
    company: str = "",
    acting_user: User | None,
) -> FundingSource:
    _require(acting_user, "budget.manage_budget", region.code)
    source = FundingSource(
        region=region,
        kind=kind,
        name=name.strip(),
        nagari=nagari,
        dprd_member=dprd_member.strip(),
        company=company.strip(),
    )
    _validated(source)
    source.save()
    audit_record(
        action="budget.funding_source.created",
        acting_user=acting_user,
        obj=source,
        after=model_snapshot(source, ["kind", "name", "nagari", "dprd_member", "company"]),
    )
    return source


@transaction.atomic
def allocation_create(
    *,
    fiscal_year: FiscalYear,
    source: FundingSource,
    name: str,
    pagu: int,
    segment: str = Segment.BPU,
    acting_user: User | None,
) -> Allocation:
    _require(acting_user, "budget.manage_budget", fiscal_year.region_id)
    if source.region_id != fiscal_year.region_id:
        raise DomainError(gettext("Sumber dana milik kabupaten lain."), code="source_other_region")
    if not source.is_active:
        raise DomainError(
            gettext("Sumber dana %(source)s tidak aktif.") % {"source": source},
            code="source_inactive",
        )
    if isinstance(pagu, bool) or not isinstance(pagu, int) or pagu <= 0:
        raise DomainError(
            gettext("Pagu harus bilangan bulat rupiah lebih dari 0 (diberikan: %(pagu)s).")
            % {"pagu": pagu},
            code="invalid_pagu",
        )
    allocation = Allocation(
        fiscal_year=fiscal_year,
        source=source,
        name=name.strip(),
        pagu=pagu,
        segment=segment,
        created_by=acting_user,
    )
    _validated(allocation)
    allocation.save()
    audit_record(
        action="budget.allocation.created",
        acting_user=acting_user,
        obj=allocation,
        after={"name": allocation.name, "pagu": pagu, "source": source.name, "segment": segment},
    )
    return allocation


@transaction.atomic
def allocation_approve(*, allocation: Allocation, acting_user: User | None) -> Allocation:
    """The Dinas head confirms a pagu figure (maker-checker): draft → approved."""
    _require(acting_user, "budget.approve", allocation.fiscal_year.region_id)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status != Allocation.Status.DRAFT:
        raise InvalidTransition(
            gettext("Pagu %(allocation)s sudah ditetapkan.") % {"allocation": allocation}
        )
    if acting_user is not None and allocation.created_by_id == acting_user.pk:
        raise PermissionDenied(
            gettext("Pagu harus ditetapkan oleh orang lain daripada pembuatnya."),
            code="maker_checker",
        )
    allocation.status = Allocation.Status.APPROVED
    allocation.approved_by = acting_user
    allocation.approved_at = timezone.now()
    allocation.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        action="budget.allocation.approved",
        acting_user=acting_user,
        obj=allocation,
        data={"pagu": allocation.pagu},
    )
    return allocation


def allocation_revise(
    *, allocation: Allocation, pagu: int, reason: str, acting_user: User | None
) -> Allocation:
    """Change a pagu (APBD-P, refocusing). Never below what is already reserved.

    A draft pagu may be changed by the operator; an approved one only by the head.
    """
    perm = (
        "budget.approve"
        if allocation.status == Allocation.Status.APPROVED
        else "budget.manage_budget"
    )
    _require(acting_user, perm, allocation.fiscal_year.region_id)
    if isinstance(pagu, bool) or not isinstance(pagu, int) or pagu <= 0:
        raise DomainError(
            gettext("Pagu harus bilangan bulat rupiah > 0 (diberikan: %(pagu)s).") % {"pagu": pagu}
        )
    if not reason.strip():
        raise DomainError(gettext("Sebutkan alasan perubahan pagu."), code="reason_required")
    with transaction.atomic(durable=True):
        # The same lock as reservations: a revision cannot slip below a concurrent one.
        locked = Allocation.objects.select_for_update().get(pk=allocation.pk)
        reserved = allocation_reserved(allocation_id=locked.pk)
        if pagu < reserved:
            raise BudgetExhausted(
                gettext(
                    "Pagu baru %(pagu)s lebih kecil dari yang sudah direservasi "
                    "(%(reserved)s). Lepaskan reservasi dulu."
                )
                % {"pagu": rupiah(pagu), "reserved": rupiah(reserved)},
                reserved=reserved,
            )
        before = locked.pagu
        locked.pagu = pagu
        locked.save(update_fields=["pagu"])
        audit_record(
            action="budget.allocation.revised",
            acting_user=acting_user,
            obj=locked,
            before={"pagu": before},
            after={"pagu": pagu},
            data={"reason": reason.strip()},
        )
    return locked


@transaction.atomic
def allocation_absorption_record(
    *, allocation: Allocation, billed: int, paid: int, through: Month, acting_user: User | None
) -> Allocation:
    """Hook for the contributions app: billed and paid totals of a pagu up to a month."""
    if acting_user is not None:
        _require(acting_user, "budget.manage_budget", allocation.fiscal_year.region_id)
    if not 0 <= paid <= billed:
        raise DomainError(
            gettext("Jumlah dibayar (%(paid)s) harus antara 0 dan jumlah ditagih (%(billed)s).")
            % {"paid": rupiah(paid), "billed": rupiah(billed)},
            code="invalid_absorption",
        )
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    before = model_snapshot(allocation, ["billed_amount", "paid_amount", "billed_through"])
    allocation.billed_amount = billed
    allocation.paid_amount = paid
    allocation.billed_through = through.first_day()
    allocation.save(update_fields=["billed_amount", "paid_amount", "billed_through"])
    audit_record(
        action="budget.allocation.absorption_recorded",
        acting_user=acting_user,
        obj=allocation,
        before=before,
        after={"billed_amount": billed, "paid_amount": paid, "billed_through": str(through)},
    )
    return allocation


# --- Phases and quotas -----------------------------------------------------------------------


def _check_in_year(fiscal_year: FiscalYear, first: Month, months: int) -> Month:
    if months < 1:
        raise DomainError(gettext("Lama cakupan paling sedikit 1 bulan."), code="invalid_months")
    last = last_month(first, months)
    if first.year != fiscal_year.year or last.year != fiscal_year.year:
        raise DomainError(
            gettext(
                "Periode %(first)s s.d. %(last)s (%(months)s bulan) harus di dalam tahun "
                "anggaran %(year)s; paling lama sampai %(year)s-12."
            )
            % {"first": first, "last": last, "months": months, "year": fiscal_year.year},
            code="period_outside_year",
        )
    return last


@transaction.atomic
def phase_create(
    *,
    fiscal_year: FiscalYear,
    number: int,
    name: str,
    first_month: Month,
    months: int,
    allocation: Allocation | None = None,
    planned_persons: int | None = None,
    decree_reference: str = "",
    note: str = "",
    acting_user: User | None,
) -> Phase:
    _require(acting_user, "budget.manage_budget", fiscal_year.region_id)
    last = _check_in_year(fiscal_year, first_month, months)
    if allocation is not None and allocation.fiscal_year_id != fiscal_year.pk:
        raise DomainError(
            gettext("Pagu tahap harus dari tahun anggaran yang sama."), code="other_year"
        )
    if Phase.objects.filter(fiscal_year=fiscal_year, number=number).exists():
        raise DomainError(
            gettext("Tahap %(number)s sudah ada di %(fiscal_year)s.")
            % {"number": number, "fiscal_year": fiscal_year},
            code="duplicate_phase",
        )
    phase = Phase(
        fiscal_year=fiscal_year,
        number=number,
        name=name.strip() or f"Tahap {number}",
        first_month=first_month.first_day(),
        last_month=last.first_day(),
        allocation=allocation,
        planned_persons=planned_persons,
        decree_reference=decree_reference.strip(),
        note=note,
    )
    _validated(phase)
    phase.save()
    audit_record(
        action="budget.phase.created",
        acting_user=acting_user,
        obj=phase,
        after={
            "number": number,
            "first_month": str(first_month),
            "last_month": str(last),
            "allocation": allocation.pk if allocation else None,
            "planned_persons": planned_persons,
        },
    )
    return phase


def _check_nagari(fiscal_year: FiscalYear, nagari: Region) -> None:
    if nagari.level != Region.Level.VILLAGE or not nagari.code.startswith(
        fiscal_year.region_id + "."
    ):
        raise DomainError(
            gettext("%(nagari)s bukan nagari/desa di %(name)s.")
            % {"nagari": nagari, "name": fiscal_year.region.name},
            code="invalid_nagari",
        )


def nagari_quota_set(
    *,
    fiscal_year: FiscalYear,
    nagari: Region,
    persons: int,
    note: str = "",
    acting_user: User | None,
) -> NagariQuota:
    """Create or change a nagari's target for the year (a plan, not a cap: reservations
    may go beyond it, and it may be set below what is already reserved)."""
    _require(acting_user, "budget.manage_budget", fiscal_year.region_id)
    _check_nagari(fiscal_year, nagari)
    if isinstance(persons, bool) or not isinstance(persons, int) or persons < 1:
        raise DomainError(
            gettext("Target harus ≥ 1 orang (diberikan: %(persons)s).") % {"persons": persons},
            code="invalid_target",
        )
    with transaction.atomic():
        quota = (
            NagariQuota.objects.select_for_update()
            .filter(fiscal_year=fiscal_year, nagari=nagari)
            .first()
        )
        before = {"persons": quota.persons} if quota else None
        if quota is None:
            quota = NagariQuota(fiscal_year=fiscal_year, nagari=nagari)
        quota.persons = persons
        quota.note = note
        _validated(quota)
        quota.save()
        audit_record(
            action="budget.nagari_quota.set",
            acting_user=acting_user,
            obj=quota,
            before=before,
            after={"persons": persons, "nagari": nagari.code, "year": fiscal_year.year},
        )
    return quota


# --- Reservations ----------------------------------------------------------------------------


def _unique_ids(person_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(int(pk) for pk in person_ids))
    if not ids:
        raise DomainError(gettext("Daftar peserta kosong."), code="no_persons")
    return ids


def _check_persons(ids: Sequence[int], *, acting_user: User | None, nagari: Region | None) -> None:
    """Every named person exists, lies in scope, is alive and (if given) in the nagari."""
    problems: list[str] = []
    found = 0
    for chunk in _id_chunks(ids):
        rows = Person.objects.filter(_ids_q("pk", chunk)).values_list(
            "pk", "full_name", "village_id", "is_deceased"
        )
        seen = set()
        for pk, name, village, deceased in rows:
            seen.add(pk)
            if acting_user is not None and not region_in_scope(acting_user, village):
                problems.append(gettext("ID %(pk)s: di luar cakupan Anda") % {"pk": pk})
            elif deceased:
                problems.append(
                    gettext("%(name)s (ID %(pk)s): sudah meninggal") % {"name": name, "pk": pk}
                )
            elif nagari is not None and village != nagari.pk:
                problems.append(
                    gettext("%(name)s (ID %(pk)s): bukan warga %(name2)s")
                    % {"name": name, "pk": pk, "name2": nagari.name}
                )
        found += len(seen)
        problems += [
            gettext("ID %(pk)s: tidak ada di registri") % {"pk": pk}
            for pk in chunk
            if pk not in seen
        ]
        if len(problems) >= 10:
            break
    if problems:
        shown = "; ".join(problems[:10])
        more = (
            gettext(" (dan lainnya; %(count)s tidak ditemukan)") % {"count": len(ids) - found}
            if len(problems) > 10
            else ""
        )
        raise DomainError(
            gettext("Peserta tidak dapat direservasi: %(shown)s%(more)s.")
            % {"shown": shown, "more": more},
            code="invalid_persons",
        )


def _check_overlap(ids: Sequence[int], *, first: Month, last: Month) -> None:
    clashes: list[str] = []
    for chunk in _id_chunks(ids):
        rows = ReservationPerson.objects.filter(
            _ids_q("person_id", chunk),
            reservation__status=Reservation.Status.ACTIVE,
            reservation__first_month__lte=last.first_day(),
            reservation__last_month__gte=first.first_day(),
        ).values_list("person__full_name", "person_id", "reservation_id")[:10]
        clashes += [f"{name} (ID {pk}) di reservasi #{resv}" for name, pk, resv in rows]
        if clashes:
            break
    if clashes:
        raise DomainError(
            gettext("Sudah direservasi untuk periode yang bertumpang tindih: %(clashes)s.")
            % {"clashes": "; ".join(clashes)},
            code="already_reserved",
        )


def _resolve_period(
    *,
    allocation: Allocation,
    phase: Phase | None,
    first_month: Month | None,
    months: int | None,
) -> tuple[Month, int]:
    fiscal_year = allocation.fiscal_year
    if phase is not None:
        if phase.fiscal_year_id != fiscal_year.pk:
            raise DomainError(gettext("Tahap dari tahun anggaran lain."), code="other_year")
        first_month = first_month or Month.from_date(phase.first_month)
        months = months or months_between(first_month, Month.from_date(phase.last_month))
    if first_month is None:
        raise DomainError(gettext("Sebutkan bulan mulai atau tahapnya."), code="start_required")
    if months is None:
        months = months_between(first_month, first_month.december())
    _check_in_year(fiscal_year, first_month, months)
    return first_month, months


def _resolve_nagari(allocation: Allocation, nagari: Region | None) -> Region | None:
    source_nagari = allocation.source.nagari
    if source_nagari is not None:
        if nagari is not None and nagari.pk != source_nagari.pk:
            raise DomainError(
                gettext("Pagu APB Nagari %(name)s hanya untuk warga nagari itu.")
                % {"name": source_nagari.name},
                code="invalid_nagari",
            )
        nagari = source_nagari
    if nagari is not None:
        _check_nagari(allocation.fiscal_year, nagari)
    return nagari


def _exhausted_message(allocation: Allocation, *, remaining: int, estimate: CostEstimate) -> str:
    per_person = estimate.per_person_total
    fits = max(0, remaining) // per_person if per_person else 0
    return gettext(
        "Pagu %(name)s tidak cukup: sisa %(remaining)s, diminta %(total)s untuk %(persons)s "
        "orang × %(months)s bulan. Paling banyak %(fits)s orang."
    ) % {
        "name": allocation.name,
        "remaining": rupiah(max(0, remaining)),
        "total": rupiah(estimate.total),
        "persons": angka(estimate.persons),
        "months": estimate.months,
        "fits": angka(fits),
    }


def _resolve_persons(
    persons: int | None, person_ids: Iterable[int] | None
) -> tuple[int, list[int] | None]:
    ids = _unique_ids(person_ids) if person_ids is not None else None
    if ids is not None:
        if persons is not None and persons != len(ids):
            raise DomainError(
                gettext(
                    "Jumlah orang (%(persons)s) tidak sama dengan jumlah peserta yang "
                    "disebut (%(ids)s)."
                )
                % {"persons": persons, "ids": len(ids)},
                code="persons_mismatch",
            )
        persons = len(ids)
    if persons is None:
        raise DomainError(
            gettext("Sebutkan jumlah orang atau daftar peserta."), code="persons_required"
        )
    return persons, ids


def reservation_create(
    *,
    allocation: Allocation,
    acting_user: User | None,
    persons: int | None = None,
    person_ids: Iterable[int] | None = None,
    first_month: Month | None = None,
    months: int | None = None,
    phase: Phase | None = None,
    nagari: Region | None = None,
    income: int | None = None,
    wage: int | None = None,
    risk_group: str | None = None,
    sector: str | None = None,
    note: str = "",
    _unsafe_skip_lock: bool = False,
    _after_check: Callable[[], None] | None = None,
) -> Reservation:
    """Reserve persons × months × rate against a pagu (see the module docstring).

    ``person_ids`` names the persons (the decree may then use only them); ``persons``
    alone reserves a count. ``_unsafe_skip_lock`` and ``_after_check`` exist only so the
    concurrency test can show the overrun that the lock prevents; never pass them.
    """
    fiscal_year = allocation.fiscal_year
    _require(acting_user, "budget.reserve", fiscal_year.region_id)
    if allocation.status != Allocation.Status.APPROVED:
        raise InvalidTransition(
            gettext("Pagu %(allocation)s belum ditetapkan kepala dinas; belum bisa direservasi.")
            % {"allocation": allocation}
        )
    persons, ids = _resolve_persons(persons, person_ids)
    start, months = _resolve_period(
        allocation=allocation, phase=phase, first_month=first_month, months=months
    )
    nagari = _resolve_nagari(allocation, nagari)
    if ids is not None:
        _check_persons(ids, acting_user=acting_user, nagari=nagari)
    estimate = cost_estimate(
        persons=persons,
        months=months,
        start=start,
        segment=allocation.segment,
        income=income,
        wage=wage,
        risk_group=risk_group,
        payer=allocation.payer,
        sector=sector,
    )
    reservation = Reservation(
        allocation=allocation,
        phase=phase,
        nagari=nagari,
        persons=persons,
        first_month=start.first_day(),
        last_month=estimate.end.first_day(),
        segment=allocation.segment,
        declared_income=estimate.declared_income,
        wage=estimate.wage,
        risk_group=estimate.risk_group,
        payer=allocation.payer,
        per_person_month=estimate.per_person_month,
        amount=estimate.total,
        estimate=estimate.as_dict(),
        note=note.strip()[:255],
        created_by=acting_user,
    )
    _validated_reservation(reservation)

    with transaction.atomic(durable=True):
        allocations = Allocation.objects.all()
        if not _unsafe_skip_lock:
            allocations = allocations.select_for_update()
        locked = allocations.get(pk=allocation.pk)  # lock 1: the pagu
        reserved = allocation_reserved(allocation_id=locked.pk)
        if reserved + estimate.total > locked.pagu:
            raise BudgetExhausted(
                _exhausted_message(locked, remaining=locked.pagu - reserved, estimate=estimate),
                remaining=locked.pagu - reserved,
                requested=estimate.total,
            )
        if ids is not None:
            _check_overlap(ids, first=start, last=estimate.end)
        if _after_check is not None:
            _after_check()
        _reservation_write(
            reservation,
            ids=ids,
            acting_user=acting_user,
            reserved_before=reserved,
            pagu=locked.pagu,
        )
    return reservation


def _reservation_write(
    reservation: Reservation,
    *,
    ids: list[int] | None,
    acting_user: User | None,
    reserved_before: int,
    pagu: int,
) -> None:
    reservation.save(force_insert=True)
    if ids is not None:
        # COPY on PostgreSQL, executemany on SQLite: no model objects for 100,000 lines.
        rows_insert(
            ReservationPerson, ["reservation", "person"], ((reservation.pk, pk) for pk in ids)
        )
    audit_record(
        action="budget.reservation.created",
        acting_user=acting_user,
        obj=reservation,
        data={
            "allocation": reservation.allocation_id,
            "persons": reservation.persons,
            "named_persons": ids is not None,
            "first_month": str(Month.from_date(reservation.first_month)),
            "months": reservation.months,
            "per_person_month": reservation.per_person_month,
            "amount": reservation.amount,
            "reserved_before": reserved_before,
            "pagu": pagu,
            "nagari": reservation.nagari_id,
            "phase": reservation.phase_id,
        },
    )


def _validated_reservation(reservation: Reservation) -> None:
    # The foreign keys were checked above; skip their per-object look-ups.
    try:
        reservation.full_clean(
            exclude=["allocation", "phase", "nagari", "created_by"], validate_unique=False
        )
    except ValidationError as exc:
        raise DomainError(str(exc), code="invalid") from exc


def reservation_release(*, reservation: Reservation, acting_user: User | None) -> Reservation:
    """Give a reservation's money back to its pagu (active → released)."""
    _require(acting_user, "budget.reserve", reservation.allocation.fiscal_year.region_id)
    with transaction.atomic(durable=True):
        Allocation.objects.select_for_update().get(pk=reservation.allocation_id)
        locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if locked.status != Reservation.Status.ACTIVE:
            raise InvalidTransition(gettext("%(locked)s sudah dilepas.") % {"locked": locked})
        locked.status = Reservation.Status.RELEASED
        locked.released_by = acting_user
        locked.released_at = timezone.now()
        locked.save(update_fields=["status", "released_by", "released_at"])
        audit_record(
            action="budget.reservation.released",
            acting_user=acting_user,
            obj=locked,
            data={"amount": locked.amount, "persons": locked.persons},
        )
    return locked


def reservation_reduce(
    *,
    reservation: Reservation,
    acting_user: User | None,
    persons: int | None = None,
    remove_person_ids: Iterable[int] | None = None,
    reason: str = "",
) -> Reservation:
    """Return part of a reservation (e.g. persons BPJS rejected) to the pagu.

    A reservation that names persons is reduced by naming whom to remove; a count-only one
    by the new number of persons. The amount is recomputed from the frozen estimate.
    """
    _require(acting_user, "budget.reserve", reservation.allocation.fiscal_year.region_id)
    with transaction.atomic(durable=True):
        Allocation.objects.select_for_update().get(pk=reservation.allocation_id)
        locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if locked.status != Reservation.Status.ACTIVE:
            raise InvalidTransition(gettext("%(locked)s sudah dilepas.") % {"locked": locked})
        named = locked.lines.exists()
        if named:
            if remove_person_ids is None:
                raise DomainError(
                    gettext("Reservasi ini menyebut peserta; sebutkan siapa yang dikeluarkan."),
                    code="persons_required",
                )
            ids = _unique_ids(remove_person_ids)
            deleted, _ = locked.lines.filter(person_id__in=ids).delete()
            if deleted != len(ids):
                raise DomainError(
                    gettext("Sebagian peserta tidak ada dalam reservasi ini."),
                    code="invalid_persons",
                )
            persons = locked.persons - deleted
        if persons is None or not 1 <= persons < locked.persons:
            raise DomainError(
                gettext(
                    "Jumlah orang baru harus 1–%(value)s; untuk mengosongkan, lepaskan "
                    "reservasinya."
                )
                % {"value": locked.persons - 1},
                code="invalid_persons",
            )
        per_person = sum(
            line["per_person_month"] * line["months"] for line in locked.estimate["periods"]
        )
        before = {"persons": locked.persons, "amount": locked.amount}
        locked.persons = persons
        # Months already given back for struck persons stay given back.
        locked.amount = per_person * persons - reservation_months_returned(locked.estimate)
        locked.estimate = {**locked.estimate, "persons": persons, "total": locked.amount}
        locked.save(update_fields=["persons", "amount", "estimate"])
        audit_record(
            action="budget.reservation.reduced",
            acting_user=acting_user,
            obj=locked,
            before=before,
            after={"persons": persons, "amount": locked.amount},
            data={"reason": reason, "removed_person_ids": list(remove_person_ids or [])[:1000]},
        )
    return locked


def reservation_months_returned(estimate: dict[str, Any]) -> int:
    """Σ of the months given back for persons struck after BPJS accepted them."""
    return sum(int(item["amount"]) for item in estimate.get("returns", []))


def _months_cost(estimate: dict[str, Any], first: Month, last: Month) -> int:
    """One person's cost of the months ``first``..``last`` at the frozen rates."""
    total = 0
    for line in estimate.get("periods", []):
        start = max(Month.parse(line["first_month"]), first)
        end = min(Month.parse(line["last_month"]), last)
        if start <= end:
            total += line["per_person_month"] * months_between(start, end)
    return total


def reservation_return_months(
    *,
    reservation: Reservation,
    returns: dict[int, Month],
    reason: str,
    acting_user: User | None,
) -> Reservation:
    """Give back the months persons will no longer be covered for (issue 9).

    ``returns`` maps a person to the first month they are no longer covered (an amending
    decree struck them after BPJS accepted them); their money from that month to the
    reservation's last month goes back to the pagu. The persons stay named in the
    reservation (it paid their earlier months); each return is kept in
    ``estimate["returns"]`` so the absorption forecast and a later reduction honour it.
    A person's months are returned once.
    """
    _require(acting_user, "budget.reserve", reservation.allocation.fiscal_year.region_id)
    if not returns:
        raise DomainError("Tidak ada bulan yang dikembalikan.", code="no_persons")
    with transaction.atomic(durable=True):
        Allocation.objects.select_for_update().get(pk=reservation.allocation_id)
        locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if locked.status != Reservation.Status.ACTIVE:
            raise InvalidTransition(f"{locked} sudah dilepas.")
        done = {int(item["person"]) for item in locked.estimate.get("returns", [])}
        last = Month.from_date(locked.last_month)
        items = []
        for person, first in sorted(returns.items()):
            first = max(first, Month.from_date(locked.first_month))
            if person in done or first > last:
                continue
            amount = _months_cost(locked.estimate, first, last)
            items.append(
                {"person": person, "first_month": str(first), "last_month": str(last),
                 "amount": amount}
            )  # fmt: skip
        returned = sum(item["amount"] for item in items)
        if returned > locked.amount:
            raise DomainError(
                "Pengembalian melebihi jumlah reservasi.", code="invalid_persons", amount=returned
            )
        before = {"amount": locked.amount}
        locked.amount -= returned
        returns_list = [*locked.estimate.get("returns", []), *items]
        locked.estimate = {**locked.estimate, "total": locked.amount, "returns": returns_list}
        locked.save(update_fields=["amount", "estimate"])
        audit_record(
            action="budget.reservation.reduced",
            acting_user=acting_user,
            obj=locked,
            before=before,
            after={"amount": locked.amount},
            data={"reason": reason, "returned": returned, "months_returned": items[:1000]},
        )
    return locked


# --- Regulation tables (admins) --------------------------------------------------------------


def _require_reference(acting_user: User | None) -> None:
    if acting_user is not None:
        require_perm(acting_user, "reference.manage")


@transaction.atomic
def income_bracket_add(
    *,
    declared_income: int,
    valid_from: Month,
    legal_basis: str,
    note: str = "",
    acting_user: User | None,
) -> IncomeBracket:
    """Add a Lampiran II row. New rows are unconfirmed until someone checks the text."""
    _require_reference(acting_user)
    if isinstance(declared_income, bool) or not isinstance(declared_income, int):
        raise DomainError(gettext("Nilai penghasilan harus bilangan bulat rupiah."), code="invalid")
    bracket = IncomeBracket(
        declared_income=declared_income,
        valid_from=valid_from.first_day(),
        legal_basis=legal_basis.strip(),
        confirmed=False,
        note=note,
    )
    _validated(bracket)
    bracket.save()
    audit_record(
        action="budget.income_bracket.created",
        acting_user=acting_user,
        obj=bracket,
        after={"declared_income": declared_income, "valid_from": str(valid_from)},
    )
    return bracket


def _close_previous(model: type[RegulationRow], key: Any, valid_from: Month) -> list[Any]:
    """End the open-ended row of the same key the month before ``valid_from``."""
    previous = list(
        model.objects.select_for_update().filter(
            key, valid_to__isnull=True, valid_from__lt=valid_from.first_day()
        )
    )
    for row in previous:
        row.valid_to = (valid_from - 1).first_day()  # type: ignore[operator]
        row.save(update_fields=["valid_to", "updated_at"])
    return previous


@transaction.atomic
def contribution_rate_add(
    *,
    segment: str,
    programme: str,
    basis: str,
    valid_from: Month,
    legal_basis: str,
    risk_group: str = "",
    percent: Decimal | None = None,
    amount: int | None = None,
    confirmed: bool = False,
    note: str = "",
    acting_user: User | None,
) -> ContributionRate:
    """A rate change from ``valid_from`` on: the open row before it ends the month before."""
    _require_reference(acting_user)
    rate = ContributionRate(
        segment=segment,
        programme=programme,
        risk_group=risk_group,
        basis=basis,
        percent=percent,
        amount=amount,
        valid_from=valid_from.first_day(),
        legal_basis=legal_basis.strip(),
        confirmed=confirmed,
        note=note,
    )
    closed = _close_previous(ContributionRate, rate.overlap_key(), valid_from)
    _validated(rate)
    rate.save()
    audit_record(
        action="budget.contribution_rate.created",
        acting_user=acting_user,
        obj=rate,
        after=model_snapshot(
            rate, ["segment", "programme", "risk_group", "basis", "percent", "amount"]
        )
        | {"valid_from": str(valid_from), "confirmed": confirmed},
        data={"closed": [row.pk for row in closed]},
    )
    return rate


@transaction.atomic
def regulation_row_confirm(
    *, row: RegulationRow, legal_basis: str, acting_user: User | None
) -> RegulationRow:
    """Mark a row as checked against the regulation text, citing where."""
    _require_reference(acting_user)
    if not legal_basis.strip():
        raise DomainError(gettext("Sebutkan dasar hukum yang diperiksa."), code="reason_required")
    if row.confirmed:
        raise InvalidTransition(gettext("%(row)s sudah terkonfirmasi.") % {"row": row})
    before = {"legal_basis": row.legal_basis, "confirmed": False}
    row.legal_basis = legal_basis.strip()
    row.confirmed = True
    row.save(update_fields=["legal_basis", "confirmed", "updated_at"])
    audit_record(
        action=f"budget.{_ROW_CODES[type(row)]}.confirmed",
        acting_user=acting_user,
        obj=row,
        before=before,
        after={"legal_basis": row.legal_basis, "confirmed": True},
    )
    return row


_ROW_CODES: dict[type[RegulationRow], str] = {
    IncomeBracket: "income_bracket",
    ContributionRate: "contribution_rate",
    ContributionDiscount: "discount",
}

"""Demo data: the programme's history from 2022 to the demo's year.

``demo_step_enrollment`` makes, for Kabupaten Sijunjung, what the Dinas, the head and the
BPJS branch did each year, through the real services (so every row has its audit event):

- **2022** — APBD pagu = the cost estimate of the seed's phase I (1,333 persons × 9
  months from March 2022 = Rp 201,549,600, computed, not typed); APBD-P pagu
  Rp 271,588,800 (the seed's phase II figure). Phase I (March–November) and phase II
  (December only: the seed's figure is 16,166 person-months, not a whole number of months
  for 9,416 persons, see docs/enrollment.md). Each phase: a reservation naming its
  persons, the decree (the seed's real numbers 188.45/131 and 188.45/399), BPJS results
  (about 4 % rejected, with reasons), memberships.
- **2023 … demo year** — a fiscal year and its APBD pagu; the previous year's members
  carried over by a renewal proposal, reserved, decreed in January, accepted by BPJS. From
  2024 two nagari pay for their own residents from APB Nagari ("1 Nagari 100 orang", a
  minimum): Palaluar registers 105 more residents and stays above the minimum, Desa
  Kampung Baru covers only its few renewed residents and stays below it.
- **The demo year** also gets one *draft* decree (phase II) for persons never enrolled.

The services stamp every step "now"; afterwards the step restamps each record with the
date it represents (``_restamp``), so the collaboration scorecard's clocks have data over
the years, not only in the quarter the demo runs: a pagu is approved when the APBD (end
of the year before), the APBD-P (September) or the APB Nagari (December) is passed, a
decree is approved the day before and issued on its decree date, and BPJS answers a
decree ``ANSWER_DAYS`` later. BPJS answered the 2023 renewal only in April (the seed: the
2023 first phase "tidak terealisasi sepenuhnya" for want of clear data), after the 2023
addendum's 14-day verification SLA was agreed. From 2023 a renewal also has a few
rejections (``RENEWAL_REJECT_EVERY``): renewed members who meanwhile became wage earners.

``--people N`` scales the persons, not the money: with fewer persons than the seed,
phase I takes up to 1,333 of two thirds of them and phase II the rest, while the pagu
keep the seed's figures (the budget then shows money left unspent, as the seed did).

The demo runs in one transaction; the budget's ``reservation_create`` needs a durable
transaction of its own (the pagu lock), so reservations are written here with the same
rows and audit event (``_reservation``), inside the pagu with no other writer around.
The money of rejected persons goes back to the pagu after the demo commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.budget import services as budget
from jamsos.budget.estimates import cost_estimate
from jamsos.budget.models import (
    Allocation,
    FiscalYear,
    FundingSource,
    Phase,
    Reservation,
    ReservationPerson,
)
from jamsos.demo.persons import VillageRef, demo_person_rows
from jamsos.demo.registry import demo_step
from jamsos.enrollment import services
from jamsos.enrollment.models import Decree, DecreeLine, Membership
from jamsos.lib.bulkcopy import rows_insert
from jamsos.lib.periods import Month, months_between
from jamsos.regions.models import Region
from jamsos.registry.models import Person
from jamsos.registry.services import person_bulk_create_prevalidated

if TYPE_CHECKING:
    from jamsos.demo.registry import DemoContext

FIRST_YEAR = 2022
PHASE_I = (1_333, Month(2022, 3), 9)  # persons, first month, months (facts.md §0)
PHASE_II_PERSONS = 9_416
PHASE_II_START, PHASE_II_MONTHS = Month(2022, 12), 1
APBD_P_2022 = 271_588_800  # the seed's phase II amount
# Persons the APBD pagu of later years is planned for (× 12 months, at the rate of the
# year); 2025 is the seed's pagu itself. Years after 2026 repeat 2026.
PAGU_PERSONS = {2023: 11_616, 2024: 11_717, 2026: 16_590}
PAGU_2025 = 3_053_299_200
NAGARI_PROGRAMME = ("13.03.08.2002", "13.03.10.2004")  # Palaluar, Desa Kampung Baru
NAGARI_FROM = 2024  # the first APB Nagari year of "1 Nagari 100 orang" (facts.md §0)
NAGARI_QUOTA = 100  # each nagari's own target row (budget.NagariQuota), not a cap
# Palaluar (1st in the Paritrana Award 2023, facts.md §7.2) covers more than the minimum:
# in its first APB Nagari year it adds this many residents of its own (a demo figure), so
# the demo shows one nagari above the minimum and Desa Kampung Baru below it.
NAGARI_ABOVE = "13.03.08.2002"
NAGARI_NEWCOMERS = 105
DECREES = {  # (number, date) of the SK; 2022's are the seed's own
    "2022-1": ("188.45/131/KPTS-BPT-2022", dt.date(2022, 3, 15)),
    "2022-2": ("188.45/399/KPTS-BPT-2022", dt.date(2022, 10, 19)),
}
REJECTION_REASONS = (
    "Sudah terdaftar sebagai peserta Penerima Upah (PU) di perusahaan lain",
    "NIK tidak dikenal di database Dukcapil",
    "Usia melebihi batas kepesertaan BPU",
    "Nama dan tanggal lahir tidak sesuai KTP",
)
REJECT_EVERY = 25  # about 4 % of a 2022 phase
RENEWAL_REJECT_EVERY = 50  # about 2 % of a renewal (demo figure)
RENEWAL_REJECT_REASON = REJECTION_REASONS[0]
# Days from a decree's issue to BPJS's answer (demo figures); 2023's renewal waited.
ANSWER_DAYS = {"2022-1": 9, "2022-2": 21, "renewal": 10, "nagari": 16}
LATE_ANSWERS = {2023: dt.date(2023, 4, 12)}
APBD_P_PASSED = (9, 28)  # month, day the APBD-P is passed (demo figure)


@dataclass
class _Actors:
    operator: User
    head: User
    bpjs: User


def _apbd_sources(regency: Region, operator: User) -> tuple[FundingSource, FundingSource]:
    apbd = budget.funding_source_create(
        region=regency,
        kind=FundingSource.Kind.APBD,
        name="APBD Kabupaten Sijunjung",
        acting_user=operator,
    )
    apbd_p = budget.funding_source_create(
        region=regency,
        kind=FundingSource.Kind.APBD_P,
        name="APBD Perubahan Kabupaten Sijunjung",
        acting_user=operator,
    )
    return apbd, apbd_p


def _at(day: dt.date, as_of: dt.date, hour: int = 10) -> dt.datetime:
    """``day`` at ``hour`` (local), never after the demo's date nor now."""
    moment = timezone.make_aware(dt.datetime.combine(min(day, as_of), dt.time(hour)))
    return min(moment, timezone.now())


def _pagu(
    year: FiscalYear,
    source: FundingSource,
    name: str,
    amount: int,
    actors: _Actors,
    *,
    approved_on: dt.date,
    as_of: dt.date,
) -> Allocation:
    """A pagu approved on the day its budget law passed (``approved_on``), not today."""
    allocation = budget.allocation_create(
        fiscal_year=year, source=source, name=name, pagu=amount, acting_user=actors.operator
    )
    allocation = budget.allocation_approve(allocation=allocation, acting_user=actors.head)
    stamps = {
        "created_at": _at(approved_on - dt.timedelta(days=14), as_of),
        "approved_at": _at(approved_on, as_of, hour=15),
    }
    Allocation.objects.filter(pk=allocation.pk).update(**stamps)
    for field, value in stamps.items():
        setattr(allocation, field, value)
    return allocation


def _reservation(
    allocation: Allocation,
    person_ids: Sequence[int],
    *,
    first: Month,
    months: int,
    actors: _Actors,
    phase: Phase | None = None,
    nagari: Region | None = None,
    note: str = "",
) -> Reservation:
    """What ``reservation_create`` writes (reservation, named persons, audit event),
    without its durable pagu lock, which cannot run inside the demo's transaction."""
    estimate = cost_estimate(
        persons=len(person_ids), months=months, start=first, payer=allocation.payer
    )
    reservation = Reservation.objects.create(
        allocation=allocation,
        phase=phase,
        nagari=nagari,
        persons=len(person_ids),
        first_month=first.first_day(),
        last_month=estimate.end.first_day(),
        segment=allocation.segment,
        declared_income=estimate.declared_income,
        payer=allocation.payer,
        per_person_month=estimate.per_person_month,
        amount=estimate.total,
        estimate=estimate.as_dict(),
        note=note,
        created_by=actors.operator,
    )
    rows_insert(
        ReservationPerson, ["reservation", "person"], ((reservation.pk, pk) for pk in person_ids)
    )
    audit_record(
        action="budget.reservation.created",
        acting_user=actors.operator,
        obj=reservation,
        data={
            "allocation": allocation.pk,
            "persons": reservation.persons,
            "named_persons": True,
            "first_month": str(first),
            "months": months,
            "amount": reservation.amount,
            "source": "demo",
        },
    )
    return reservation


def _decree(
    reservation: Reservation, actors: _Actors, *, number: str, date: dt.date, as_of: dt.date
) -> Decree:
    decree = services.decree_draft_from_reservation(
        reservation=reservation, acting_user=actors.operator
    )
    decree = services.decree_approve(decree=decree, acting_user=actors.head)
    decree = services.decree_issue(
        decree=decree, number=number, decree_date=min(date, as_of), acting_user=actors.operator
    )
    # Drafted and approved in the days before its date, issued (sent to BPJS) on it.
    stamps = {
        "created_at": _at(decree.decree_date - dt.timedelta(days=3), as_of),
        "approved_at": _at(decree.decree_date - dt.timedelta(days=1), as_of, hour=14),
        "issued_at": _at(decree.decree_date, as_of),
    }
    Decree.objects.filter(pk=decree.pk).update(**stamps)
    for field, value in stamps.items():
        setattr(decree, field, value)
    return decree


def _bpjs(
    decree: Decree,
    actors: _Actors,
    *,
    start: dt.date,
    reject: bool,
    as_of: Month,
    kpj: dict[int, str],
    answered_on: dt.date,
    demo_date: dt.date,
    reject_every: int | None = None,
) -> int:
    """BPJS answers on ``answered_on``: everyone accepted with the person's KPJ, except
    (``reject``) one in ``REJECT_EVERY`` with a reason, a few accepted a month late; a
    renewal (``reject_every``) rejects one in ``reject_every`` who became a wage earner."""
    results = []
    lines = decree.lines.order_by("line_no").values_list("nik", "person_id", "line_no")
    for nik, person, line_no in lines:
        if reject_every and line_no % reject_every == 7:
            results.append(
                services.BpjsResult(
                    nik=nik, status=DecreeLine.BpjsStatus.REJECTED, reason=RENEWAL_REJECT_REASON
                )
            )
            continue
        if reject and line_no % REJECT_EVERY == 7:
            reason = REJECTION_REASONS[(line_no // REJECT_EVERY) % len(REJECTION_REASONS)]
            results.append(
                services.BpjsResult(nik=nik, status=DecreeLine.BpjsStatus.REJECTED, reason=reason)
            )
            continue
        late = (
            reject
            and line_no % 10 == 3
            and Month.from_date(decree.last_month) > Month.from_date(start)
        )
        coverage = (Month.from_date(start) + 1).first_day() if late else start
        number = kpj.setdefault(person, f"13{person:09d}")
        results.append(
            services.BpjsResult(
                nik=nik,
                status=DecreeLine.BpjsStatus.ACCEPTED,
                kpj_number=number,
                coverage_start=coverage,
            )
        )
    summary = services.bpjs_results_record(
        decree=decree, results=results, acting_user=actors.bpjs, source="demo", as_of=as_of
    )
    answered = _at(answered_on, demo_date, hour=11)
    DecreeLine.objects.filter(decree=decree, bpjs_recorded_at__isnull=False).update(
        bpjs_recorded_at=answered
    )
    Membership.objects.filter(decree_line__decree=decree).update(
        created_at=answered, status_changed_at=answered
    )
    return summary.accepted + summary.rejected


def _setting(regency: Region, actors: _Actors) -> None:
    # Mengingat comes from the legal-basis records (the Instruksi Gubernur and Instruksi
    # Bupati among them); the kabupaten writes no extra basis by hand.
    services.decree_setting_save(
        region=regency,
        place="Muaro Sijunjung",
        signer_title="BUPATI SIJUNJUNG",
        signer_name="Irwan Sutan Pangeran",
        number_format="188.45/{seq}/KPTS-BPT-{year}",
        legal_bases=[],
        acting_user=actors.operator,
    )


def _nagari_newcomers(ctx: DemoContext, nagari: Region) -> list[int]:
    """``NAGARI_NEWCOMERS`` residents of ``nagari`` registered for its APB Nagari (their
    own random stream; NIKs already taken by the persons step are skipped)."""
    rows = demo_person_rows(
        count=NAGARI_NEWCOMERS + 20,
        seed=ctx.seed * 7_919 + NAGARI_FROM,
        villages=[VillageRef(nagari.code, nagari.name, nagari.kind)],
        year=ctx.as_of.year,
    )
    taken = set(Person.objects.filter(nik__in=[r.nik for r in rows]).values_list("nik", flat=True))
    rows = [row for row in rows if row.nik not in taken][:NAGARI_NEWCOMERS]
    ids = person_bulk_create_prevalidated(
        persons=[row.person_data() for row in rows],
        acting_user=None,
        data={"source": "demo", "seed": ctx.seed, "programme": "1 Nagari 100 orang"},
    )
    return [ids[row.nik] for row in rows]


def _split(count: int) -> tuple[int, int, int]:
    """Persons for 2022 phase I, phase II and the demo year's draft (see the docstring)."""
    held = max(1, count // 25) if count >= 5 else 0
    pool = count - held
    if pool >= PHASE_I[0] + PHASE_II_PERSONS:
        return PHASE_I[0], PHASE_II_PERSONS, held
    first = min(PHASE_I[0], (2 * pool) // 3)
    return first, min(PHASE_II_PERSONS, pool - first), held


# (pagu, persons, nagari, whether they are the renewal proposal's candidates)
_Group = tuple[Allocation, list[int], Region | None, bool]


def _nagari_groups(
    ctx: DemoContext,
    year: FiscalYear,
    candidates: list[tuple[int, str]],
    nagari_sources: dict[str, FundingSource],
    actors: _Actors,
) -> tuple[list[_Group], list[_Group], set[int]]:
    """The APB Nagari pagu of the programme's nagari for ``year`` and whom they cover."""
    y, regency = year.year, ctx.regency
    groups: list[_Group] = []
    newcomers: list[_Group] = []
    taken: set[int] = set()
    for code in NAGARI_PROGRAMME:
        nagari = Region.objects.get(pk=code)
        source = nagari_sources.get(code) or budget.funding_source_create(
            region=regency,
            kind=FundingSource.Kind.APB_NAGARI,
            name=f"APB Nagari {nagari.name.removeprefix('Desa ')}",
            nagari=nagari,
            acting_user=actors.operator,
        )
        nagari_sources[code] = source
        budget.nagari_quota_set(
            fiscal_year=year,
            nagari=nagari,
            persons=NAGARI_QUOTA,
            note="Target 1 Nagari 100 orang",
            acting_user=actors.operator,
        )
        # The minimum is not a cap: every renewed resident stays, and Palaluar
        # registers newcomers of its own in the first year (a reservation and a
        # decree of their own: they are not renewal candidates).
        members = [p for p, village in candidates if village == code]
        added = _nagari_newcomers(ctx, nagari) if code == NAGARI_ABOVE and y == NAGARI_FROM else []
        nagari_pagu = _pagu(
            year,
            source,
            f"Iuran pekerja rentan {source.name} {y}",
            cost_estimate(
                persons=max(NAGARI_QUOTA, len(members) + len(added)),
                months=12,
                start=Month(y, 1),
                payer="apb_nagari",
            ).total,
            actors,
            approved_on=dt.date(y - 1, 12, 20),  # the APB Nagari, passed in December
            as_of=ctx.as_of,
        )
        if members:
            groups.append((nagari_pagu, members, nagari, True))
            taken |= set(members)
        if added:
            newcomers.append((nagari_pagu, added, nagari, False))
    return groups, newcomers, taken


@demo_step("enrollment", order=40)
def demo_step_enrollment(ctx: DemoContext) -> int:
    """Budgets, decrees, BPJS results and memberships, 2022 to the demo year."""
    actors = _Actors(ctx.users["operator"], ctx.users["kadis"], ctx.users["bpjs"])
    regency = ctx.regency
    as_of = ctx.as_of
    last_year = max(FIRST_YEAR, as_of.year)
    before = _count()
    _setting(regency, actors)
    apbd, apbd_p = _apbd_sources(regency, actors.operator)
    ids = [p.pk for p in ctx.persons]
    n1, n2, held = _split(len(ids))
    kpj: dict[int, str] = {}
    month = Month.from_date(as_of)

    # 2022: phases I and II.
    year = budget.fiscal_year_create(
        region=regency, year=FIRST_YEAR, note="Tahun pertama program", acting_user=actors.operator
    )
    persons, first, months = PHASE_I
    seed_pagu = cost_estimate(persons=persons, months=months, start=first).total  # 201,549,600
    pagu = _pagu(
        year,
        apbd,
        "Iuran JKK/JKM pekerja rentan 2022",
        seed_pagu,
        actors,
        approved_on=dt.date(FIRST_YEAR - 1, 11, 30),
        as_of=as_of,
    )
    pagu_p = _pagu(
        year,
        apbd_p,
        "Iuran JKK/JKM pekerja rentan 2022 (APBD-P)",
        APBD_P_2022,
        actors,
        approved_on=dt.date(FIRST_YEAR, *APBD_P_PASSED),
        as_of=as_of,
    )
    apbd_pagu = pagu
    phases = [
        (1, "Tahap I", first, months, pagu, persons, ids[:n1], "2022-1"),
        (
            2,
            "Tahap II",
            PHASE_II_START,
            PHASE_II_MONTHS,
            pagu_p,
            PHASE_II_PERSONS,
            ids[n1 : n1 + n2],
            "2022-2",
        ),
    ]
    for number, name, start, length, allocation, planned, members, key in phases:
        phase = budget.phase_create(
            fiscal_year=year,
            number=number,
            name=name,
            first_month=start,
            months=length,
            allocation=allocation,
            planned_persons=planned,
            decree_reference=DECREES[key][0],
            acting_user=actors.operator,
        )
        if not members:
            continue
        reservation = _reservation(
            allocation, members, first=start, months=length, actors=actors, phase=phase
        )
        decree = _decree(
            reservation, actors, number=DECREES[key][0], date=DECREES[key][1], as_of=as_of
        )
        _bpjs(
            decree,
            actors,
            start=start.first_day(),
            reject=True,
            as_of=month,
            kpj=kpj,
            answered_on=decree.decree_date + dt.timedelta(days=ANSWER_DAYS[key]),
            demo_date=as_of,
        )

    # 2023 … the demo year: renewal of the previous year's members.
    nagari_sources: dict[str, FundingSource] = {}
    for y in range(FIRST_YEAR + 1, last_year + 1):
        year = budget.fiscal_year_create(region=regency, year=y, acting_user=actors.operator)
        amount = (
            PAGU_2025
            if y == 2025
            else cost_estimate(
                persons=PAGU_PERSONS.get(y, PAGU_PERSONS[2026]), months=12, start=Month(y, 1)
            ).total
        )
        apbd_pagu = _pagu(
            year,
            apbd,
            f"Iuran JKK/JKM pekerja rentan {y}",
            amount,
            actors,
            approved_on=dt.date(y - 1, 11, 30),  # the APBD, passed before the year
            as_of=as_of,
        )
        phase = budget.phase_create(
            fiscal_year=year,
            number=1,
            name="Tahap I",
            first_month=Month(y, 1),
            months=12,
            allocation=apbd_pagu,
            acting_user=actors.operator,
        )
        proposal = services.membership_renewal_propose(
            fiscal_year=year, acting_user=actors.operator
        )
        candidates = list(proposal.lines.order_by("pk").values_list("person_id", "village_id"))
        groups, newcomers, taken = (
            _nagari_groups(ctx, year, candidates, nagari_sources, actors)
            if y >= NAGARI_FROM
            else ([], [], set())
        )
        groups.insert(0, (apbd_pagu, [p for p, _v in candidates if p not in taken], None, True))
        for seq, (allocation, members, nagari, renewal) in enumerate(
            [*groups, *newcomers], start=1
        ):
            if not members:
                continue
            reservation = _reservation(
                allocation,
                members,
                first=Month(y, 1),
                months=12,
                actors=actors,
                phase=phase if nagari is None else None,
                nagari=nagari,
                note=f"Perpanjangan peserta {y - 1}" if renewal else "Pendaftaran baru APB Nagari",
            )
            if renewal:
                services.renewal_link_reservation(
                    proposal=proposal, reservation=reservation, acting_user=actors.operator
                )
            number = f"188.45/{seq + 8}/KPTS-BPT-{y}"
            decree = _decree(
                reservation, actors, number=number, date=dt.date(y, 1, 5 + seq), as_of=as_of
            )
            days = ANSWER_DAYS["renewal" if nagari is None else "nagari"]
            _bpjs(
                decree,
                actors,
                start=dt.date(y, 1, 1),
                reject=False,
                as_of=month,
                kpj=kpj,
                answered_on=LATE_ANSWERS.get(y, decree.decree_date + dt.timedelta(days=days)),
                demo_date=as_of,
                reject_every=RENEWAL_REJECT_EVERY if renewal else None,
            )

    # The demo year's draft: phase II for persons never enrolled.
    newcomers = ids[len(ids) - held :] if held else []
    if newcomers:
        start = (
            min(month + 1, Month(last_year, 12))
            if month.year == last_year
            else Month(last_year, 12)
        )
        length = months_between(start, Month(last_year, 12))
        phase = budget.phase_create(
            fiscal_year=year,
            number=2,
            name="Tahap II",
            first_month=start,
            months=length,
            allocation=apbd_pagu,
            planned_persons=len(newcomers),
            acting_user=actors.operator,
        )
        reservation = _reservation(
            apbd_pagu, newcomers, first=start, months=length, actors=actors, phase=phase
        )
        services.decree_draft_from_reservation(reservation=reservation, acting_user=actors.operator)
    return _count() - before


def _count() -> int:
    return (
        Decree.objects.count()
        + DecreeLine.objects.count()
        + Membership.objects.count()
        + Reservation.objects.count()
        + Allocation.objects.count()
    )

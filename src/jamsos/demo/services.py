"""Load a realistic Kabupaten Sijunjung into an empty database.

``demo_load`` runs ``DEMO_STEPS`` in order inside one transaction. Each step is a function
of a ``DemoContext`` that returns how many rows it created. An app adds its data
(budgets, decrees, bills, claims, proposals) by registering a step in its own ``demo.py``
(``@demo_step("<name>", order=<n>)``, see ``jamsos.demo.registry``): it finds what the
earlier steps made in ``ctx.agencies``, ``ctx.users`` and ``ctx.persons``, and draws its
randomness from ``ctx.rng("<step>")`` so that adding a step never changes earlier data.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.models import Agency
from jamsos.accounts.services import agency_create, user_create
from jamsos.audit.models import AuditEvent
from jamsos.audit.services import audit_record
from jamsos.demo import catalogue as c
from jamsos.demo.catalogue import DEMO_PASSWORD, DEMO_USERS
from jamsos.demo.persons import VillageRef, demo_person_rows
from jamsos.demo.registry import DEMO_STEPS, DemoContext, DemoStep, demo_step
from jamsos.demo.selectors import DemoLogin, demo_database_is_empty, demo_logins
from jamsos.lib.errors import DomainError
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation, Person
from jamsos.registry.services import person_bulk_create_prevalidated

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_STEPS",
    "DEMO_USERS",
    "DemoContext",
    "DemoStep",
    "DemoSummary",
    "demo_load",
]

MAX_PEOPLE = 1_000_000


@dataclass
class DemoSummary:
    seed: int
    people: int
    as_of: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    logins: list[DemoLogin] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["seconds"] = round(self.seconds, 3)
        return data


@demo_step("agencies", order=10)
def demo_step_agencies(ctx: DemoContext) -> int:
    """Disnakertrans, the BPJS branch, DPRD, Setda, Diskominfo; a kantor camat for every
    kecamatan and a pemerintah nagari for every village of the regency."""
    regions = {
        r.code: r for r in Region.objects.filter(code__startswith=c.REGENCY + ".").order_by("code")
    }
    regions[c.REGENCY] = ctx.regency
    specs = list(c.REGENCY_AGENCIES)
    for region in regions.values():
        if region.level == Region.Level.DISTRICT:
            specs.append(
                c.DemoAgency(
                    c.district_agency_code(region.code),
                    f"Kantor Camat {region.name}",
                    Agency.Kind.KECAMATAN_OFFICE,
                    region.code,
                )
            )
        elif region.level == Region.Level.VILLAGE:
            specs.append(
                c.DemoAgency(
                    c.village_agency_code(region.code),
                    _village_government_name(region),
                    Agency.Kind.NAGARI,
                    region.code,
                )
            )
    for spec in specs:
        ctx.agencies[spec.code] = agency_create(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            region=regions[spec.region_code],
            acting_user=None,
        )
    return len(specs)


def _village_government_name(region: Region) -> str:
    if region.kind == Region.Kind.DESA:
        return "Pemerintah Desa " + region.name.removeprefix("Desa ")
    if region.kind == Region.Kind.KELURAHAN:
        return "Kantor Kelurahan " + region.name
    return "Pemerintah Nagari " + region.name


@demo_step("users", order=20)
def demo_step_users(ctx: DemoContext) -> int:
    """One login per role, all with ``DEMO_PASSWORD``; none is a Django superuser."""
    for i, demo_user in enumerate(DEMO_USERS):
        agency = ctx.agencies[c.DEMO_USER_AGENCY[demo_user.username]]
        ctx.users[demo_user.username] = user_create(
            username=demo_user.username,
            full_name=demo_user.full_name,
            role=demo_user.role,
            agency=agency,
            region=Region.objects.get(pk=demo_user.region_code),
            password=DEMO_PASSWORD,
            email=f"{demo_user.username}@demo.jamsos.invalid",
            phone=f"+6281270{i:02d}{ctx.seed % 10000:04d}",
            acting_user=None,
        )
    return len(DEMO_USERS)


@demo_step("persons", order=30)
def demo_step_persons(ctx: DemoContext) -> int:
    """``ctx.people`` persons spread over every village, with one audit event each.

    Written through the registry's bulk service, as an intake import writes them, so each
    person gets its own ``registry.person.created`` event and its history looks the same
    for demo and real data. The rows need no ``full_clean``: the generator's output is
    valid by construction, and the tests check every NIK against the codebook.
    """
    villages = [
        VillageRef(code=code, name=name, kind=kind)
        for code, name, kind in Region.objects.filter(
            code__startswith=c.REGENCY + ".", level=Region.Level.VILLAGE
        ).values_list("code", "name", "kind")
    ]
    rows = demo_person_rows(count=ctx.people, seed=ctx.seed, villages=villages, year=ctx.as_of.year)
    missing = {row.occupation_code for row in rows} - set(
        Occupation.objects.values_list("code", flat=True)
    )
    if missing:
        raise DomainError(
            gettext("Pekerjaan %(missing)s tidak ada dalam daftar referensi.")
            % {"missing": ", ".join(sorted(missing))},
            code="demo_occupation_missing",
        )
    ids = person_bulk_create_prevalidated(
        persons=[row.person_data() for row in rows],
        acting_user=None,
        data={"source": "demo", "seed": ctx.seed},
    )
    # The database held no person before the demo, so these are all of them.
    ctx.persons = list(Person.objects.order_by("pk"))
    return len(ids)


@transaction.atomic
def demo_load(*, people: int = 500, seed: int = 1, as_of: dt.date | None = None) -> DemoSummary:
    """Fill an empty database with the Sijunjung demo; refuse if it holds any data.

    ``as_of`` (default today) fixes the year persons' ages are counted in; the same seed
    and year give the same data.
    """
    started = time.perf_counter()
    if not 0 <= people <= MAX_PEOPLE:
        raise DomainError(
            f"Jumlah orang harus antara 0 dan {MAX_PEOPLE:,}.".replace(",", "."),
            code="demo_people_out_of_range",
            people=people,
        )
    if not demo_database_is_empty():
        raise DomainError(
            gettext(
                "Basis data sudah berisi instansi, pengguna atau peserta; data demo "
                "hanya dimuat ke basis data yang kosong."
            ),
            code="demo_not_empty",
        )
    ctx = DemoContext(
        seed=seed,
        people=people,
        as_of=as_of or timezone.localdate(),
        regency=Region.objects.get(pk=c.REGENCY),
    )
    summary = DemoSummary(seed=seed, people=people, as_of=ctx.as_of)
    events_before = AuditEvent.objects.count()
    for name, step in DEMO_STEPS:
        summary.counts[name] = step(ctx)
    audit_record(
        action="demo.data.loaded",
        acting_user=None,
        obj=ctx.regency,
        region_code=c.REGENCY,
        data={"seed": seed, "people": people, "as_of": ctx.as_of.isoformat(), **summary.counts},
    )
    summary.counts["audit_events"] = AuditEvent.objects.count() - events_before
    summary.logins = demo_logins()
    summary.seconds = time.perf_counter() - started
    return summary

"""Benchmark the decree: a 10,000-person SK as PDF and xlsx, and decree + memberships for
100,000 persons without per-row queries.

Targets (issue 4): PDF ≤ 5 s and xlsx ≤ 2 s for 10,000 persons; the 100,000-person run on
PostgreSQL must issue a bounded number of statements (COPY and array parameters), not
one per person. Runs in a throw-away test database on the configured server
(``DATABASE_URL``, else SQLite), so real data is never touched.

    .venv/bin/python bench/decree.py [--persons 10000] [--bulk 100000] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jamsos .venv/bin/python bench/decree.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamsos.config.settings.base")
os.environ.setdefault("JAMSOS_DATA_DIR", tempfile.mkdtemp(prefix="jamsos-bench-"))
os.environ.setdefault("JAMSOS_GENERATE_SECRET_KEY", "1")


class Statements:
    """Counts SQL statements (``executemany`` and COPY count once) without formatting them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000, help="persons in the printed SK")
    parser.add_argument(
        "--bulk", type=int, default=100_000, help="persons in the bulk run (0: skip)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        test_file = Path(tempfile.mkdtemp(prefix="jamsos-bench-")) / "bench.sqlite3"
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(test_file)
    settings.GENERATED_ROOT = Path(tempfile.mkdtemp(prefix="jamsos-bench-generated-"))
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    figures: dict[str, object] = {
        "database": connection.vendor,
        "migrate_seconds": round(time.perf_counter() - started, 1),
    }
    try:
        figures |= run_print(args.persons)
        if args.bulk:
            figures |= run_bulk(args.bulk)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:44} {value}")
    return 0


def _persons(count: int, offset: int) -> list[int]:
    """``count`` distinct persons in Sijunjung's nagari, written with COPY (not timed)."""
    from django.utils import timezone

    from jamsos.lib.bulkcopy import rows_insert
    from jamsos.lib.nik import nik_build
    from jamsos.regions.models import Region
    from jamsos.registry.models import Person

    villages = list(
        Region.objects.filter(level="village", code__startswith="13.03.").values_list(
            "code", "parent_id"
        )
    )
    now = timezone.now()
    base = dt.date(1960, 1, 1)
    rows = []
    for n in range(offset, offset + count):
        village, district = villages[n % len(villages)]
        birth = base + dt.timedelta(days=(n // 40) % 15_000)
        sex = "L" if n % 2 else "P"
        serial = (n // (40 * 15_000)) * 40 + n % 40 + 1
        rows.append(
            (
                nik_build(district, birth, sex, serial),
                f"Peserta Uji {n} Sutan Marajo" if n % 7 == 0 else f"Peserta Uji {n}",
                birth,
                sex,
                village,
                "petani",
                "",
                "",
                "",
                "",
                "",
                False,
                now,
                now,
            )
        )
    fields = [
        "nik",
        "full_name",
        "birth_date",
        "sex",
        "village",
        "occupation",
        "birth_place",
        "mother_name",
        "address",
        "phone",
        "family_card_number",
        "is_deceased",
        "created_at",
        "updated_at",
    ]
    before = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows_insert(Person, fields, rows)
    return list(Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))


def _setup(year: int, persons: int):  # type: ignore[no-untyped-def]
    from jamsos.budget import services as budget
    from jamsos.budget.models import FundingSource
    from jamsos.regions.models import Region

    region = Region.objects.get(pk="13.03")
    fiscal_year = budget.fiscal_year_create(region=region, year=year, acting_user=None)
    source, _ = FundingSource.objects.get_or_create(
        region=region, name="APBD bench", defaults={"kind": FundingSource.Kind.APBD}
    )
    pagu = budget.allocation_create(
        fiscal_year=fiscal_year,
        source=source,
        name=f"Bench {year}",
        pagu=persons * 12 * 16_800,
        acting_user=None,
    )
    return budget.allocation_approve(allocation=pagu, acting_user=None)


def _operator_and_head():  # type: ignore[no-untyped-def]
    from jamsos.testing.personas import make_personas

    personas = make_personas()
    return personas


def _timed(label: str, figures: dict[str, object], action):  # type: ignore[no-untyped-def]
    from django.db import connection

    counter = Statements()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = action()
    figures[f"{label}_seconds"] = round(time.perf_counter() - started, 2)
    figures[f"{label}_statements"] = counter.count
    return result


def run_print(count: int) -> dict[str, object]:
    """An issued SK of ``count`` persons; time the official PDF, public PDF and xlsx."""
    from jamsos.budget import services as budget
    from jamsos.enrollment import documents, services
    from jamsos.lib.periods import Month

    personas = _operator_and_head()
    ids = _persons(count, 0)
    pagu = _setup(2030, count)
    reservation = budget.reservation_create(
        allocation=pagu, person_ids=ids, first_month=Month(2030, 1), months=12, acting_user=None
    )
    figures: dict[str, object] = {"print_persons": count}
    decree = services.decree_draft_from_reservation(
        reservation=reservation, acting_user=personas.dinas_operator
    )
    decree = services.decree_approve(decree=decree, acting_user=personas.dinas_head)
    decree = services.decree_issue(
        decree=decree, number="188.45/1/BENCH-2030", decree_date=dt.date.today(), acting_user=None
    )
    pdf = _timed("pdf", figures, lambda: documents.decree_pdf(decree, public=False))
    figures["pdf_pages"] = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    figures["pdf_bytes"] = len(pdf)
    _timed("public_pdf", figures, lambda: documents.decree_pdf(decree, public=True))
    xlsx = _timed("xlsx", figures, lambda: documents.decree_xlsx(decree))
    figures["xlsx_bytes"] = len(xlsx)
    figures["pdf_target_met (<= 5 s)"] = figures["pdf_seconds"] <= 5  # type: ignore[operator]
    figures["xlsx_target_met (<= 2 s)"] = figures["xlsx_seconds"] <= 2  # type: ignore[operator]
    return figures


def run_bulk(count: int) -> dict[str, object]:
    """Reservation, decree (draft, approve, issue) and BPJS results → memberships for
    ``count`` persons, counting statements."""
    from jamsos.budget import services as budget
    from jamsos.enrollment import services
    from jamsos.enrollment.models import DecreeLine, Membership
    from jamsos.lib.periods import Month
    from jamsos.testing.personas import make_personas

    personas = make_personas()
    ids = _persons(count, 10_000_000 // 40)  # well away from the print run's persons
    pagu = _setup(2031, count)
    figures: dict[str, object] = {"bulk_persons": count}
    reservation = _timed(
        "bulk_reservation",
        figures,
        lambda: budget.reservation_create(
            allocation=pagu, person_ids=ids, first_month=Month(2031, 1), months=12, acting_user=None
        ),
    )
    decree = _timed(
        "bulk_decree_draft",
        figures,
        lambda: services.decree_draft_from_reservation(
            reservation=reservation, acting_user=personas.dinas_operator
        ),
    )
    decree = services.decree_approve(decree=decree, acting_user=personas.dinas_head)
    decree = _timed(
        "bulk_decree_issue",
        figures,
        lambda: services.decree_issue(
            decree=decree,
            number="188.45/2/BENCH-2031",
            decree_date=dt.date.today(),
            acting_user=None,
        ),
    )
    niks = list(decree.lines.values_list("nik", flat=True))
    results = [
        services.BpjsResult(
            nik=nik,
            status=DecreeLine.BpjsStatus.ACCEPTED,
            kpj_number=f"{31_000_000_000 + i:011d}",
            coverage_start=dt.date(2031, 1, 1),
        )
        for i, nik in enumerate(niks)
    ]
    summary = _timed(
        "bulk_bpjs_results_memberships",
        figures,
        lambda: services.bpjs_results_record(
            decree=decree, results=results, acting_user=personas.bpjs_officer, as_of=Month(2031, 1)
        ),
    )
    figures["bulk_memberships"] = Membership.objects.filter(decree_line__decree=decree).count()
    figures["bulk_accepted"] = summary.accepted
    return figures


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the budget: a reservation naming 100,000 persons, and the cost estimate.

Runs against the configured database server (``DATABASE_URL``, else SQLite in
``JAMSOS_DATA_DIR``) but in a throw-away test database created and migrated for the run,
so real data is never touched. Prints the timings and the number of SQL queries: the
reservation must not issue one query per person.

    .venv/bin/python bench/budget.py [--persons 100000] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jamsos .venv/bin/python bench/budget.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamsos.config.settings.base")
os.environ.setdefault("JAMSOS_DATA_DIR", tempfile.mkdtemp(prefix="jamsos-bench-"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        # A file, not Django's default in-memory test database: closer to production.
        test_file = Path(tempfile.mkdtemp(prefix="jamsos-bench-")) / "bench.sqlite3"
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(test_file)
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    setup_seconds = time.perf_counter() - started
    try:
        figures = run(args.persons)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    figures = {"database": connection.vendor, "migrate_seconds": round(setup_seconds, 1)} | figures
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:42} {value}")
    return 0


def _persons(count: int) -> list[int]:
    """``count`` distinct persons in Sijunjung's nagari, written in bulk (not timed)."""
    from jamsos.lib.nik import nik_build
    from jamsos.regions.models import Region
    from jamsos.registry.models import Person

    villages = list(
        Region.objects.filter(level="village", code__startswith="13.03.").values_list(
            "code", "parent_id"
        )
    )
    base = dt.date(1960, 1, 1)
    batch = []
    for i in range(count):
        village, district = villages[i % len(villages)]
        birth = base + dt.timedelta(days=(i // 40) % 15_000)
        sex = "L" if i % 2 else "P"
        serial = (i // (40 * 15_000)) * 40 + i % 40 + 1
        batch.append(
            Person(
                nik=nik_build(district, birth, sex, serial),
                full_name=f"Peserta Uji {i}",
                birth_date=birth,
                sex=sex,
                village_id=village,
                occupation_id="petani",
            )
        )
    Person.objects.bulk_create(batch, batch_size=5000)
    return list(Person.objects.order_by("pk").values_list("pk", flat=True))


class SqlTimer:
    """Counts statements and sums their time by kind and table, via ``execute_wrapper``.

    Unlike ``CaptureQueriesContext`` it never formats the SQL with its parameters, which
    for a 10,000-id ``IN`` list would cost more than the query.
    """

    def __init__(self) -> None:
        self.count = 0
        self.seconds: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = sql.split()
            kind = words[0].upper() if words else "?"
            table = next(
                (w.strip('"') for w in words if w.strip('"').startswith(("budget_", "registry_"))),
                "",
            )
            key = f"{kind} {table.split('.')[0].strip(chr(34))}".strip()
            self.count += 1
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started

    def by_kind(self) -> dict[str, float]:
        top = sorted(self.seconds.items(), key=lambda kv: -kv[1])[:5]
        return {key: round(value, 2) for key, value in top}


def run(count: int) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jamsos.budget import selectors, services
    from jamsos.budget.estimates import cost_estimate
    from jamsos.budget.models import FundingSource
    from jamsos.lib.periods import Month
    from jamsos.regions.models import Region

    figures: dict[str, object] = {}
    started = time.perf_counter()
    ids = _persons(count)
    figures["persons_created"] = len(ids)
    figures["persons_bulk_insert_seconds"] = round(time.perf_counter() - started, 2)

    sijunjung = Region.objects.get(pk="13.03")
    year = services.fiscal_year_create(region=sijunjung, year=2025, acting_user=None)
    source = services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD", acting_user=None
    )
    per_person_year = cost_estimate(persons=1, months=12, start=Month(2025, 1)).total
    allocation = services.allocation_approve(
        allocation=services.allocation_create(
            fiscal_year=year,
            source=source,
            name="Pagu bench",
            pagu=per_person_year * count * 2,  # room for a second try: the overlap check
            acting_user=None,
        ),
        acting_user=None,
    )

    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        started = time.perf_counter()
        reservation = services.reservation_create(
            allocation=allocation, person_ids=ids, first_month=Month(2025, 1), acting_user=None
        )
        elapsed = time.perf_counter() - started
    figures["reservation_persons"] = reservation.persons
    figures["reservation_amount_rp"] = reservation.amount
    figures["reservation_seconds"] = round(elapsed, 2)
    figures["reservation_queries"] = timer.count
    figures["reservation_sql_seconds_top"] = timer.by_kind()
    figures["reservation_lines_written"] = reservation.lines.count()

    # A second reservation of the same persons must be refused by the overlap check.
    started = time.perf_counter()
    try:
        services.reservation_create(
            allocation=allocation, person_ids=ids, first_month=Month(2025, 6), acting_user=None
        )
        figures["overlap_refused"] = False
    except Exception as exc:  # the expected domain error
        figures["overlap_refused"] = getattr(exc, "code", repr(exc))
    figures["overlap_check_seconds"] = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    estimate = cost_estimate(persons=1_333, months=9, start=Month(2022, 3))
    figures["estimate_first_call_ms"] = round((time.perf_counter() - started) * 1000, 2)
    figures["estimate_phase_one_total_rp"] = estimate.total
    samples = []
    for _ in range(200):
        started = time.perf_counter()
        cost_estimate(persons=22_718, months=8, start=Month(2025, 5))
        samples.append(time.perf_counter() - started)
    figures["estimate_median_ms"] = round(statistics.median(samples) * 1000, 2)
    with CaptureQueriesContext(connection) as queries:
        cost_estimate(persons=1, months=120, start=Month(2020, 1), payer="mandiri")
    figures["estimate_120_months_queries"] = len(queries.captured_queries)

    started = time.perf_counter()
    capacity = selectors.allocation_capacity(allocation=allocation, start=Month(2025, 5))
    figures["capacity_ms"] = round((time.perf_counter() - started) * 1000, 2)
    figures["capacity_persons_left"] = capacity.persons
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        selectors.fiscal_year_overview(fiscal_year=year, as_of=Month(2025, 3))
        figures["year_overview_ms"] = round((time.perf_counter() - started) * 1000, 2)
    figures["year_overview_queries"] = len(queries.captured_queries)
    return figures


if __name__ == "__main__":
    sys.exit(main())

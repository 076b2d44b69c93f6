"""Benchmark the billing run: one month for 1,000,000 active memberships on PostgreSQL.

Target (issue 5): ≤ 10 s. Runs in a throw-away test database created and migrated for
the run on the configured server (``DATABASE_URL``), so real data is never touched.
Persons and memberships are generated in the database with ``INSERT … SELECT
generate_series`` (not timed); then it times, with the number of SQL statements:

- the first billing run of a month (one bill per funding source: the APBD and 60 APB
  Nagari sources, ~80 % of members on the APBD);
- the rerun of the same month (must create 0 bills);
- issuing the APBD bill; the arrears check (dry run) with that month unpaid;
- the transparency report for the year;
- optionally (``--prepay``) a 3-month prepayment run for the following months.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jamsos .venv/bin/python bench/billing.py
    … bench/billing.py --members 200000 --prepay --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamsos.config.settings.base")
os.environ.setdefault("JAMSOS_DATA_DIR", tempfile.mkdtemp(prefix="jamsos-bench-"))
os.environ.setdefault("JAMSOS_GENERATE_SECRET_KEY", "1")  # a throw-away data dir

NAGARI_SOURCES = 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--prepay", action="store_true", help="also a 3-month prepayment run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench/billing.py needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    setup_seconds = time.perf_counter() - started
    try:
        figures = run(args.members, prepay=args.prepay)
        figures = {
            "database": connection.vendor,
            "migrate_seconds": round(setup_seconds, 1),
        } | figures
        # Printed before the database is dropped (a DROP can wait on other sessions).
        if args.json:
            print(json.dumps(figures, indent=2), flush=True)
        else:
            for key, value in figures.items():
                print(f"{key:40} {value}", flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


class SqlCounter:
    """Counts statements and sums their time by their first words (the slow ones show)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split()[:6])[:60]
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started

    def top(self, n: int = 4) -> dict[str, float]:
        ranked = sorted(self.seconds.items(), key=lambda kv: -kv[1])[:n]
        return {key: round(value, 2) for key, value in ranked}


def _generate(members: int) -> list[int]:
    """Persons and active memberships for 2025, in SQL; returns the funding source ids."""
    from django.db import connection

    from jamsos.budget import services as budget_services
    from jamsos.budget.models import FundingSource
    from jamsos.regions.models import Region

    sijunjung = Region.objects.get(pk="13.03")
    villages = list(
        Region.objects.filter(level="village", code__startswith="13.03.")
        .order_by("code")
        .values_list("code", flat=True)
    )
    apbd = budget_services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD Sijunjung", acting_user=None
    )
    nagari_sources = [
        budget_services.funding_source_create(
            region=sijunjung,
            kind=FundingSource.Kind.APB_NAGARI,
            name=f"APB Nagari {code}",
            nagari=Region.objects.get(pk=code),
            acting_user=None,
        )
        for code in villages[:NAGARI_SOURCES]
    ]
    nagari_ids = [s.pk for s in nagari_sources]
    with connection.cursor() as cursor:
        # 16-digit synthetic NIKs (unique), spread over the kabupaten's villages.
        cursor.execute(
            """
            INSERT INTO registry_person (nik, full_name, birth_place, birth_date, sex,
                mother_name, address, village_id, phone, occupation_id, family_card_number,
                is_deceased, created_at, updated_at)
            SELECT lpad((1303000000000000 + i)::text, 16, '0'), 'Peserta ' || i, '',
                   DATE '1960-01-01' + (i %% 15000), CASE WHEN i %% 2 = 0 THEN 'L' ELSE 'P' END,
                   '', '', (%s::text[])[1 + i %% %s], '', 'petani', '', false, now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [villages, len(villages), members],
        )
        # 80 % on the APBD, the rest on 60 nagari budgets; covering January–December 2025.
        cursor.execute(
            """
            INSERT INTO enrollment_membership (person_id, segment, programmes,
                funding_source_id, village_id, kpj_number, first_month, last_month, status,
                status_reason, status_changed_at, created_at)
            SELECT p.id, 'bpu', '["jkk", "jkm"]'::jsonb,
                   CASE WHEN p.id %% 5 = 0 THEN (%s::bigint[])[1 + (p.id / 5) %% %s] ELSE %s END,
                   p.village_id, (25000000000 + p.id)::text, DATE '2025-01-01',
                   DATE '2025-12-01', 'active', '', now(), now()
            FROM registry_person p
            """,
            [nagari_ids, len(nagari_ids), apbd.pk],
        )
        cursor.execute("ANALYZE registry_person; ANALYZE enrollment_membership;")
    return [apbd.pk, *nagari_ids]


def _timed(figures: dict[str, object], name: str, func):  # type: ignore[no-untyped-def]
    from django.db import connection

    counter = SqlCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = func()
        figures[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
    figures[f"{name}_queries"] = counter.count
    if figures[f"{name}_seconds"] >= 1:  # type: ignore[operator]
        figures[f"{name}_slowest_sql"] = counter.top()
    return result


def run(members: int, *, prepay: bool) -> dict[str, object]:
    from django.db import connection

    from jamsos.contributions import selectors, services
    from jamsos.contributions.models import Bill, BillLine
    from jamsos.lib.periods import Month
    from jamsos.regions.models import Region
    from jamsos.testing.personas import make_personas

    figures: dict[str, object] = {}
    started = time.perf_counter()
    source_ids = _generate(members)
    figures["generate_seconds"] = round(time.perf_counter() - started, 1)
    figures["memberships"] = members
    figures["funding_sources"] = len(source_ids)
    sijunjung = Region.objects.get(pk="13.03")

    first = _timed(
        figures,
        "billing_run",
        lambda: services.billing_run(regency=sijunjung, month=Month(2025, 3), acting_user=None),
    )
    figures["billing_run_bills_created"] = first.created
    figures["billing_run_lines"] = first.lines_added
    figures["billing_run_total_rp"] = first.total
    figures["billing_run_total_check"] = first.total == members * 16_800
    figures["lines_in_table"] = BillLine.objects.count()

    again = _timed(
        figures,
        "rerun",
        lambda: services.billing_run(regency=sijunjung, month=Month(2025, 3), acting_user=None),
    )
    figures["rerun_bills_created"] = again.created

    apbd_bill = Bill.objects.filter(funding_source_id=source_ids[0]).get()
    _timed(
        figures, "issue_apbd_bill", lambda: services.bill_issue(bill=apbd_bill, acting_user=None)
    )
    figures["apbd_bill_members"] = apbd_bill.members

    report = _timed(
        figures,
        "arrears_dry_run",
        lambda: services.arrears_check(as_of=Month(2025, 3), apply=False, acting_user=None),
    )
    figures["arrears_warned"] = len(report.warnings)

    personas = make_personas()
    transparency = _timed(
        figures,
        "transparency_year",
        lambda: selectors.transparency_report(viewer=personas.dprd, regency=sijunjung, year=2025),
    )
    figures["transparency_payable_rp"] = transparency.total.payable

    if prepay:
        prepaid = _timed(
            figures,
            "prepay_3_months",
            lambda: services.billing_run(
                regency=sijunjung, month=Month(2025, 4), months=3, acting_user=None
            ),
        )
        figures["prepay_lines"] = prepaid.lines_added
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('contributions_billline'))")
        figures["billline_table_size"] = cursor.fetchone()[0]
    return figures


if __name__ == "__main__":
    sys.exit(main())

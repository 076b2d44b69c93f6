"""Benchmark the report pages: p50/p95 of sequential, warm requests of a logged-in
executive (the Bupati), the full recompute of a year, and the monthly report PDF.

Target (issue 12): every dashboard, map and report page ≤ 200 ms p95 at 1,000,000
persons with a year of memberships and bills on PostgreSQL; the monthly PDF ≤ 10 s.

Two ways to run it:

- ``--existing``: against the database ``DATABASE_URL`` as it is (e.g. built by the scale
  helper's ``bench/scale.py``). Nothing is written but the summary table (recomputed
  first unless ``--no-refresh``) and, without ``--user``, one executive user
  ``bench-reports`` scoped to the kabupaten.
- default: a throw-away test database with the demo (``--people``, default 2,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jamsos .venv/bin/python bench/reports.py
    DATABASE_URL=… .venv/bin/python bench/reports.py --existing --year 2026 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamsos.config.settings.base")
os.environ.setdefault("JAMSOS_DATA_DIR", tempfile.mkdtemp(prefix="jamsos-bench-"))
os.environ.setdefault("JAMSOS_GENERATE_SECRET_KEY", "1")  # a throw-away data dir


def _pages(regency: str, district: str, year: int, month: int) -> list[str]:
    q = f"?year={year}&month={month}"
    return [
        "/",
        f"/laporan/wilayah/{regency}/{q}",
        f"/laporan/wilayah/{district}/{q}",
        f"/laporan/wilayah/{regency}/cakupan.csv{q}&by=villages",
        f"/laporan/wilayah/{regency}/grafik/aktif.csv?year={year}",
        "/laporan/sasaran/",
        f"/api/reports/coverage?region={regency}&year={year}&month={month}",
    ]


def _time_pages(client, pages: list[str], repeat: int) -> dict[str, dict[str, float]]:
    out = {}
    for path in pages:
        response = client.get(path)  # warm-up
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[path] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "bytes": len(response.content),
        }
    return out


def run(args: argparse.Namespace) -> dict:
    from django.test import Client

    from jamsos.accounts.models import User
    from jamsos.accounts.roles import Role
    from jamsos.lib.periods import Month
    from jamsos.regions.models import Region
    from jamsos.registry.models import Person
    from jamsos.reports.documents import document_build
    from jamsos.reports.services import figures_refresh_year

    regency = Region.objects.get(pk=args.region)
    district = Region.objects.filter(parent=regency).order_by("code").first()
    figures: dict = {"persons": Person.objects.count(), "region": regency.code, "year": args.year}
    if not args.no_refresh:
        started = time.perf_counter()
        figures["refresh_rows"] = figures_refresh_year(regency_code=regency.code, year=args.year)
        figures["refresh_year_seconds"] = round(time.perf_counter() - started, 2)
    if args.month_refresh:
        from jamsos.reports.services import figures_refresh

        started = time.perf_counter()
        when = Month(args.year, args.month)
        figures["refresh_month_rows"] = figures_refresh(
            regency_code=regency.code, first=when, last=when
        )
        figures["refresh_month_seconds"] = round(time.perf_counter() - started, 2)
    if args.user:
        user = User.objects.get(username=args.user)
    else:
        user = User.objects.filter(role=Role.EXECUTIVE, region=regency, is_active=True).first()
        if user is None:
            user, _ = User.objects.get_or_create(
                username="bench-reports",
                defaults={"role": Role.EXECUTIVE, "region": regency, "full_name": "Bench"},
            )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    # Cold: the first view after a refresh recomputes the charts (their cache key is the
    # kabupaten's latest refresh); 5 views per page, each after clearing the cache.
    from django.core.cache import cache

    area = f"/laporan/wilayah/{regency.code}/?year={args.year}&month={args.month}"
    cold = {}
    client.get("/laporan/sasaran/")  # the process's first request (imports, templates)
    for path in ("/", area):
        times = []
        for _ in range(5):
            cache.clear()
            started = time.perf_counter()
            client.get(path)
            times.append(round((time.perf_counter() - started) * 1000, 1))
        cold[path] = {"median_ms": statistics.median(times), "max_ms": max(times)}
    figures["cold_after_refresh_ms"] = cold
    figures["pages"] = _time_pages(
        client, _pages(regency.code, district.code, args.year, args.month), args.repeat
    )
    # Each role's home (queues and area figures) as that user, when the users exist.
    for username in [u for u in args.homes.split(",") if u]:
        other = User.objects.filter(username=username, is_active=True).first()
        if other is None:
            continue
        home_client = Client(HTTP_HOST="127.0.0.1")
        home_client.force_login(other)
        figures["pages"].update(
            {
                f"/ ({username})": row
                for row in _time_pages(home_client, ["/"], args.repeat).values()
            }
        )
    when = Month(args.year, args.month)
    for name, kind, fmt, period in (
        ("monthly_pdf", "bulanan_bupati", "pdf", when),
        ("monthly_xlsx", "bulanan_bupati", "xlsx", when),
        ("annual_annex_pdf", "tahunan_lkpj", "pdf", Month(args.year, 12)),
        ("annual_annex_xlsx", "tahunan_lkpj", "xlsx", Month(args.year, 12)),
    ):
        started = time.perf_counter()
        content = document_build(kind=kind, fmt=fmt, region=regency, when=period)
        figures[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
        figures[f"{name}_bytes"] = len(content)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", action="store_true", help="use DATABASE_URL as it is")
    parser.add_argument("--people", type=int, default=2000, help="demo size (throw-away DB)")
    parser.add_argument("--region", default="13.03")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--month", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--user", default="", help="username to log in as (--existing)")
    parser.add_argument("--no-refresh", action="store_true")
    parser.add_argument(
        "--homes",
        default="",
        help="comma-separated usernames whose home page is timed too (e.g. p_operator,p_bpjs)",
    )
    parser.add_argument(
        "--month-refresh",
        action="store_true",
        help="also time the incremental refresh of one month (--month)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    args.year = args.year or today.year
    args.month = args.month or (today.month if args.year == today.year else 12)
    old_name = None
    if not args.existing:
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        from jamsos.demo.services import demo_load

        started = time.perf_counter()
        demo_load(people=args.people, seed=1)
        demo_seconds = time.perf_counter() - started
    from django.conf import settings
    from django.test.utils import override_settings

    # Pages render without ``collectstatic`` (URLs only; nothing is served from disk).
    storages = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    try:
        with override_settings(STORAGES=storages):
            figures = {"database": connection.vendor, "existing": args.existing} | run(args)
        if old_name is not None:
            figures["demo_seconds"] = round(demo_seconds, 1)
        if args.json:
            print(json.dumps(figures, indent=2))
        else:
            for key, value in figures.items():
                if key != "pages":
                    print(f"{key}: {value}")
            for path, row in figures["pages"].items():
                print(f"  {row['p50_ms']:>8} ms p50 {row['p95_ms']:>8} ms p95  {path}")
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Jamsos at a province's scale: lists, search, figures, billing and intake with N persons.

Issue 15. Builds, on PostgreSQL, N persons (Minangkabau names, valid-looking NIKs over
Sijunjung's villages), one BPU membership each (80 % APBD, the rest on 60 APB Nagari
sources; January 2025 – December 2026) and the twelve months of 2025 billed by the real
billing run (12 N bill lines), then issued and paid except three nagari sources' last
three months (their members are in arrears). Data is written with ``INSERT … SELECT
generate_series`` in SQL, never one ORM object per row.

Then it measures, with a logged-in ``django.test.Client`` (sequential, warm: one
request first, then ``--repeat`` timed), p50 and p95 in milliseconds of every list,
search, API and figure page; the billing run of month 1 and month 12 and a 3-month
prepayment; and intake dry runs of a 100k-row CSV (empty registry and against the N
registered), each in a fresh child process that reports its own peak RSS (``VmHWM``);
and duplicate quality against Splink 5 (``bench/dedup_quality.py``, ``--skip dedup``).

The data lives in its own database (default ``jamsos_scale_bench`` on the local server,
``BENCH_DATABASE_URL`` to change), kept between runs: ``--reuse`` measures again on the
same data (after a code change: migrations run first), so before/after ratios compare
like with like.

    .venv/bin/python bench/scale.py --persons 20000 --json           # a quick run
    nice -n 10 .venv/bin/python bench/scale.py --persons 1000000 --json
    .venv/bin/python bench/scale.py --persons 1000000 --reuse --json # same data again
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE_URL", f"{SERVER}/jamsos_scale_bench")
EMPTY_DATABASE = f"{SERVER}/jamsos_scale_bench_empty"
NAGARI_SOURCES = 60
YEAR = 2025
MARKER = "bench-scale"

FIRST = [
    "Ahmad", "Muhammad", "Nurhayati", "Yusuf", "Rahmat", "Siti", "Dewi", "Fitri", "Hendra",
    "Rizal", "Syafrudin", "Zainal", "Yulia", "Rina", "Darmawati", "Erni", "Asnimar", "Jasman",
    "Syamsul", "Nasrul", "Afrizal", "Yuliani", "Roslaini", "Fauzi", "Irwan", "Masni",
    "Zulkifli", "Hasnah", "Rosmaini", "Bustami", "Marlis", "Nofrizal", "Elvi", "Desmawati",
    "Syahrial", "Armen", "Yusnidar", "Darwis", "Gusmiati", "Efendi", "Yendri",
]  # fmt: skip
MIDDLE = [
    "", "Nur", "Sri", "Putri", "Rahman", "Hidayat", "Wati", "Saputra", "Yanti", "Fadli",
    "Ilham", "Aziz", "Hayati", "Lestari", "Jamal", "Kurnia", "Mulyadi", "Rosmi", "Taufik",
    "Wahyuni", "Anwar", "Basri", "Candra", "Delima", "Elfi", "Ferdi", "Guswandi", "Harun",
    "Indra", "Junaidi", "Khairul", "Lukman", "Maulana", "Nasir", "Oktavia", "Pratama", "Rusdi",
]  # fmt: skip
LAST = [
    "Chaniago", "Piliang", "Tanjung", "Koto", "Sikumbang", "Jambak", "Caniago", "Melayu",
    "Guci", "Panai", "Datuak", "Sutan", "Malin", "Bagindo", "Rajo", "Putiah", "Sinaga",
    "Mandailiang", "Pitopang", "Bodi", "Supanjang", "Dalimo", "Kampai", "Salo", "Balai Mansiang",
    "Pisang", "Simabua", "Sumagek", "Tobo",
]  # fmt: skip

os.environ.setdefault("JAMSOS_GENERATE_SECRET_KEY", "1")


# --- data -------------------------------------------------------------------------------


def _database_create(url: str, *, fresh: bool = False) -> bool:
    """Create the database ``url`` names if missing (``fresh``: drop it first); True
    when it was created."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{name}"')
        return True


def _migrate() -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return round(time.perf_counter() - started, 1)


def _built_persons_in(url: str) -> int | None:
    """N of the data already built in ``url`` (a marker person holds it), None if none."""
    import psycopg

    with psycopg.connect(url) as connection:
        try:
            row = connection.execute(
                "SELECT birth_place FROM registry_person WHERE full_name = %s", [MARKER]
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return int(row[0]) if row else None


def _build(persons: int, figures: dict[str, Any], *, steer: bool = True) -> None:
    """Persons, memberships and twelve billed months; times each part."""
    from django.db import connection

    from jamsos.accounts.models import User
    from jamsos.budget import services as budget_services
    from jamsos.budget.models import FundingSource
    from jamsos.contributions import services
    from jamsos.lib.periods import Month
    from jamsos.regions.models import Region

    if not User.objects.filter(username="p_operator").exists():
        from jamsos.testing.personas import make_personas

        make_personas()
    sijunjung = Region.objects.get(pk="13.03")
    villages = list(
        Region.objects.filter(level="village", code__startswith="13.03.")
        .order_by("code")
        .values_list("code", flat=True)
    )
    apbd = budget_services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD Sijunjung", acting_user=None
    )
    nagari_ids = [
        budget_services.funding_source_create(
            region=sijunjung,
            kind=FundingSource.Kind.APB_NAGARI,
            name=f"APB Nagari {code}",
            nagari=Region.objects.get(pk=code),
            acting_user=None,
        ).pk
        for code in villages[:NAGARI_SOURCES]
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # NIK: kecamatan (6 digits) + birth date DDMMYY (+40 on the day for women) +
        # a serial unique per birth date.
        cursor.execute(
            """
            INSERT INTO registry_person (nik, full_name, birth_place, birth_date, sex,
                mother_name, address, village_id, phone, occupation_id, family_card_number,
                is_deceased, created_at, updated_at)
            SELECT replace(substr(v, 1, 8), '.', '')
                       || lpad((extract(day FROM d)::int + CASE WHEN i %% 2 = 1 THEN 40
                                ELSE 0 END)::text, 2, '0')
                       || to_char(d, 'MMYY') || lpad((1 + i / 15000)::text, 4, '0'),
                   f, 'Sijunjung', d, CASE WHEN i %% 2 = 0 THEN 'L' ELSE 'P' END,
                   '', '', v, '', 'petani', '', false, now(), now()
            FROM (
                SELECT i, DATE '1960-01-01' + (i %% 15000) AS d,
                       (%s::text[])[1 + i %% %s] AS v,
                       concat_ws(' ', (%s::text[])[1 + i %% %s],
                                 nullif((%s::text[])[1 + (i / 7) %% %s], ''),
                                 (%s::text[])[1 + (i / 3) %% %s]) AS f
                FROM generate_series(1, %s) AS i
            ) AS g
            """,
            [villages, len(villages), FIRST, len(FIRST), MIDDLE, len(MIDDLE), LAST, len(LAST),
             persons],
        )  # fmt: skip
        cursor.execute(
            """
            INSERT INTO enrollment_membership (person_id, segment, programmes,
                funding_source_id, village_id, kpj_number, first_month, last_month, status,
                status_reason, status_changed_at, created_at, risk_group)
            SELECT p.id, 'bpu', '["jkk", "jkm"]'::jsonb,
                   CASE WHEN p.id %% 5 = 0 THEN (%s::bigint[])[1 + (p.id / 5) %% %s] ELSE %s END,
                   p.village_id, (25000000000 + p.id)::text, DATE '2025-01-01',
                   DATE '2026-12-01', 'active', '', now(), now(), ''
            FROM registry_person p
            """,
            [nagari_ids, len(nagari_ids), apbd.pk],
        )
        cursor.execute(
            "INSERT INTO registry_person (nik, full_name, birth_place, birth_date, sex, "
            "mother_name, address, village_id, phone, occupation_id, family_card_number, "
            "is_deceased, created_at, updated_at) VALUES ('9900000000000000', %s, %s, "
            "'1960-01-01', 'L', '', '', %s, '', 'petani', '', false, now(), now())",
            [MARKER, str(persons), villages[0]],
        )
        cursor.execute("ANALYZE registry_person; ANALYZE enrollment_membership;")
    figures["build_persons_memberships_s"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    for number in range(1, 13):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            # Before issue 15 the first run on a never-analyzed, empty line table could
            # plan its NOT EXISTS as a sequential scan per membership (hours for 1M);
            # the build steers around it (the timed runs below take the product's plan).
            cursor.execute(f"SET enable_seqscan = {'off' if steer and number == 1 else 'on'}")
        services.billing_run(regency=sijunjung, month=Month(YEAR, number), acting_user=None)
        figures[f"build_month_{number}_s"] = round(time.perf_counter() - t0, 1)
        if number in (1, 11):
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE contributions_billline")
    figures["build_bills_s"] = round(time.perf_counter() - started, 1)
    # Issued and paid, except the last three months of three nagari sources (arrears).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contributions_bill SET status = 'paid', paid_amount = total, "
            "issued_at = now() WHERE funding_source_id <> ALL(%s) OR first_month < %s",
            [nagari_ids[:3], f"{YEAR}-10-01"],
        )
        cursor.execute(
            "UPDATE contributions_bill SET status = 'issued', issued_at = now() "
            "WHERE status = 'draft'"
        )
        # As autovacuum leaves a table some time after a bulk load: statistics, and the
        # visibility map that lets an index-only scan skip the heap.
        cursor.execute("VACUUM (ANALYZE)")


# --- measurements ------------------------------------------------------------------------


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000), "p95_ms": round(p95 * 1000)}


def _pages(repeat: int) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from jamsos.accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.API_THROTTLE_USER = ""
    settings.API_THROTTLE_IP = ""
    # No collectstatic for a bench: plain static URLs instead of the hashed manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.files.storage import storages
    from django.utils.functional import empty

    storages._storages = {}
    storages.__dict__.pop("backends", None)
    staticfiles_storage._wrapped = empty
    operator = User.objects.get(username="p_operator")
    dprd = User.objects.get(username="p_dprd")
    month = f"{YEAR}-12"
    pages = {
        "registry_list": (operator, "/registri/"),
        "registry_page_2000": (operator, "/registri/?page=2000"),
        "registry_search_name": (operator, "/registri/?q=hayati+chan"),
        "registry_search_nik_prefix": (operator, "/registri/?q=13030301"),
        "registry_village_filter": (operator, "/registri/?village=13.03.03"),
        "memberships_list": (operator, "/kepesertaan/peserta/"),
        "memberships_search_name": (operator, "/kepesertaan/peserta/?q=hayati+chan"),
        "arrears_page": (operator, f"/iuran/tunggakan/?regency=13.03&as_of={month}"),
        "arrears_api": (operator, f"/api/contributions/arrears?regency=13.03&as_of={month}"),
        "api_persons": (operator, "/api/registry/persons"),
        "api_persons_search": (operator, "/api/registry/persons?q=hayati%20chan"),
        "api_memberships": (operator, "/api/enrollment/memberships"),
        "api_memberships_totals": (operator, "/api/enrollment/memberships/totals"),
        "transparency_page": (dprd, f"/iuran/transparansi/?regency=13.03&year={YEAR}"),
        "transparency_api": (dprd, f"/api/contributions/transparency?regency=13.03&year={YEAR}"),
    }
    # Role homes and report pages (issue 15), as the personas that see them; the homes
    # show this month, the report pages the bench's year.
    personas = {u.username: u for u in User.objects.filter(username__startswith="p_")}
    for username in ("p_operator", "p_head", "p_bupati", "p_dprd", "p_bpjs", "p_camat", "p_agent"):
        if username in personas:
            pages[f"home_{username[2:]}"] = (personas[username], "/")
    period = f"year={YEAR}&month=12"
    for username in ("p_head", "p_dprd"):
        if username in personas:
            who = personas[username]
            pages[f"report_regency_{username[2:]}"] = (who, f"/laporan/wilayah/13.03/?{period}")
    if "p_head" in personas:
        head = personas["p_head"]
        pages["report_kecamatan_head"] = (head, f"/laporan/wilayah/13.03.03/?{period}")
        pages["report_nagari_head"] = (head, f"/laporan/wilayah/13.03.03.2001/?{period}")
        pages["report_coverage_csv_head"] = (
            head,
            f"/laporan/wilayah/13.03/cakupan.csv?by=villages&{period}",
        )
    try:  # seek pages (issue 15): the "next" link of page 2000 carries a cursor
        from jamsos.lib.pagination import cursor_encode
        from jamsos.registry.models import Person

        name, pk = (
            Person.objects.exclude(full_name=MARKER)
            .order_by("full_name", "pk")
            .values_list("full_name", "pk")[49_999]
        )
        pages["registry_page_2001_by_cursor"] = (
            operator,
            f"/registri/?page=2001&after={cursor_encode([name, pk])}",
        )
        pages["api_persons_by_cursor"] = (
            operator,
            f"/api/registry/persons?after={cursor_encode([name, pk])}",
        )
    except ImportError:
        pass
    clients: dict[int, Client] = {}
    figures: dict[str, Any] = {}
    for name, (user, url) in pages.items():
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        response = client.get(url)  # warm
        if response.status_code != 200:
            figures[name] = {"url": url, "status": response.status_code}
            continue
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        figures[name] = {"url": url, **_ms(times), "bytes": len(response.content)}
    return figures


def _prepay() -> dict[str, Any]:
    """A 3-month prepayment (January–March of the next year), rolled back afterwards."""
    from django.db import transaction

    from jamsos.contributions import services
    from jamsos.lib.periods import Month
    from jamsos.regions.models import Region

    sijunjung = Region.objects.get(pk="13.03")
    with transaction.atomic():
        started = time.perf_counter()
        result = services.billing_run(
            regency=sijunjung, month=Month(YEAR + 1, 1), months=3, acting_user=None
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"prepay_3_months_s": round(seconds, 2), "prepay_lines": result.lines_added}


def _billing_again() -> dict[str, Any]:
    """Month 1 and month 12 billed again from scratch (their lines deleted, then the
    run, rolled back): the same runs as the build, measurable on reused data."""
    from django.db import connection, transaction

    from jamsos.contributions import services
    from jamsos.lib.periods import Month
    from jamsos.regions.models import Region

    sijunjung = Region.objects.get(pk="13.03")
    figures: dict[str, Any] = {}
    for number in (1, 12):
        day = f"{YEAR}-{number:02d}-01"
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Partitioned by month (contributions migration 0010): empty the month's
                # own table, as a month never billed before is; else delete its lines.
                table = f"contributions_billline_m{YEAR:04d}{number:02d}"
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
                if cursor.fetchone()[0]:
                    cursor.execute(f"TRUNCATE {table}")
                else:
                    cursor.execute("DELETE FROM contributions_billline WHERE month = %s", [day])
                cursor.execute("DELETE FROM contributions_billmonth WHERE month = %s", [day])
                cursor.execute("DELETE FROM contributions_bill WHERE first_month = %s", [day])
            started = time.perf_counter()
            result = services.billing_run(
                regency=sijunjung, month=Month(YEAR, number), acting_user=None
            )
            figures[f"billing_month_{number}_rerun_s"] = round(time.perf_counter() - started, 2)
            figures[f"billing_month_{number}_lines"] = result.lines_added
            transaction.set_rollback(True)
    # A month never billed, with the whole year's lines present (January of next year).
    with transaction.atomic():
        started = time.perf_counter()
        result = services.billing_run(regency=sijunjung, month=Month(YEAR + 1, 1), acting_user=None)
        figures["billing_next_month_s"] = round(time.perf_counter() - started, 2)
        figures["billing_next_month_lines"] = result.lines_added
        transaction.set_rollback(True)
    return figures


def _summaries_refresh() -> dict[str, Any]:
    """The summaries a task keeps (issue 15): the data was written by SQL, which no task
    sees, and the bench runs no task worker, so rebuild them as the task does."""
    try:
        from jamsos.contributions.services.arrears_months import arrears_months_refresh
    except ImportError:  # before the arrears summary
        return {}
    started = time.perf_counter()
    rows = arrears_months_refresh(regency_code="13.03")
    return {"arrears_summary_refresh_s": round(time.perf_counter() - started, 2),
            "arrears_summary_rows": rows}  # fmt: skip


def _csv(rows: int) -> Path:
    """The realistic proposal CSV of bench/intake.py (cached in its work dir)."""
    import importlib.util

    workdir = Path(tempfile.gettempdir()) / "jamsos-bench-intake"
    workdir.mkdir(parents=True, exist_ok=True)
    # Its own name: bench/intake.py caches a file of other rows (another seed) as
    # usulan-{rows}.csv in the same folder.
    path = workdir / f"scale-usulan-{rows}.csv"
    if not path.exists():
        spec = importlib.util.spec_from_file_location("bench_intake", HERE / "intake.py")
        module = importlib.util.module_from_spec(spec)
        assert spec.loader is not None
        spec.loader.exec_module(module)
        from jamsos.intake.tests.core_data import write_csv

        data, _registered = module._rows(rows, module.SEED + 1)
        write_csv(path, data)
    return path


def _dry_run_child(path: Path, database_url: str) -> dict[str, Any]:
    """A dry run in a fresh process (its own peak RSS)."""
    env = dict(os.environ, DATABASE_URL=database_url)
    env.setdefault("DJANGO_SETTINGS_MODULE", "jamsos.config.settings.base")
    command = [sys.executable, __file__, "--phase", "dry-run", "--file", str(path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _dry_run(path: Path) -> dict[str, Any]:
    import datetime as dt

    import django

    django.setup()
    from jamsos.intake.reading import proposal_table_read
    from jamsos.intake.validation import ValidationContext, proposals_validate
    from jamsos.regions.models import Region

    baseline = _vmhwm_mb()
    context = ValidationContext.build(
        region=Region.objects.get(pk="13.03"), coverage_start=dt.date(2026, 12, 1)
    )
    started = time.perf_counter()
    result = proposals_validate(proposal_table_read(path, file_name=path.name), context=context)
    seconds = time.perf_counter() - started
    counts = result.counts()
    return {
        "rows": counts["rows"],
        "s": round(seconds, 2),
        "rows_per_s": round(counts["rows"] / seconds),
        "possible_duplicates": counts.get("possible_duplicates"),
        "peak_rss_mb": _vmhwm_mb(),
        "baseline_rss_mb": baseline,
    }


def _empty_database() -> str:
    """A migrated database with no persons, for the empty-registry dry run."""
    _database_create(EMPTY_DATABASE)
    env = dict(os.environ, DATABASE_URL=EMPTY_DATABASE)
    command = [sys.executable, "-m", "jamsos", "migrate", "--no-input", "-v", "0"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return EMPTY_DATABASE


def _duplicate_quality(records: int) -> dict[str, Any]:
    """``bench/dedup_quality.py`` in a fresh process (no database): precision, recall,
    F1 and time of our duplicate finding, and of Splink 5 when requirements/bench.txt
    is installed, on a labelled set of ``records`` people (5.5 % true pairs)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    pairs = max(records * 11 // 200, 1)
    command = [sys.executable, str(HERE / "dedup_quality.py"), "--json"]
    command += ["--records", str(records), "--pairs", str(pairs)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="keep the data if built for N")
    parser.add_argument("--intake-rows", type=int, default=100_000)
    parser.add_argument("--skip", default="", help="comma-separated: pages,billing,intake,dedup")
    parser.add_argument("--dedup-records", type=int, default=200_000)
    parser.add_argument(
        "--plain-first-run",
        action="store_true",
        help="bill the first month of the build with the product's own plan (no steering)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--phase", choices=["dry-run"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "dry-run":
        print(json.dumps(_dry_run(Path(args.file))))
        return 0

    os.environ["DATABASE_URL"] = DATABASE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamsos.config.settings.base")
    os.environ.setdefault("JAMSOS_DATA_DIR", tempfile.mkdtemp(prefix="jamsos-bench-scale-"))
    import django

    django.setup()
    from django.db import connection

    reuse = False
    if args.reuse:
        _database_create(DATABASE)
        reuse = _built_persons_in(DATABASE) == args.persons
    if not reuse:
        _database_create(DATABASE, fresh=True)
    skip = set(filter(None, args.skip.split(",")))
    figures: dict[str, Any] = {
        "persons": args.persons,
        "database": connection.settings_dict["NAME"],
        "cpus": os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 1),
        "migrate_s": _migrate(),
    }
    if reuse:
        figures["reused"] = True
    else:
        _build(args.persons, figures, steer=not args.plain_first_run)
    if "billing" not in skip:
        figures |= _billing_again()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contributions_billline")
        figures["bill_lines"] = cursor.fetchone()[0]
    if "billing" not in skip:
        figures |= _prepay()
    figures |= _summaries_refresh()
    if "pages" not in skip:
        figures["pages"] = _pages(args.repeat)
    if "intake" not in skip:
        path = _csv(args.intake_rows)
        figures["dry_run_empty_registry"] = _dry_run_child(path, _empty_database())
        figures["dry_run_against_registry"] = _dry_run_child(path, DATABASE)
    if "dedup" not in skip:
        figures["duplicate_quality"] = _duplicate_quality(args.dedup_records)
    figures["load_average_at_end"] = round(os.getloadavg()[0], 1)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print(figures)
    return 0


def _print(figures: dict[str, Any], indent: str = "") -> None:
    for key, value in figures.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print(value, indent + "  ")
        else:
            print(f"{indent}{key:34} {value}")


if __name__ == "__main__":
    sys.exit(main())

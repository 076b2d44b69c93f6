"""Benchmark the intake pipeline: dry-run validation, staging, applying, duplicate search.

Generates realistic proposal files (Sijunjung's villages, NIKs matching birth dates,
dates and phones written many ways, ~1% repeated NIKs, ~1% near-duplicates, a few
percent of errors and warnings) — a 100k-row .xlsx (xlsxwriter constant_memory), a
100k-row and a 1M-row .csv — and reports:

1. dry-run validation rows/s (reading, every check, duplicate search against an empty
   and a seeded registry), the reader alone, and peak memory (each dry run in a fresh
   process: its RSS high-water mark, and the mark after start-up as baseline);
2. staging (validate + write every row) and applying (approve: persons + audit events
   in one transaction; then the after-commit linking of rows to persons) rows/s on
   SQLite and PostgreSQL, and the row writer against ``bulk_create``;
3. possible-duplicate precision and recall on a labelled synthetic set (typos,
   transposed letters, swapped and missing name parts, different NIK serial).

Each database runs in its own process against a throw-away test database (migrated for
the run, then dropped), so real data is never touched. Files are cached in --workdir.

    .venv/bin/python bench/intake.py                      # defaults: a few minutes
    .venv/bin/python bench/intake.py --rows 20000 --csv-rows 100000 --databases sqlite
    .venv/bin/python bench/intake.py --json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/jamsos_bench_intake"
)
COVERAGE = dt.date(2026, 12, 1)
SEED = 20261201
# A throw-away data dir per run: let settings create its secret key there.
os.environ.setdefault("JAMSOS_GENERATE_SECRET_KEY", "1")


# --- data ---------------------------------------------------------------------------


def _variant(rng: random.Random, name: str, kind: str) -> str:
    """A misspelling of ``name`` of the given kind (what the labelled set contains)."""
    parts = name.split()
    i = rng.randrange(len(parts))
    word = parts[i]
    if kind == "typo" and len(word) > 3:
        j = rng.randrange(1, len(word))
        letter = rng.choice("aiueonrst")
        parts[i] = (
            word[:j] + letter + word[j + 1 :] if rng.random() < 0.7 else word[:j] + word[j + 1 :]
        )
    elif kind == "transpose" and len(word) > 3:
        j = rng.randrange(1, len(word) - 1)
        parts[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    elif kind == "swap" and len(parts) > 1:
        parts = parts[1:] + parts[:1]
    elif kind == "missing" and len(parts) > 2:
        del parts[rng.randrange(1, len(parts))]
    elif kind == "case":
        return name.upper()
    return " ".join(parts)


KINDS = ("typo", "transpose", "swap", "missing", "serial", "case")


def _rows(count: int, seed: int) -> tuple[list[list[Any]], list[Any]]:
    """File rows (with dates as date objects or text) and the persons to pre-register."""
    from jamsos.intake.tests.core_data import date_text, make_person, sijunjung_villages
    from jamsos.lib.nik import nik_build

    rng = random.Random(seed)
    villages = sijunjung_villages()
    rows: list[list[Any]] = []
    registered = []
    people = []
    for n in range(1, count + 1):
        roll = rng.random()
        if people and roll < 0.01:  # the same person again (same NIK)
            person = rng.choice(people)
            rows.append(person.row(n, date_as_text=date_text(rng, person.birth_date)))
            continue
        if people and roll < 0.02:  # the same person, name misspelt, another NIK serial
            original = rng.choice(people)
            row = original.row(n, date_as_text=date_text(rng, original.birth_date))
            row[1] = nik_build(
                original.village.district_code, original.birth_date, original.sex, 9000 + n % 999
            )
            row[2] = _variant(rng, original.name, rng.choice(KINDS))
            rows.append(row)
            continue
        person = make_person(rng, villages, serial=n, coverage_start=COVERAGE)
        people.append(person)
        row = person.row(
            n, date_as_text=date_text(rng, person.birth_date) if rng.random() < 0.5 else None
        )
        if roll < 0.025:
            row[4] = "31-02-1980"
        elif roll < 0.03:
            row[8] = row[8] + "x"  # a village typo (guessed) ...
        elif roll < 0.032:
            row[8] = "Nagari Entah"  # ... or unknown
        elif roll < 0.037:
            row[9] = row[9] + "i"
        elif roll < 0.057:
            row[10] = "0812"
        elif roll < 0.107:
            row[11] = ""
        elif roll < 0.127:
            registered.append(person)
        rows.append(row)
    return rows, registered


def _files(workdir: Path, rows: int, csv_rows: int) -> dict[str, Path]:
    """Generate (or reuse) the bench files; returns name → path."""
    from jamsos.intake.tests.core_data import write_csv, write_xlsx

    workdir.mkdir(parents=True, exist_ok=True)
    files = {
        "xlsx": workdir / f"usulan-{rows}.xlsx",
        "csv": workdir / f"usulan-{rows}.csv",
        "csv_big": workdir / f"usulan-{csv_rows}.csv",
    }
    if not files["xlsx"].exists() or not files["csv"].exists():
        data, _registered = _rows(rows, SEED)
        write_xlsx(files["xlsx"], data)
        write_csv(files["csv"], data)
    if not files["csv_big"].exists():
        data, _registered = _rows(csv_rows, SEED + 1)
        write_csv(files["csv_big"], data)
    return files


def _seed_registry(rows: int, extra: int) -> int:
    """Register the persons the small file marks as already registered, plus ``extra``
    others born over the same years (duplicate search has real neighbours)."""
    from django.db import transaction

    from jamsos.intake.tests.core_data import make_person, sijunjung_villages
    from jamsos.registry.services import PersonData, person_bulk_create_prevalidated

    _data, registered = _rows(rows, SEED)
    rng = random.Random(SEED + 7)
    villages = sijunjung_villages()
    others = [
        make_person(rng, villages, serial=5000 + n % 4000, coverage_start=COVERAGE)
        for n in range(extra)
    ]
    seen: set[str] = set()
    persons = []
    for p in [*registered, *others]:
        if p.nik in seen:
            continue
        seen.add(p.nik)
        persons.append(
            PersonData(
                nik=p.nik,
                full_name=p.name,
                birth_date=p.birth_date,
                sex=p.sex,
                village=p.village.code,
                occupation="petani",
            )
        )
    with transaction.atomic():
        person_bulk_create_prevalidated(persons=persons, acting_user=None, data={"bench": True})
    return len(persons)


# --- measurements ---------------------------------------------------------------------


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _dry_run(path: Path) -> dict[str, Any]:
    from jamsos.intake.reading import proposal_table_read
    from jamsos.intake.validation import ValidationContext, proposals_validate
    from jamsos.regions.models import Region

    context = ValidationContext.build(
        region=Region.objects.get(pk="13.03"), coverage_start=COVERAGE
    )
    started = time.perf_counter()
    table = proposal_table_read(path, file_name=path.name)
    read = time.perf_counter() - started
    result = proposals_validate(table, context=context)
    total = time.perf_counter() - started
    counts = result.counts()
    # The same file again in the same process: what a task worker's next file costs.
    started = time.perf_counter()
    proposals_validate(proposal_table_read(path, file_name=path.name), context=context)
    again = time.perf_counter() - started
    return {
        "file": path.name,
        "rows": counts["rows"],
        "read_s": round(read, 2),
        "validate_s": round(total - read, 2),
        "total_s": round(total, 2),
        "rows_per_s": round(counts["rows"] / total),
        "second_run_s": round(again, 2),
        "second_run_rows_per_s": round(counts["rows"] / again),
        "load_average": round(os.getloadavg()[0], 1),
        "peak_rss_mb": _rss_mb(),
        "counts": {k: v for k, v in counts.items() if k not in ("errors", "warnings")},
    }


def _stage_and_apply(path: Path) -> dict[str, Any]:
    from django.core.files import File

    from jamsos.intake import services
    from jamsos.intake.models import ProposalRow
    from jamsos.regions.models import Region
    from jamsos.testing.personas import make_personas

    cast = make_personas()
    region = Region.objects.get(pk="13.03")
    with path.open("rb") as handle:
        batch = services.batch_stage_upload(
            upload=File(handle, name=path.name),
            file_name=path.name,
            region=region,
            acting_user=cast.dinas_operator,
            coverage_start=COVERAGE,
            enqueue=False,
        )
    started = time.perf_counter()
    batch = services.batch_validate(batch=batch)
    validate = time.perf_counter() - started
    # Bench shortcut (not timed): the reviewer accepts every possible duplicate.
    ProposalRow.objects.filter(batch=batch, possible_duplicate=True).update(decision="accepted")
    services.batch_submit(batch=batch, acting_user=cast.dinas_operator)
    parts: dict[str, float] = {}
    as_task = hasattr(services, "batch_apply_run")
    with _timed(parts):
        started = time.perf_counter()
        batch = services.batch_approve(batch=batch, acting_user=cast.dinas_head)
        approve = time.perf_counter() - started
        apply = 0.0
        if as_task:  # the request queued the task; run its body as the worker does
            started = time.perf_counter()
            batch = services.batch_apply_run(batch=batch)
            apply = time.perf_counter() - started
    started = time.perf_counter()
    linked = services.batch_link_persons(batch=batch)  # the after-commit task
    link = time.perf_counter() - started
    both = approve + apply
    return {
        "file": path.name,
        "rows": batch.rows_total,
        "validate_and_write_s": round(validate, 2),
        "validate_and_write_rows_per_s": round(batch.rows_total / validate),
        "persons_created": batch.rows_applied,
        "apply_as_task": as_task,
        "approve_request_s": round(approve, 3),
        "apply_task_s": round(apply, 2) if as_task else None,
        "apply_s": round(both, 2),
        "apply_rows_per_s": round(batch.rows_applied / both),
        "apply_parts_s": {k: round(v, 2) for k, v in parts.items()},
        "link_rows_after_commit_s": round(link, 2),
        "rows_linked": linked,
        "peak_rss_mb": _rss_mb(),
    }


@contextlib.contextmanager
def _timed(parts: dict[str, float]) -> Iterator[None]:
    """Time the steps of an apply: reading rows, NIK check, each bulk insert, the batch's
    audit event, commit."""
    from django.db import connection

    from jamsos.intake import selectors, services
    from jamsos.registry import services as registry_services

    def wrap(owner: Any, name: str, label: Callable[..., str]) -> Callable[[], None]:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = label(*args, **kwargs)
                parts[key] = parts.get(key, 0.0) + time.perf_counter() - started

        setattr(owner, name, timed)
        return lambda: setattr(owner, name, original)

    undo = [
        wrap(selectors, "rows_to_apply_values", lambda **_: "read_rows"),
        wrap(services, "person_bulk_create_prevalidated", lambda **_: "persons_and_events"),
        wrap(registry_services, "rows_insert", lambda model, *_a, **_k: f"insert_{model.__name__}"),
        wrap(connection, "commit", lambda *_a, **_k: "commit"),
    ]
    import jamsos.registry.selectors as registry_selectors

    undo.append(wrap(registry_selectors, "person_niks_existing", lambda **_: "nik_check"))
    if hasattr(services, "person_references_missing"):
        undo.append(wrap(services, "person_references_missing", lambda **_: "reference_check"))
    # PostgreSQL's apply in the database: the same steps, each one statement
    optional = [
        (services, "rows_already_registered_mark", "nik_check"),
        (selectors, "rows_to_apply_references_missing", "reference_check"),
        (services, "person_bulk_create_from_select", "persons_and_events"),
        (registry_services, "_batch_event_write", "batch_event"),
    ]
    for owner, name, key in optional:
        if hasattr(owner, name):
            undo.append(wrap(owner, name, lambda *_a, _key=key, **_k: _key))
    try:
        yield
    finally:
        for restore in undo:
            restore()


def _writers(path: Path, sample: int) -> dict[str, Any]:
    """The row writer (COPY / executemany) against ``bulk_create``, same rows, rolled back."""
    from django.db import transaction

    from jamsos.intake.models import ProposalBatch, ProposalRow
    from jamsos.intake.reading import proposal_table_read
    from jamsos.intake.rowstore import ROW_FIELDS, row_tuples
    from jamsos.intake.validation import ValidationContext, proposals_validate
    from jamsos.lib.bulkcopy import rows_insert
    from jamsos.regions.models import Region

    table = proposal_table_read(path, file_name=path.name)
    table.frame = table.frame.head(sample)
    table.raw = table.raw.head(sample)
    context = ValidationContext.build(
        region=Region.objects.get(pk="13.03"), coverage_start=COVERAGE
    )
    result = proposals_validate(table, context=context)
    batch = ProposalBatch.objects.order_by("pk").first()
    figures = {}
    for name in ("bulkcopy", "bulk_create"):
        with transaction.atomic():
            started = time.perf_counter()
            tuples = list(row_tuples(batch.pk, result))
            if name == "bulkcopy":
                rows_insert(ProposalRow, ROW_FIELDS, [(t[0], t[1] + 10**7, *t[2:]) for t in tuples])
            else:
                objects = [
                    ProposalRow(
                        batch_id=t[0],
                        row_number=t[1] + 2 * 10**7,
                        raw=json.loads(t[2]),
                        values=json.loads(t[3]),
                        nik=t[4],
                        full_name=t[5],
                        village_id=t[6],
                        status=t[7],
                        issues=json.loads(t[8]),
                        issue_codes=t[9],
                        possible_duplicate=t[10],
                        duplicate_candidates=json.loads(t[11]),
                    )
                    for t in tuples
                ]
                ProposalRow.objects.bulk_create(objects, batch_size=2000)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        figures[f"{name}_rows_per_s"] = round(sample / seconds)
    return {"sample_rows": sample, **figures}


def _dedup_quality(originals: int, duplicates: int) -> dict[str, Any]:
    """Precision and recall of possible-duplicate search on a labelled synthetic set."""
    from jamsos.intake import dedup
    from jamsos.intake.tests.core_data import make_person, sijunjung_villages
    from jamsos.lib.names import name_key
    from jamsos.lib.nik import nik_build

    rng = random.Random(SEED + 3)
    villages = sijunjung_villages()
    people = [
        make_person(rng, villages, serial=n, coverage_start=COVERAGE) for n in range(originals)
    ]
    rows = [
        dedup.Person(
            n, p.nik, name_key(p.name, fold=True), p.name, p.birth_date, p.sex, p.village.code
        )
        for n, p in enumerate(people, start=1)
    ]
    truth: set[tuple[int, int]] = set()
    per_kind: dict[str, list[int]] = {k: [0, 0] for k in KINDS}
    kind_of: dict[int, str] = {}
    group = {n: n for n in range(1, originals + 1)}  # variants of one person: one group
    for i in range(duplicates):
        ref = rng.randrange(originals)
        person = people[ref]
        kind = KINDS[i % len(KINDS)]
        name = _variant(rng, person.name, kind)
        village = person.village.code if rng.random() < 0.7 else rng.choice(villages).code
        number = originals + i + 1
        nik = nik_build(person.village.district_code, person.birth_date, person.sex, 9000 + i % 999)
        rows.append(
            dedup.Person(
                number, nik, name_key(name, fold=True), name, person.birth_date, person.sex, village
            )
        )
        truth.add((ref + 1, number))
        kind_of[number] = kind
        group[number] = ref + 1
    frame = dedup.people_frame(rows)
    started = time.perf_counter()
    found = dedup.possible_duplicates(frame)
    seconds = time.perf_counter() - started
    predicted = {
        (min(row, c["row_number"]), max(row, c["row_number"]))
        for row, candidates in found.items()
        for c in candidates
    }
    # Two variants of one person flagged together are right too (same group).
    correct = {pair for pair in predicted if group[pair[0]] == group[pair[1]]}
    hits = predicted & truth
    for _a, b in truth:
        per_kind[kind_of[b]][1] += 1
    for _a, b in hits:
        per_kind[kind_of[b]][0] += 1
    return {
        "people": len(rows),
        "true_pairs": len(truth),
        "flagged_pairs": len(predicted),
        "wrong_pairs": len(predicted - correct),
        "precision": round(len(correct) / max(len(predicted), 1), 4),
        "recall": round(len(hits) / max(len(truth), 1), 4),
        "recall_by_kind": {k: round(h / max(t, 1), 3) for k, (h, t) in per_kind.items()},
        "seconds": round(seconds, 2),
    }


# --- processes ------------------------------------------------------------------------


def _database_process(args: argparse.Namespace) -> dict[str, Any]:
    """One database: create and migrate a test database, measure, drop it."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        test_file = Path(tempfile.mkdtemp(prefix="jamsos-bench-")) / "bench.sqlite3"
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(test_file)
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    figures: dict[str, Any] = {"database": connection.vendor}
    figures["migrate_s"] = round(time.perf_counter() - started, 1)
    try:
        started = time.perf_counter()
        files = _files(Path(args.workdir), args.rows, args.csv_rows)
        figures["files_s"] = round(time.perf_counter() - started, 1)
        import gc

        gc.collect()
        database_url = _test_database_url(connection)
        if not args.skip_dry_run:
            figures["dry_run_empty_registry"] = _child_dry_run(files["csv"], database_url)
        figures["registry_seeded"] = _seed_registry(args.rows, args.registry)
        if not args.skip_dry_run:
            runs = [files["csv"], files["xlsx"]] + ([files["csv_big"]] if args.big else [])
            figures["dry_run"] = [_child_dry_run(path, database_url) for path in runs]
        figures["stage_and_apply"] = _stage_and_apply(files["csv"])
        figures["row_writers"] = _writers(files["csv"], min(args.rows, 20_000))
        if args.dedup:
            figures["duplicates"] = _dedup_quality(args.dedup, args.dedup // 10)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return figures


def _postgres_answers() -> bool:
    import psycopg

    server = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        psycopg.connect(server, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def _test_database_url(connection: Any) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + settings["NAME"]


def _child_dry_run(path: Path, database_url: str) -> dict[str, Any]:
    """A dry run in a fresh process: its memory high-water mark is its own."""
    env = dict(os.environ, DATABASE_URL=database_url)
    command = [sys.executable, __file__, "--phase", "dry-run", "--file", str(path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _dry_run_process(path: Path) -> dict[str, Any]:
    import django

    django.setup()
    baseline = _rss_mb()
    figures = _dry_run(path)
    return {**figures, "baseline_rss_mb": baseline}


def _reader_alone(files: dict[str, Path]) -> dict[str, Any]:
    from jamsos.intake.reading import header_score
    from jamsos.lib.tabular import table_read

    figures = {}
    for path in files.values():
        started = time.perf_counter()
        table = table_read(path, file_name=path.name, header_score=header_score)
        seconds = time.perf_counter() - started
        figures[path.name] = {
            "rows": table.frame.height,
            "s": round(seconds, 2),
            "rows_per_s": round(table.frame.height / seconds),
        }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=100_000, help="rows of the .xlsx and small .csv"
    )
    parser.add_argument("--csv-rows", type=int, default=1_000_000, help="rows of the big .csv")
    parser.add_argument(
        "--registry", type=int, default=50_000, help="persons registered beforehand"
    )
    parser.add_argument(
        "--dedup", type=int, default=20_000, help="people in the labelled set (0: skip)"
    )
    parser.add_argument(
        "--databases",
        default=None,
        help="comma-separated: sqlite,postgres (default: both when PostgreSQL answers "
        "at BENCH_POSTGRES_URL, else sqlite)",
    )
    parser.add_argument(
        "--workdir", default=str(Path(tempfile.gettempdir()) / "jamsos-bench-intake")
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--phase", choices=["database", "dry-run"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--skip-dry-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--big", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "database":
        print(json.dumps(_database_process(args)))
        return 0
    if args.phase == "dry-run":
        print(json.dumps(_dry_run_process(Path(args.file))))
        return 0

    report: dict[str, Any] = {
        "rows": args.rows,
        "csv_rows": args.csv_rows,
        "cpus": os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 1),
    }
    databases = args.databases or ("sqlite,postgres" if _postgres_answers() else "sqlite")
    for number, database in enumerate(databases.split(",")):
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="jamsos.config.settings.base")
        env["JAMSOS_DATA_DIR"] = tempfile.mkdtemp(prefix="jamsos-bench-data-")
        if database == "postgres":
            env["DATABASE_URL"] = POSTGRES_URL
        else:
            env.pop("DATABASE_URL", None)
        command = [sys.executable, __file__, "--phase", "database", *sys.argv[1:]]
        if number:  # the dry runs do not depend much on the database: measure them once
            command.append("--skip-dry-run")
        else:
            command.append("--big")
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.stderr.write(done.stderr[-4000:])
            return done.returncode
        report[database] = json.loads(done.stdout.strip().splitlines()[-1])
        report[database]["load_average_after"] = round(os.getloadavg()[0], 1)
        if number == 0:
            import django

            os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "JAMSOS_DATA_DIR")})
            os.environ.pop("DATABASE_URL", None)
            django.setup()
            workdir = Path(args.workdir)
            report["reader_alone"] = _reader_alone(
                {
                    "xlsx": workdir / f"usulan-{args.rows}.xlsx",
                    "csv": workdir / f"usulan-{args.rows}.csv",
                }
            )
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0


def _print(report: dict[str, Any], indent: str = "") -> None:
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print(value, indent + "  ")
        elif isinstance(value, list):
            print(f"{indent}{key}:")
            for item in value:
                _print(item, indent + "  - ")
        else:
            print(f"{indent}{key:34} {value}")


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory of validating a big proposal file, measured in a fresh process.

Issue 10 ("Uploads without limits"): a 1,000,000-row file must validate under 1 GB peak
RSS. The parent makes a throw-away SQLite database (migrated: regions, occupations,
eligibility rule), writes the realistic CSV of ``bench/intake.py`` once (cached in
--workdir), then validates it in a child process — read the file, every check, the
duplicate search — which prints its own high-water mark (``VmHWM`` of
``/proc/self/status``, and ``ru_maxrss``) and the mark right after Django's start-up.

    .venv/bin/python bench/intake_memory.py                 # 1,000,000 rows
    .venv/bin/python bench/intake_memory.py --rows 200000 --json
    .venv/bin/python bench/intake_memory.py --stage   # the whole task: rows stored too
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
COVERAGE = dt.date(2026, 12, 1)
os.environ.setdefault("JAMSOS_GENERATE_SECRET_KEY", "1")


def _high_water_mb() -> dict[str, float]:
    status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
    vmhwm = next(
        (int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")),
        0.0,
    )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"vmhwm_mb": round(vmhwm, 1), "ru_maxrss_mb": round(maxrss, 1)}


def _steps_traced(steps: list[dict[str, Any]]) -> None:
    """Record the high-water mark after each step of ``proposals_validate``."""
    from jamsos.intake import validation

    for name in [n for n in dir(validation) if n.startswith("_") and not n.startswith("__")]:
        function = getattr(validation, name)
        if not callable(function) or getattr(function, "__module__", "") != validation.__name__:
            continue
        if isinstance(function, type):
            continue

        def traced(*args: Any, __f: Any = function, __n: str = name, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = __f(*args, **kwargs)
            steps.append(
                {
                    "step": __n,
                    "s": round(time.perf_counter() - started, 2),
                    **_high_water_mb(),
                    "rss_mb": _rss_now_mb(),
                }
            )
            return result

        setattr(validation, name, traced)


def _rss_now_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return round(
        next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        / 1024,
        1,
    )


def _staged(path: Path) -> dict[str, Any]:
    """The worker's whole validation task on an uploaded file: read the stored file,
    validate, write every row into the batch (``services.batch_validate``)."""
    import django

    django.setup()
    from django.core.files import File

    from jamsos.intake import services
    from jamsos.regions.models import Region
    from jamsos.testing.personas import make_personas

    cast = make_personas()
    with path.open("rb") as handle:
        batch = services.batch_stage_upload(
            upload=File(handle, name=path.name),
            file_name=path.name,
            region=Region.objects.get(pk="13.03"),
            acting_user=cast.dinas_operator,
            coverage_start=COVERAGE,
            enqueue=False,
        )
    baseline = _high_water_mb()
    started = time.perf_counter()
    batch = services.batch_validate(batch=batch)
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "rows": batch.rows_total,
        "status": batch.status,
        "total_s": round(time.perf_counter() - started, 1),
        "baseline": baseline,
        "peak": _high_water_mb(),
        "load_average": round(os.getloadavg()[0], 1),
    }


def _child(path: Path, *, profile: bool = False) -> dict[str, Any]:
    import django

    django.setup()
    from jamsos.intake.reading import proposal_table_read
    from jamsos.intake.validation import ValidationContext, proposals_validate
    from jamsos.regions.models import Region

    steps: list[dict[str, Any]] = []
    if profile:
        _steps_traced(steps)

    baseline = _high_water_mb()
    context = ValidationContext.build(
        region=Region.objects.get(pk="13.03"), coverage_start=COVERAGE
    )
    started = time.perf_counter()
    table = proposal_table_read(path, file_name=path.name)
    read_s = time.perf_counter() - started
    after_read = _high_water_mb()
    result = proposals_validate(table, context=context)
    total_s = time.perf_counter() - started
    counts = result.counts()
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "rows": counts["rows"],
        "read_s": round(read_s, 1),
        "total_s": round(total_s, 1),
        "baseline": baseline,
        "after_read": after_read,
        "peak": _high_water_mb(),
        "load_average": round(os.getloadavg()[0], 1),
        **({"steps": steps} if profile else {}),
    }


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_intake", HERE / "intake.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _parent(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    bench = _bench_module()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"usulan-{args.rows}.csv"
    test_file = Path(tempfile.mkdtemp(prefix="jamsos-bench-mem-")) / "bench.sqlite3"
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(test_file)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if not path.exists():  # the villages come from the migrated database
            from jamsos.intake.tests.core_data import write_csv

            rows, _registered = bench._rows(args.rows, bench.SEED + 1)
            write_csv(path, rows)
            del rows
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{test_file}")
        command = [sys.executable, __file__, "--phase", "child", "--file", str(path)]
        if args.profile:
            command.append("--profile")
        if args.stage:
            command.append("--stage")
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(done.stderr[-4000:])
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--workdir", default=str(Path(tempfile.gettempdir()) / "jamsos-bench-intake")
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true", help="memory after each step")
    parser.add_argument(
        "--stage",
        action="store_true",
        help="the worker's whole task: validate an uploaded batch and store its rows",
    )
    parser.add_argument("--phase", choices=["child"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "child":
        if args.stage:
            print(json.dumps(_staged(Path(args.file))))
        else:
            print(json.dumps(_child(Path(args.file), profile=args.profile)))
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamsos.config.settings.base")
    os.environ.setdefault("JAMSOS_DATA_DIR", tempfile.mkdtemp(prefix="jamsos-bench-data-"))
    os.environ.pop("DATABASE_URL", None)
    report = _parent(args)
    if args.json or args.profile:
        print(json.dumps(report, indent=1 if args.profile else None))
    elif args.stage:
        print(
            f"{report['rows']:,} rows staged ({report['status']}) in {report['total_s']} s; "
            f"peak RSS {report['peak']['vmhwm_mb']} MB (VmHWM); after start-up "
            f"{report['baseline']['vmhwm_mb']} MB; load average {report['load_average']}"
        )
    else:
        peak = report["peak"]
        print(
            f"{report['rows']:,} rows ({report['bytes'] / 1e6:.0f} MB CSV): validated in "
            f"{report['total_s']} s (read {report['read_s']} s); peak RSS "
            f"{peak['vmhwm_mb']} MB (VmHWM), {peak['ru_maxrss_mb']} MB (ru_maxrss); after "
            f"start-up {report['baseline']['vmhwm_mb']} MB, after reading "
            f"{report['after_read']['vmhwm_mb']} MB; load average {report['load_average']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``jamsos bill_month YYYY-MM``: the monthly billing run, for cron.

Bills every kabupaten that has funding sources (or ``--region``), each in its own
transaction; rerunning a month creates nothing new. ``--json`` prints
``{"month", "members", "total", "created", "bills": [{"source", "members", "total"}, …]}``
where ``created`` counts the bills this run created (0 on a rerun).

Exit codes: 0 success; 2 bad usage (bad month, unknown source, prepayment period);
1 when the rate tables have no rate for a month billed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from jamsos.budget.estimates import RateMissing
from jamsos.budget.models import FundingSource
from jamsos.contributions import selectors, services
from jamsos.contributions.management.commands._args import month_arg, regency_arg
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import angka, bulan, rupiah
from jamsos.regions.models import Region


class Command(BaseCommand):
    help = "Hitung tagihan iuran satu bulan (atau dibayar di muka 3/6/12 bulan) per sumber dana."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("month", type=month_arg, help="bulan tagihan TTTT-BB")
        parser.add_argument(
            "--source",
            help="sumber dana: id, jenis (apbd, apb_nagari, csr…), kode nagari, atau nama",
        )
        parser.add_argument("--region", type=regency_arg, help="kode kabupaten/kota, mis. 13.03")
        parser.add_argument(
            "--months",
            type=int,
            default=1,
            help="lama tagihan (bayar di muka): pilihan dari aturan bayar di muka yang berlaku",
        )
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        regencies = (
            [options["region"]]
            if options["region"]
            else list(
                Region.objects.filter(
                    pk__in=FundingSource.objects.values("region_id").distinct()
                ).order_by("code")
            )
        )
        results = []
        try:
            plan = self._plan(regencies, options["source"])
            for regency, sources in plan:
                results.append(
                    services.billing_run(
                        regency=regency,
                        month=options["month"],
                        months=options["months"],
                        sources=sources,
                        acting_user=None,
                    )
                )
        except RateMissing as exc:
            raise CommandError(exc.message, returncode=1) from exc
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        summary = {
            "month": str(options["month"]),
            "months": options["months"],
            "members": sum(r.members for r in results),
            "total": sum(r.total for r in results),
            "created": sum(r.created for r in results),
            "lines_added": sum(r.lines_added for r in results),
            "bills": [
                bill | {"regency": result.regency.code}
                for result in results
                for bill in result.as_dict()["bills"]
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(self._text(summary))

    def _plan(
        self, regencies: list[Region], code: str | None
    ) -> list[tuple[Region, list[FundingSource] | None]]:
        if not code:
            return [(regency, None) for regency in regencies]
        plan = []
        for regency in regencies:
            try:
                plan.append((regency, selectors.funding_sources_match(regency=regency, code=code)))
            except DomainError:
                if len(regencies) == 1:
                    raise
        if not plan:
            raise DomainError(
                gettext('Sumber dana "%(code)s" tidak ditemukan.') % {"code": code},
                code="source_unknown",
            )
        return plan

    def _text(self, summary: dict[str, Any]) -> str:
        lines = [
            f"Tagihan {bulan(summary['month'])}"
            + (f" ({summary['months']} bulan di muka)" if summary["months"] > 1 else "")
            + f": {angka(summary['created'])} tagihan baru, "
            f"{angka(summary['lines_added'])} baris peserta-bulan ditambahkan."
        ]
        for bill in summary["bills"]:
            mark = "baru" if bill["created"] else "ada"
            lines.append(
                f"  {bill['number']:<24} {bill['source']:<40} {angka(bill['members']):>9} peserta "
                f"{rupiah(bill['total']):>18}  [{bill['status']}, {mark}]"
            )
        lines.append(f"Jumlah: {angka(summary['members'])} peserta, {rupiah(summary['total'])}")
        return "\n".join(lines)

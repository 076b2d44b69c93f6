"""``jamsos record_payment NOMOR-TAGIHAN --sp2d … --date … --amount … --account …``.

For treasury systems that export SP2D lists: records one payment against a bill (the
excess becomes credit). Exit codes: 0 success, 2 bad usage or refused (unknown bill,
SP2D already recorded, bill not open).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.contributions import services
from jamsos.contributions.management.commands._args import (
    date_arg,
    regency_arg,
    rupiah_arg,
)
from jamsos.contributions.models import Bill
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import rupiah


class Command(BaseCommand):
    help = "Catat pembayaran SP2D atas satu tagihan iuran."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("bill", help="nomor tagihan, mis. IUR/1303/202503/1")
        parser.add_argument("--sp2d", required=True, help="nomor SP2D")
        parser.add_argument("--date", type=date_arg, required=True, help="tanggal SP2D")
        parser.add_argument("--amount", type=rupiah_arg, required=True, help="jumlah (Rp)")
        parser.add_argument("--account", required=True, help="rekening kas daerah")
        parser.add_argument("--region", type=regency_arg, help="kode kabupaten/kota")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        bills = Bill.objects.filter(number=options["bill"].strip())
        if options["region"]:
            bills = bills.filter(regency=options["region"])
        found = list(bills[:2])
        if len(found) != 1:
            why = "tidak ditemukan" if not found else "ada di beberapa kabupaten; pakai --region"
            raise CommandError(f"Tagihan {options['bill']} {why}.", returncode=2)
        try:
            payment = services.payment_record(
                bill=found[0],
                sp2d_number=options["sp2d"],
                paid_on=options["date"],
                amount=options["amount"],
                treasury_account=options["account"],
                acting_user=None,
            )
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        bill = Bill.objects.get(pk=found[0].pk)
        data = {
            "bill": bill.number,
            "sp2d_number": payment.sp2d_number,
            "amount": payment.amount,
            "applied": payment.applied_amount,
            "credited": payment.credited_amount,
            "status": bill.status,
            "due": bill.due,
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(
            f"SP2D {payment.sp2d_number} dicatat untuk {bill.number}: {rupiah(payment.amount)} "
            f"({rupiah(payment.applied_amount)} untuk tagihan, {rupiah(payment.credited_amount)} "
            f"menjadi kredit). Status: {bill.get_status_display()}, sisa {rupiah(bill.due)}."
        )

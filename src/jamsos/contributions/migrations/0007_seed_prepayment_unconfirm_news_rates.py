"""Regulation data (issue 9):

1. Prepayment choices are a rule row, not code: 1, 3, 6 or 12 months per bill (facts.md
   §1.4). The source is BPJS branch officials quoted in the press, so the row is
   unconfirmed until someone reads the regulation's maximum.
2. Rate rows whose only sources are news items or a branch statement become
   unconfirmed: the five PU JKK risk rates and PU JKM 0.30 % (Tribun Makassar 2020,
   Tribun Pontianak 2019 quoting the BPJS TK Pontianak branch; facts.md §2) and the
   highest BPU income value Rp 20,700,000 (Radar Mukomuko; Tribun Pontianak, facts.md
   §1.3). The BPU minimum and JKM BPU stay confirmed: Kemnaker's own statement gives the
   Rp 16,800 package. The rows stay in use; estimates and bills list them as unconfirmed.

The budget rows live in the budget app; they are changed here because contributions
bills from them and this keeps the budget app's migrations untouched.
"""

import datetime as dt

from django.db import migrations

PREPAYMENT = {
    "valid_from": dt.date(2015, 7, 1),
    "months": [1, 3, 6, 12],
    "legal_basis": (
        "Praktik pembayaran di muka BPJS Ketenagakerjaan (3, 6 atau 12 bulan, \"hingga satu "
        "tahun ke depan\"); batas lama pembayaran di muka menurut peraturan belum diperiksa."
    ),
    "note": (
        "Sumber: pernyataan Kepala Cabang BPJS TK Sulteng di media.alkhairaat.id (2024/2025). "
        "Tagihan dibayar dari anggaran satu tahun, jadi paling lama sampai Desember."
    ),
}
NEWS_ONLY = (
    "\nBelum dikonfirmasi: sumbernya hanya berita dan pernyataan cabang BPJS TK, belum teks "
    "peraturan."
)
PU_SINCE = dt.date(2015, 7, 1)


def seed_prepayment(apps, schema_editor=None):
    PrepaymentRule = apps.get_model("contributions", "PrepaymentRule")
    PrepaymentRule.objects.get_or_create(
        valid_from=PREPAYMENT["valid_from"],
        defaults={
            "months": PREPAYMENT["months"],
            "legal_basis": PREPAYMENT["legal_basis"],
            "note": PREPAYMENT["note"],
            "confirmed": False,
        },
    )


def _news_only_rates(apps):
    ContributionRate = apps.get_model("budget", "ContributionRate")
    IncomeBracket = apps.get_model("budget", "IncomeBracket")
    return (
        ContributionRate.objects.filter(segment="pu", valid_from=PU_SINCE),
        IncomeBracket.objects.filter(declared_income=20_700_000, valid_from=PU_SINCE),
    )


def unconfirm(apps, schema_editor=None):
    seed_prepayment(apps)
    for queryset in _news_only_rates(apps):
        for row in queryset.filter(confirmed=True):
            row.confirmed = False
            row.note = (row.note + NEWS_ONLY).strip()
            row.save(update_fields=["confirmed", "note"])


def reconfirm(apps, schema_editor=None):
    apps.get_model("contributions", "PrepaymentRule").objects.filter(
        valid_from=PREPAYMENT["valid_from"]
    ).delete()
    for queryset in _news_only_rates(apps):
        for row in queryset.filter(confirmed=False, note__endswith=NEWS_ONLY.strip()):
            row.confirmed = True
            row.note = row.note[: -len(NEWS_ONLY.strip())].strip()
            row.save(update_fields=["confirmed", "note"])


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0002_seed_regulation"),
        ("contributions", "0006_prepayment_rule"),
    ]

    operations = [migrations.RunPython(unconfirm, reconfirm)]

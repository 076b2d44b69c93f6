"""Seed the regulation tables from facts.md §1–2 (sources cited in each row's note).

Only figures the project has a source for: the minimum and maximum BPU income values,
JKK BPU 1 %, JKM BPU Rp 6,800, the five PU JKK risk rates, JKM PU 0.30 %, and the
PP 50/2025 discount (transport sector confirmed by Kemnaker; the non-transport period only
by a third-party config, so unconfirmed). The rows between the minimum and maximum income
are added by admins. ``seed_regulation(apps, using)`` is also called by tests that flush
the tables (transactional tests); it adds only rows that are missing.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

PP44 = "PP 44/2015 jo. PP 82/2019 jo. PP 49/2023"
PP44_SINCE = dt.date(2015, 7, 1)  # PP 44/2015 took effect on 1 July 2015

BRACKETS = [
    # declared income, legal basis, confirmed, note
    (1_000_000, f"{PP44}, Lampiran II (nilai penghasilan terendah)", True,
     "JKK Rp 10.000 = 1 % × Rp 1.000.000. Sumber: radarmukomuko.disway.id/read/666514; "
     "pontianak.tribunnews.com 2019-09-23 (BPJS TK Pontianak); Kemnaker (indonesiabaik.id)."),
    (20_700_000, f"{PP44}, Lampiran II (nilai penghasilan tertinggi)", True,
     "JKK Rp 207.000 = 1 % × Rp 20.700.000. Sumber: radarmukomuko.disway.id/read/666514; "
     "pontianak.tribunnews.com 2019-09-23."),
]

RATES = [
    # segment, programme, risk group, basis, percent, amount, legal basis, note
    ("bpu", "jkk", "", "percent_income", Decimal("1"), None,
     f"{PP44}: iuran JKK BPU 1 % dari nilai penghasilan (Lampiran II)",
     "star.grid.id 453654763 (mengutip bpjsketenagakerjaan.go.id); makassar.tribunnews.com "
     "2020-09-08."),
    ("bpu", "jkm", "", "flat", None, 6_800,
     f"{PP44}: iuran JKM BPU Rp 6.800 per bulan",
     "Paket minimum JKK+JKM Rp 16.800 (Kemnaker, indonesiabaik.id)."),
    ("pu", "jkk", "sangat_rendah", "percent_wage", Decimal("0.24"), None,
     f"{PP44}, Lampiran I: JKK PU risiko sangat rendah 0,24 % dari upah",
     "makassar.tribunnews.com 2020-09-08; pontianak.tribunnews.com 2019-09-23."),
    ("pu", "jkk", "rendah", "percent_wage", Decimal("0.54"), None,
     f"{PP44}, Lampiran I: JKK PU risiko rendah 0,54 % dari upah", ""),
    ("pu", "jkk", "sedang", "percent_wage", Decimal("0.89"), None,
     f"{PP44}, Lampiran I: JKK PU risiko sedang 0,89 % dari upah", ""),
    ("pu", "jkk", "tinggi", "percent_wage", Decimal("1.27"), None,
     f"{PP44}, Lampiran I: JKK PU risiko tinggi 1,27 % dari upah", ""),
    ("pu", "jkk", "sangat_tinggi", "percent_wage", Decimal("1.74"), None,
     f"{PP44}, Lampiran I: JKK PU risiko sangat tinggi 1,74 % dari upah", ""),
    ("pu", "jkm", "", "percent_wage", Decimal("0.30"), None,
     f"{PP44}: iuran JKM PU 0,30 % dari upah", "Tanpa batas upah (sumber pihak ketiga)."),
]

PP50 = (
    "PP 50/2025 Pasal 3–4: penyesuaian iuran JKK dan JKM BPU sebesar 50 %; tidak berlaku "
    "bagi peserta yang iurannya dibayar APBN atau APBD"
)
DISCOUNTS = [
    # name, sector, valid from, valid to, confirmed, excluded payers, note
    ("Keringanan PP 50/2025 — sektor transportasi", "transportasi",
     dt.date(2026, 1, 1), dt.date(2027, 3, 1), True, ["apbd", "apbn", "apb_nagari"],
     "Rp 16.800 → Rp 8.400 selama 15 bulan, Jan 2026 – Mar 2027 (Kemnaker: indonesiabaik.id; "
     "headline.co.id 61458; ntvnews.id). APB Nagari dikecualikan karena juga anggaran "
     "publik: BELUM DIKONFIRMASI dengan BPJS TK (facts.md §9.3)."),
    ("Keringanan PP 50/2025 — sektor lainnya", "lainnya",
     dt.date(2026, 4, 1), dt.date(2026, 12, 1), False, ["apbd", "apbn", "apb_nagari"],
     "Periode non-transportasi hanya dari konfigurasi pihak ketiga (promo_config.py: "
     "2026-04-01 s.d. 2026-12-31). BELUM DIKONFIRMASI."),
]


def seed_regulation(apps, using="default"):
    IncomeBracket = apps.get_model("budget", "IncomeBracket")
    ContributionRate = apps.get_model("budget", "ContributionRate")
    ContributionDiscount = apps.get_model("budget", "ContributionDiscount")
    for income, basis, confirmed, note in BRACKETS:
        IncomeBracket.objects.using(using).get_or_create(
            declared_income=income, valid_from=PP44_SINCE,
            defaults={"legal_basis": basis, "confirmed": confirmed, "note": note},
        )
    for segment, programme, risk, kind, percent, amount, basis, note in RATES:
        ContributionRate.objects.using(using).get_or_create(
            segment=segment, programme=programme, risk_group=risk, valid_from=PP44_SINCE,
            defaults={"basis": kind, "percent": percent, "amount": amount,
                      "legal_basis": basis, "confirmed": True, "note": note},
        )
    for name, sector, start, end, confirmed, excluded, note in DISCOUNTS:
        ContributionDiscount.objects.using(using).get_or_create(
            segment="bpu", sector=sector, valid_from=start,
            defaults={"name": name, "valid_to": end, "programmes": ["jkk", "jkm"],
                      "percent": Decimal("50"), "excluded_payers": excluded,
                      "legal_basis": PP50, "confirmed": confirmed, "note": note},
        )


def seed(apps, schema_editor):
    seed_regulation(apps, schema_editor.connection.alias)


def unseed(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("budget", "IncomeBracket").objects.using(db).filter(
        declared_income__in=[row[0] for row in BRACKETS], valid_from=PP44_SINCE
    ).delete()
    apps.get_model("budget", "ContributionRate").objects.using(db).filter(
        valid_from=PP44_SINCE
    ).delete()
    apps.get_model("budget", "ContributionDiscount").objects.using(db).filter(
        legal_basis=PP50
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("budget", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

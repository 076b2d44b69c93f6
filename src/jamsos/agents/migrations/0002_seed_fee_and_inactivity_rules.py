"""Seed the agent fee and inactivity rules with the published 2018 figures.

They are data with their source, unconfirmed for Sijunjung (design-governance.md §5.1):
7.5 % of the recruits' monthly contributions, Rp 500,000 for at least 50 new members in a
month, 90 % agent / 10 % institution; the agency ends after 3 months without a new
member or a collection, rejoining after 6. The Dinas replaces them with a newer row.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

# What people read: the rule's kind and standing, never a web address (sources go in note).
FEE_BASIS = (
    "Ketentuan keagenan Perisai BPJS Ketenagakerjaan, angka 2018 "
    "(belum dikonfirmasi untuk Sijunjung)"
)
INACTIVITY_BASIS = (
    "Ketentuan keagenan Perisai BPJS Ketenagakerjaan (Kantor Cabang Bali Denpasar), "
    "belum dikonfirmasi untuk Sijunjung; peringatan bulan ke-2: usulan desain"
)
FEE_SOURCE = (
    "Angka 2018 (belum dikonfirmasi untuk Sijunjung): 7,5% iuran bulanan peserta yang "
    "direkrut; Rp 500.000 bila ≥ 50 peserta baru sebulan. "
    "https://ekonomi.kompas.com/read/2018/12/11/132158226/sasar-pekerja-informal-bpjs-"
    "ketenagakerjaan-targetkan-20000-agen ; bagi hasil 90% agen / 10% lembaga: "
    "https://megapolitan.antaranews.com/amp/berita/35468/bpjstk-gerakan-4000-agen-ini-"
    "percepat-kepesertaan"
)
INACTIVITY_SOURCE = (
    "BPJS Bali Denpasar: tanpa akuisisi dan iuran 3 bulan berturut-turut keagenan "
    "berakhir; boleh bergabung lagi setelah 6 bulan. http://kabardewata.com/berita/bisnis-"
    "bali/agen-perisai-diharapkan-mampu-genjot-kepesertaan-bpjs-ketenagakerjaan.html "
    "(peringatan pada bulan ke-2: usulan desain)"
)


def seed(apps, schema_editor):
    FeeRule = apps.get_model("agents", "FeeRule")
    InactivityRule = apps.get_model("agents", "InactivityRule")
    FeeRule.objects.get_or_create(
        region=None,
        valid_from=dt.date(2018, 1, 1),
        defaults={
            "percent_of_contributions": Decimal("7.50"),
            "acquisition_bonus": 500_000,
            "bonus_min_new": 50,
            "eligible_payer_types": ["mandiri"],
            "institution_share_percent": Decimal("10.00"),
            "basis": "reconciled",
            "legal_basis": FEE_BASIS,
            "note": FEE_SOURCE,
            "confirmed": False,
        },
    )
    InactivityRule.objects.get_or_create(
        region=None,
        valid_from=dt.date(2018, 1, 1),
        defaults={
            "inactive_months": 3,
            "warn_at_month": 2,
            "rejoin_after_months": 6,
            "legal_basis": INACTIVITY_BASIS,
            "note": INACTIVITY_SOURCE,
            "confirmed": False,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("agents", "0001_agents_fees_offline")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

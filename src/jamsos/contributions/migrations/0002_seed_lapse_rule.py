"""Seed the arrears rule from facts.md §1.4: a BPU membership with three consecutive
unpaid months becomes inactive; the system warns at the second.

The sources are BPJS Ketenagakerjaan's FAQ (mirrored by a Perisai agent's blog) and two
branch heads quoted in the press, not a regulation article, so the row is unconfirmed
until someone checks Permenaker 5/2021. ``seed_lapse_rules(apps)`` adds only missing rows
(tests that empty the tables call it again through ``migration_data_reload``).
"""

import datetime as dt

from django.db import migrations

RULES = [
    # segment, unpaid months, warn at, valid from, legal basis, reactivation, note
    (
        "bpu",
        3,
        2,
        dt.date(2015, 7, 1),
        "FAQ BPJS Ketenagakerjaan: peserta BPU yang tidak membayar iuran 3 bulan berturut-turut "
        "menjadi nonaktif (kepesertaan dan perlindungan); tanpa denda. PP 44/2015 jo. "
        "Permenaker 5/2021 (pasal belum diperiksa).",
        "Sumber berbeda: Kacab BPJS TK Sulteng (2024/2025) — peserta yang terputus harus "
        "mendaftar ulang dari awal; FAQ BPJS TK — peserta dapat melanjutkan dengan membayar "
        "lewat kanal mitra memakai NIK. Sistem mencatat pengaktifan kembali sebagai masa "
        "kepesertaan baru (penting untuk masa tunggu 3 bulan dan 3 tahun).",
        "perisaiblora.blogspot.com/2023/04/frequently-asked-questions-faq.html; "
        "star.grid.id/read/453722708; media.alkhairaat.id/bpjamsostek-berikan-batasan-masa-"
        "menunggak (\"masuk bulan ketiga tanpa pembayaran, perlindungan langsung terputus\"). "
        "Peringatan pada bulan ke-2 adalah kebijakan program, bukan ketentuan BPJS.",
    ),
]


def seed_lapse_rules(apps, schema_editor=None):
    LapseRule = apps.get_model("contributions", "LapseRule")
    for segment, unpaid, warn, since, basis, reactivation, note in RULES:
        LapseRule.objects.get_or_create(
            segment=segment,
            valid_from=since,
            defaults={
                "unpaid_months": unpaid,
                "warn_at_months": warn,
                "legal_basis": basis,
                "reactivation": reactivation,
                "confirmed": False,
                "note": note,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_bills_payments_reconciliation")]

    operations = [migrations.RunPython(seed_lapse_rules, migrations.RunPython.noop)]

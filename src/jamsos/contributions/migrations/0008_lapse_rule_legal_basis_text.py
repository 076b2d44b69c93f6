"""The arrears rule's legal basis names the regulation only.

Seeded by 0002 with the FAQ's wording in front of the regulation ("FAQ BPJS
Ketenagakerjaan: … PP 44/2015 jo. Permenaker 5/2021 (pasal belum diperiksa)."). The FAQ
wording is a source, so it moves to the row's source note (``note``, not shown on pages),
ahead of the web addresses already there.
"""

from django.db import migrations

OLD_BASIS = (
    "FAQ BPJS Ketenagakerjaan: peserta BPU yang tidak membayar iuran 3 bulan berturut-turut "
    "menjadi nonaktif (kepesertaan dan perlindungan); tanpa denda. PP 44/2015 jo. "
    "Permenaker 5/2021 (pasal belum diperiksa)."
)
NEW_BASIS = "PP 44/2015 jo. Permenaker 5/2021 (pasal belum diperiksa)"
FAQ = (
    "FAQ BPJS Ketenagakerjaan: peserta BPU yang tidak membayar iuran 3 bulan berturut-turut "
    "menjadi nonaktif (kepesertaan dan perlindungan); tanpa denda. "
)


def forwards(apps, schema_editor):
    LapseRule = apps.get_model("contributions", "LapseRule")
    for rule in LapseRule.objects.using(schema_editor.connection.alias).filter(
        legal_basis=OLD_BASIS
    ):
        rule.legal_basis = NEW_BASIS
        rule.note = FAQ + rule.note
        rule.save(update_fields=["legal_basis", "note"])


def backwards(apps, schema_editor):
    LapseRule = apps.get_model("contributions", "LapseRule")
    for rule in LapseRule.objects.using(schema_editor.connection.alias).filter(
        legal_basis=NEW_BASIS
    ):
        rule.legal_basis = OLD_BASIS
        rule.note = rule.note.removeprefix(FAQ)
        rule.save(update_fields=["legal_basis", "note"])


class Migration(migrations.Migration):
    dependencies = [("contributions", "0007_seed_prepayment_unconfirm_news_rates")]

    operations = [migrations.RunPython(forwards, backwards)]

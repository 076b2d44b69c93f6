"""Claim rules whose only sources are news items or a BPJS branch statement are
unconfirmed (issue 9): the JKM benefit under 3 months of contributions (Rp 8 M + Rp 2 M,
BPJS TK Meulaboh branch in bursakota.co.id) and the 3-month threshold itself (the same
branch; Radar Sumbar). They stay in use; every estimate lists them as unconfirmed until
an admin confirms them against Permenaker 5/2021.
"""

from django.db import migrations

NEWS_ONLY = (
    "\nBelum dikonfirmasi: sumbernya hanya berita dan pernyataan cabang BPJS TK, belum teks "
    "peraturan."
)
RULE_CODES = ("jkm_masa_iur_pendek_santunan", "jkm_masa_iur_pendek_pemakaman")
PARAMETER_KEYS = ("jkm_full_min_months",)


def _rows(apps):
    return (
        apps.get_model("claims", "BenefitRule").objects.filter(code__in=RULE_CODES),
        apps.get_model("claims", "ClaimParameter").objects.filter(key__in=PARAMETER_KEYS),
    )


def unconfirm(apps, schema_editor=None):
    for queryset in _rows(apps):
        for row in queryset.filter(confirmed=True):
            row.confirmed = False
            row.note = (row.note + NEWS_ONLY).strip()
            row.save(update_fields=["confirmed", "note"])


def reconfirm(apps, schema_editor=None):
    for queryset in _rows(apps):
        for row in queryset.filter(confirmed=False, note__endswith=NEWS_ONLY.strip()):
            row.confirmed = True
            row.note = row.note[: -len(NEWS_ONLY.strip())].strip()
            row.save(update_fields=["confirmed", "note"])


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_payout_payee_and_method")]

    operations = [migrations.RunPython(unconfirm, reconfirm)]

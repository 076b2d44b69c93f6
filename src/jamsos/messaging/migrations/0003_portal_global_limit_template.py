from django.db import migrations

FOOTER_WA = "\n\n— Jamsos Disnakertrans. Balas BERHENTI bila tidak ingin menerima pesan."
TEMPLATES = [
    # (code, channel, subject, body, description)
    (
        "portal_global_limit",
        "email",
        "Cek kepesertaan publik dihentikan sementara (batas global)",
        "Pada {waktu} cek kepesertaan di portal publik mencapai batas global {batas} "
        "pencarian gagal per jam, sehingga semua pencarian ditolak sekitar {menit} menit. "
        "Ini bisa berarti ada yang mencoba menjelajah NIK. Periksa log cek kepesertaan "
        "(tanpa NIK) dan jejak audit di Jamsos.",
        "Admin: batas global cek kepesertaan tercapai",
    ),
    (
        "portal_global_limit",
        "whatsapp",
        "",
        "Jamsos: cek kepesertaan publik mencapai batas global {batas} pencarian gagal per "
        "jam pada {waktu}; semua pencarian ditolak sekitar {menit} menit. Periksa log."
        + FOOTER_WA,
        "Admin: batas global cek kepesertaan tercapai",
    ),
]


def seed(apps, schema_editor):
    Template = apps.get_model("messaging", "Template")
    for code, channel, subject, body, description in TEMPLATES:
        Template.objects.update_or_create(
            code=code,
            channel=channel,
            defaults={"subject": subject, "body": body, "description": description},
        )


def unseed(apps, schema_editor):
    apps.get_model("messaging", "Template").objects.filter(code="portal_global_limit").delete()


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_seed_templates")]

    operations = [migrations.RunPython(seed, unseed)]

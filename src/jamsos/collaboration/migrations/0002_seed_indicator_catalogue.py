"""The indicator catalogue, version 2026.1 (design-governance §1.5, [PROP] defaults).

Names, minimum n, band cut-offs and parameters are data: a change is a new
``DefinitionSet`` version, and published scorecards keep the version they used. The
cut-offs follow the SAKIP/LAKIP habit (≥90 / 75–89 / 55–74 / <55 %). Starting conditions
are descriptive (no bands).
"""

from django.db import migrations

VERSION = "2026.1"
SOURCE = "design-governance §1.5 [PROP]"
BANDS = [90, 75, 55]

# code, element, name, formula, min_n, band cuts, params
ROWS = [
    ("SC-2", "starting_conditions", "Penolakan BPJS yang beralasan berkode",
     "baris ditolak BPJS dengan kode alasan ÷ semua baris ditolak (triwulan)", 20, [], {}),
    ("ID-1", "institutional_design", "Anggota forum yang aktif hadir",
     "instansi anggota yang hadir ≥1 kali dalam 2 triwulan terakhir ÷ instansi anggota", 3, BANDS, {}),
    ("ID-2", "institutional_design", "Kecamatan yang mengusulkan",
     "kecamatan dengan ≥1 usulan diajukan pada tahun anggaran ÷ kecamatan", 5, BANDS, {}),
    ("ID-3", "institutional_design", "Keputusan program yang diambil di forum",
     "SK, pagu dan perjanjian pada triwulan yang terkait keputusan forum ÷ semuanya", 3, BANDS, {}),
    ("ID-4", "institutional_design", "Jenis permintaan dengan SLA disepakati",
     "jenis permintaan yang dipakai dan punya SLA ÷ jenis permintaan yang dipakai", 2, BANDS, {}),
    ("ID-5", "institutional_design", "Notulen dibagikan tepat waktu",
     "rapat yang notulennya dibagikan ≤ 7 hari ÷ rapat", 3, BANDS, {"days": 7}),
    ("ID-6", "institutional_design", "Laporan kepada Bupati tepat waktu",
     "laporan bulanan kepada Bupati yang terbit ≤ batas waktunya ÷ laporan yang jatuh tempo "
     "pada triwulan", 2, BANDS, {}),
    ("FL-1", "facilitative_leadership", "Keteraturan rapat",
     "rapat diadakan ÷ rapat direncanakan menurut jadwal forum; jeda terpanjang (hari)", 2, BANDS, {}),
    ("FL-2", "facilitative_leadership", "Kehadiran pimpinan kedua pihak",
     "rapat dengan pimpinan Disnakertrans dan BPJS hadir ÷ rapat", 3, BANDS, {}),
    ("FL-3", "facilitative_leadership", "Agenda dan keputusan dari selain pengundang",
     "agenda dan keputusan yang diusulkan instansi selain pengundang ÷ semuanya", 5, BANDS, {}),
    ("FL-4", "facilitative_leadership", "Tindak lanjut terlambat yang diingatkan",
     "tindak lanjut terlambat yang diingatkan ≤ 7 hari setelah tenggat ÷ yang terlambat", 3, BANDS,
     {"days": 7}),
    ("CP-1", "face_to_face_dialogue", "Rapat tatap muka",
     "rapat tatap muka atau hybrid ÷ rapat", 2, BANDS, {}),
    ("CP-1b", "face_to_face_dialogue", "Kehadiran anggota inti",
     "anggota inti yang hadir ÷ anggota inti yang diharapkan, dijumlah per rapat", 2, BANDS, {}),
    ("CP-2", "face_to_face_dialogue", "Keputusan bersama (konsensus)",
     "keputusan konsensus ÷ keputusan", 3, BANDS, {}),
    ("CP-3a", "trust_building", "Permintaan Pemda → BPJS selesai dalam SLA",
     "permintaan kepada BPJS yang selesai ≤ SLA ÷ yang selesai dengan SLA", 5, BANDS, {}),
    ("CP-3b", "trust_building", "Permintaan BPJS → Pemda selesai dalam SLA",
     "permintaan BPJS kepada Pemda yang selesai ≤ SLA ÷ yang selesai dengan SLA", 5, BANDS, {}),
    ("CP-3c", "trust_building", "Permintaan antarinstansi Pemda selesai dalam SLA",
     "permintaan antarinstansi Pemda (Camat → Dinas …) selesai ≤ SLA ÷ yang selesai dengan SLA",
     5, BANDS, {}),
    ("CP-5", "commitment", "Tindak lanjut selesai tepat waktu",
     "tindak lanjut selesai ≤ tenggat ÷ yang jatuh tempo pada triwulan; per instansi", 5, BANDS, {}),
    ("CP-6", "commitment", "Kewajiban perjanjian dipenuhi tepat waktu",
     "kewajiban jatuh tempo yang dipenuhi tepat waktu ÷ yang jatuh tempo (tanpa yang "
     "dikecualikan); per pihak", 3, BANDS, {}),
    ("CP-8", "shared_understanding", "Penolakan dengan alasan dari daftar bersama",
     "penolakan BPJS dengan kode alasan baku (bukan 'lainnya') ÷ semua penolakan", 20, BANDS, {}),
    ("CP-10", "intermediate_outcomes", "Verifikasi BPJS dalam SLA",
     "SK yang hasil BPJS-nya tiba ≤ SLA setelah ditetapkan ÷ hasil yang tiba; median dan p90 hari",
     3, BANDS, {}),
    ("CP-11", "intermediate_outcomes", "Klaim dibayar dalam SLA",
     "klaim dibayar ≤ SLA setelah disetujui ÷ klaim dibayar; median dan p90 hari dari berkas "
     "lengkap", 5, BANDS, {}),
]


def seed(apps, schema_editor):
    DefinitionSet = apps.get_model("collaboration", "DefinitionSet")
    IndicatorDefinition = apps.get_model("collaboration", "IndicatorDefinition")
    definition_set, _ = DefinitionSet.objects.get_or_create(
        version=VERSION,
        defaults={"valid_from": "2020-01-01", "note": "Katalog awal (design-governance §1.5)."},
    )
    for order, (code, element, name, formula, min_n, cuts, params) in enumerate(ROWS):
        IndicatorDefinition.objects.get_or_create(
            definition_set=definition_set,
            code=code,
            defaults={
                "element": element,
                "name": name,
                "formula": formula,
                "min_n": min_n,
                "band_cuts": cuts,
                "params": params,
                "source": SOURCE,
                "sort_order": order,
            },
        )


def unseed(apps, schema_editor):
    DefinitionSet = apps.get_model("collaboration", "DefinitionSet")
    IndicatorDefinition = apps.get_model("collaboration", "IndicatorDefinition")
    IndicatorDefinition.objects.filter(definition_set__version=VERSION).delete()
    DefinitionSet.objects.filter(version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("collaboration", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

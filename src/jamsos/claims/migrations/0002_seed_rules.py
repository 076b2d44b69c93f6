"""Seed the claim regulation tables from facts.md §1.5, §3 (sources in each row's note).

``confirmed`` is True only where a regulation text or an official BPJS TK / Kemnaker /
Pemda statement gives the figure ([REG]/[OFF] in facts.md); third-party figures and
figures from memory are seeded unconfirmed, so every estimate using them says so. The
benefits start with PP 82/2019 (in force from its promulgation on 2 December 2019), so
rows start in December 2019; earlier events need earlier rows, added by admins.
``seed_claim_rules(apps, using)`` adds only missing rows, so tests that flush the tables
can run it again (``budget.tests.reference_data.migration_data_reload``).
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

SINCE = dt.date(2019, 12, 1)
PP82 = "PP 44/2015 jo. PP 82/2019"
PP82_JKM = f"{PP82}, manfaat JKM"
PP82_JKK = f"{PP82}, Lampiran III manfaat JKK"
PERMENAKER5 = "Permenaker 5/2021 (masa iur JKM BPU kurang dari 3 bulan)"

SRC_JKM = (
    "koranperbatasan.com (kutipan PP 82/2019); republika.co.id; satujuang.com; "
    "bpjsketenagakerjaan.go.id artikel 18913."
)
SRC_JKK = "Kalkulator pihak ketiga (id 41246617324) [3P]; BPJS TK artikel 18913."
SRC_70 = (
    "Jumlah 48 × Rp 1 jt + Rp 12 jt + Rp 10 jt = Rp 70 jt cocok dengan publikasi BPJS TK/"
    "Pemkab Sijunjung (radarsumbar 167165) [OFF]; rincian per baris dari kalkulator [3P]."
)
SRC_BEASISWA = (
    "Nominal per jenjang dari kalkulator pihak ketiga [3P]; lama tahun per jenjang dari "
    "ingatan atas PP 82/2019 [BELUM DIKONFIRMASI]. Total Rp 174 jt untuk 2 anak "
    "dikonfirmasi BPJS TK (artikel 18913) [OFF]."
)
SRC_CACAT = (
    "Persentase tabel dan rumus (% × 80 × upah) dari ingatan atas PP 44/2015 Lampiran III "
    "[BELUM DIKONFIRMASI]; periksa teks Lampiran III PP 82/2019."
)

# benefit, code, label, kind, extra fields, confirmed, legal basis, note
RULES = [
    ("jkm", "jkm_santunan_sekaligus", "Santunan sekaligus", "flat",
     {"amount": 20_000_000, "membership": "full", "sort_order": 10}, True, PP82_JKM, SRC_JKM),
    ("jkm", "jkm_santunan_berkala", "Santunan berkala (24 × Rp 500.000, dibayar sekaligus)",
     "flat", {"amount": 12_000_000, "membership": "full", "sort_order": 20}, True, PP82_JKM,
     SRC_JKM),
    ("jkm", "jkm_biaya_pemakaman", "Biaya pemakaman", "flat",
     {"amount": 10_000_000, "membership": "full", "sort_order": 30}, True, PP82_JKM, SRC_JKM),
    ("jkm", "jkm_masa_iur_pendek_santunan", "Santunan kematian (masa iur kurang dari syarat)",
     "flat", {"amount": 8_000_000, "membership": "short", "sort_order": 40}, True, PERMENAKER5,
     "BPJS TK Cabang Meulaboh, Agustus 2025 (bursakota.co.id/?p=68592) [OFF]: Rp 10 jt = "
     "santunan Rp 8 jt + pemakaman Rp 2 jt."),
    ("jkm", "jkm_masa_iur_pendek_pemakaman", "Biaya pemakaman (masa iur kurang dari syarat)",
     "flat", {"amount": 2_000_000, "membership": "short", "sort_order": 50}, True, PERMENAKER5,
     "BPJS TK Cabang Meulaboh, Agustus 2025 (bursakota.co.id/?p=68592) [OFF]."),
    ("jkk_death", "jkk_meninggal_santunan_sekaligus", "Santunan kematian (48 × penghasilan)",
     "income_multiple", {"multiplier": Decimal("48"), "sort_order": 10}, True, PP82_JKK,
     "PP 82/2019: 48 × upah bila meninggal akibat kecelakaan kerja (datacenter.ortax.org "
     "25363) [REG]. " + SRC_70),
    ("jkk_death", "jkk_meninggal_santunan_berkala", "Santunan berkala (dibayar sekaligus)",
     "flat", {"amount": 12_000_000, "sort_order": 20}, False, PP82_JKK, SRC_70),
    ("jkk_death", "jkk_meninggal_biaya_pemakaman", "Biaya pemakaman", "flat",
     {"amount": 10_000_000, "sort_order": 30}, False, PP82_JKK, SRC_70),
    ("jkk_stmb", "stmb_12_bulan_pertama", "STMB 12 bulan pertama", "stmb_percent",
     {"percent": Decimal("100"), "from_month_no": 1, "to_month_no": 12, "sort_order": 10},
     True, PP82_JKK, "BPJS TK artikel 18913: 100 % upah 12 bulan pertama [OFF]."),
    ("jkk_stmb", "stmb_bulan_berikutnya", "STMB bulan ke-13 sampai sembuh", "stmb_percent",
     {"percent": Decimal("50"), "from_month_no": 13, "sort_order": 20}, True, PP82_JKK,
     "BPJS TK artikel 18913: 50 % upah bulan berikutnya hingga sembuh [OFF]."),
    ("jkk_medical", "jkk_perawatan", "Perawatan dan pengobatan sesuai kebutuhan medis",
     "actual_cost", {"sort_order": 10}, True, PP82_JKK,
     "Tanpa batas biaya (koranperbatasan.com; BPJS TK artikel 18913) [REG/OFF]."),
    ("jkk_medical", "jkk_transportasi", "Penggantian biaya transportasi", "cap",
     {"variant": "darat", "variant_label": "darat/sungai/danau", "amount": 5_000_000,
      "sort_order": 20}, False, PP82_JKK, SRC_JKK + " Periksa Lampiran III PP 82/2019."),
    ("jkk_medical", "jkk_transportasi", "Penggantian biaya transportasi", "cap",
     {"variant": "laut", "variant_label": "laut", "amount": 2_000_000, "sort_order": 21},
     False, PP82_JKK, SRC_JKK + " Periksa Lampiran III PP 82/2019."),
    ("jkk_medical", "jkk_transportasi", "Penggantian biaya transportasi", "cap",
     {"variant": "udara", "variant_label": "udara", "amount": 10_000_000, "sort_order": 22},
     False, PP82_JKK, SRC_JKK + " Periksa Lampiran III PP 82/2019."),
]
BEASISWA = [
    # level, label, amount per year, max years
    ("tk_sd", "TK/SD", 1_500_000, 8),
    ("smp", "SMP", 2_000_000, 3),
    ("sma", "SMA", 3_000_000, 3),
    ("pt", "Perguruan tinggi (S1) / pelatihan", 12_000_000, 5),
]
DISABILITY = [
    # variant, label, table percent
    ("total_tetap", "Cacat total tetap", 70),
    ("lengan_kanan_bahu", "Lengan kanan dari sendi bahu ke bawah", 40),
    ("lengan_kiri_bahu", "Lengan kiri dari sendi bahu ke bawah", 35),
    ("tangan_kanan_pergelangan", "Tangan kanan dari pergelangan ke bawah", 32),
    ("tangan_kiri_pergelangan", "Tangan kiri dari pergelangan ke bawah", 28),
    ("kaki_pangkal_paha", "Sebelah kaki dari pangkal paha ke bawah", 35),
    ("kaki_mata_kaki", "Sebelah kaki dari mata kaki ke bawah", 25),
    ("mata_sebelah", "Sebelah mata", 35),
    ("pendengaran_dua_telinga", "Pendengaran kedua telinga", 40),
    ("pendengaran_satu_telinga", "Pendengaran sebelah telinga", 20),
    ("ibu_jari_kanan", "Ibu jari tangan kanan", 15),
    ("ibu_jari_kiri", "Ibu jari tangan kiri", 12),
]

PARAMETERS = [
    # key, value, confirmed, legal basis, note
    ("jkk_report_hours", 48, False, "Formulir BPJS TK 3 KK1 (laporan tahap I)",
     "2 × 24 jam sejak kecelakaan; salinan formulir BPJS di scribd 623914774 dan 514757707 "
     "[3P]."),
    ("jkk_claim_years", 5, True, PP82,
     "Hak klaim JKK gugur 5 tahun sejak kecelakaan (sebelumnya 2 tahun); koranperbatasan.com "
     "(kutipan PP 82/2019) [REG]."),
    ("jkm_full_min_months", 3, True, PERMENAKER5,
     "BPJS TK Meulaboh (bursakota.co.id/?p=68592); radarsumbar 167165 (masa iuran minimal tiga "
     "bulan berturut-turut) [OFF]."),
    ("beasiswa_jkm_min_months", 36, False, PP82,
     "Masa iur paling singkat 3 tahun bila meninggal bukan karena kecelakaan kerja; "
     "kicaunews.com, fahum.umsu.ac.id, campusnet.news mengutip PP 82/2019 [3P]."),
    ("beasiswa_max_children", 2, True, PP82,
     "Beasiswa untuk paling banyak 2 anak; BPJS TK artikel 18913 (Rp 174 jt untuk 2 anak) [OFF]."),
    ("beasiswa_max_age", 23, False, PP82,
     "Anak di bawah 23 tahun, belum menikah, tidak bekerja; sumber pihak ketiga [3P]."),
    ("stmb_days_per_month", 30, False, "Tafsiran sistem (STMB dihitung per hari)",
     "STMB per hari = penghasilan sebulan ÷ 30; 12 bulan pertama = 360 hari. BELUM "
     "DIKONFIRMASI dengan BPJS TK."),
    ("npwp_above", 50_000_000, False, "Daftar periksa klaim JKK BPJS TK",
     "NPWP diperlukan bila manfaat di atas Rp 50 jt; pontianak.tribunnews.com 2023-08-18, "
     "pdfs.asia checklist klaim JKK [3P]."),
]

SRC_DOC_JKM = "facts.md §3.3: satujuang.com, dannews.info [OFF/3P]."
SRC_DOC_JKK = (
    "facts.md §3.3: pontianak.tribunnews.com 2023-08-18, pdfs.asia checklist klaim JKK, "
    "scribd 623914774 (formulir 3 KK1/KK2/KK3) [3P]."
)
SRC_DOC_BEASISWA = "facts.md §3.3: campusnet.news, kicaunews.com [3P]."
JKM_DOCS = [
    # code, label, required, condition
    ("kartu_bpjs", "Kartu peserta BPJS Ketenagakerjaan", True, ""),
    ("ktp_peserta", "KTP peserta", True, ""),
    ("ktp_ahli_waris", "KTP ahli waris", True, ""),
    ("akta_kematian", "Akta kematian", True, ""),
    ("kartu_keluarga", "Kartu Keluarga", True, ""),
    ("surat_ahli_waris", "Surat keterangan ahli waris", True, ""),
    ("buku_nikah", "Buku nikah (bila ahli waris suami/istri)", False, "heir_spouse"),
    ("buku_tabungan", "Buku tabungan ahli waris", True, ""),
]
JKK_DOCS = [
    ("form_3_kk1", "Formulir 3: laporan kecelakaan tahap I (3 KK1)", True, ""),
    ("form_3a_kk2", "Formulir 3a: laporan tahap II (3 KK2)", True, ""),
    ("form_3b_kk3", "Formulir 3b: surat keterangan dokter (3 KK3)", True, ""),
    ("kartu_bpjs", "Kartu peserta BPJS Ketenagakerjaan", True, ""),
    ("ktp_peserta", "KTP peserta", True, ""),
    ("kronologi_saksi", "Kronologi kecelakaan dan fotokopi KTP 2 saksi", True, ""),
    ("laporan_polisi", "Laporan polisi / surat jaminan Jasa Raharja (kecelakaan lalu lintas)",
     False, ""),
    ("kuitansi_medis", "Kuitansi biaya pengobatan", False, ""),
    ("surat_tugas", "Surat tugas atau lembur (bila ada)", False, ""),
    ("daftar_hadir", "Daftar hadir (bila ada)", False, ""),
    ("buku_tabungan", "Buku tabungan", True, ""),
    ("npwp", "NPWP (bila manfaat di atas batas)", False, "npwp_above"),
]
JKK_DEATH_EXTRA = [
    ("akta_kematian", "Akta kematian", True, ""),
    ("kartu_keluarga", "Kartu Keluarga", True, ""),
    ("surat_ahli_waris", "Surat keterangan ahli waris", True, ""),
    ("ktp_ahli_waris", "KTP ahli waris", True, ""),
]
BEASISWA_DOCS = [
    ("akta_kelahiran", "Akta kelahiran anak", True, ""),
    ("ktp_kartu_pelajar", "KTP atau kartu pelajar anak", True, ""),
    ("kartu_keluarga", "Kartu Keluarga", True, ""),
    ("rapor", "Rapor atau transkrip terakhir", True, ""),
    ("surat_sekolah", "Surat keterangan aktif dari sekolah/perguruan tinggi", True, ""),
    ("tabungan_anak", "Buku tabungan atas nama anak", True, ""),
    ("akta_kematian", "Akta kematian peserta (bila peserta meninggal)", False, "death_origin"),
    ("surat_ahli_waris", "Surat keterangan ahli waris", True, ""),
]


def _rule_rows():
    rows = list(RULES)
    for i, (level, label, amount, years) in enumerate(BEASISWA):
        rows.append(
            ("beasiswa", "beasiswa", "Beasiswa pendidikan anak", "per_child_year",
             {"variant": level, "variant_label": label, "amount": amount, "max_years": years,
              "sort_order": 10 + i}, False, f"{PP82}, manfaat beasiswa", SRC_BEASISWA)
        )
    for i, (variant, label, percent) in enumerate(DISABILITY):
        rows.append(
            ("jkk_disability", "jkk_cacat", "Santunan cacat", "disability_percent",
             {"variant": variant, "variant_label": label, "percent": Decimal(percent),
              "multiplier": Decimal("80"), "sort_order": 10 + i}, False, PP82_JKK, SRC_CACAT)
        )
    return rows


def _document_rows():
    jkk_types = ["jkk_medical", "jkk_stmb", "jkk_disability", "jkk_death"]
    for order, (code, label, required, condition) in enumerate(JKM_DOCS):
        yield "jkm", code, label, required, condition, order, SRC_DOC_JKM
    for claim_type in jkk_types:
        docs = list(JKK_DOCS)
        if claim_type == "jkk_death":
            docs += JKK_DEATH_EXTRA
        for order, (code, label, required, condition) in enumerate(docs):
            if claim_type == "jkk_medical" and code == "kuitansi_medis":
                required = True
            note = SRC_DOC_JKK
            if (code, label, required, condition) in JKK_DEATH_EXTRA:
                note += " Dokumen ahli waris mengikuti daftar JKM (facts.md §3.3)."
            yield claim_type, code, label, required, condition, order, note
    for order, (code, label, required, condition) in enumerate(BEASISWA_DOCS):
        yield "beasiswa", code, label, required, condition, order, SRC_DOC_BEASISWA


def seed_claim_rules(apps, using="default"):
    BenefitRule = apps.get_model("claims", "BenefitRule")
    ClaimParameter = apps.get_model("claims", "ClaimParameter")
    DocumentRequirement = apps.get_model("claims", "DocumentRequirement")
    for benefit, code, label, kind, extra, confirmed, basis, note in _rule_rows():
        extra = dict(extra)
        variant = extra.pop("variant", "")
        BenefitRule.objects.using(using).get_or_create(
            benefit=benefit, code=code, variant=variant, valid_from=SINCE,
            defaults={"label": label, "kind": kind, "confirmed": confirmed,
                      "legal_basis": basis, "note": note, **extra},
        )
    for key, value, confirmed, basis, note in PARAMETERS:
        ClaimParameter.objects.using(using).get_or_create(
            key=key, valid_from=SINCE,
            defaults={"value": value, "confirmed": confirmed, "legal_basis": basis,
                      "note": note},
        )
    for claim_type, code, label, required, condition, order, note in _document_rows():
        DocumentRequirement.objects.using(using).get_or_create(
            claim_type=claim_type, code=code,
            defaults={"label": label, "required": required, "condition": condition,
                      "sort_order": order * 10, "note": note},
        )


def seed(apps, schema_editor):
    seed_claim_rules(apps, schema_editor.connection.alias)


def unseed(apps, schema_editor):
    db = schema_editor.connection.alias
    for name in ("BenefitRule", "ClaimParameter"):
        apps.get_model("claims", name).objects.using(db).filter(valid_from=SINCE).delete()
    apps.get_model("claims", "DocumentRequirement").objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_claims")]

    operations = [migrations.RunPython(seed, unseed)]

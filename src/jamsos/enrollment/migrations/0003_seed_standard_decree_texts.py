"""The standard texts of an SK penetapan penerima (the ``DecreeSetting`` row without a
region). Every kabupaten starts from these and overrides what it writes differently;
the Bagian Hukum should check them before the first real decree (docs/enrollment.md).
Placeholders: see ``jamsos.enrollment.texts.PLACEHOLDERS``.
"""

from django.db import migrations

TITLE = (
    "Penetapan Penerima Bantuan Iuran Jaminan Sosial Ketenagakerjaan bagi Pekerja Rentan "
    "{tahap} Tahun {tahun}"
)
CONSIDERATIONS = [
    "bahwa untuk memberikan pelindungan jaminan sosial ketenagakerjaan bagi pekerja rentan "
    "dan pekerja bukan penerima upah di {kabupaten}, Pemerintah Daerah membayarkan iuran "
    "program Jaminan Kecelakaan Kerja dan Jaminan Kematian melalui anggaran daerah;",
    "bahwa berdasarkan hasil verifikasi usulan Camat dan Pemerintah Nagari/Desa oleh Dinas "
    "yang membidangi ketenagakerjaan, telah ditetapkan calon penerima sebanyak {jumlah} "
    "orang;",
    "bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a dan huruf b, perlu "
    "menetapkan Keputusan {kepala_daerah} tentang {judul};",
]
LEGAL_BASES = [
    "Undang-Undang Nomor 40 Tahun 2004 tentang Sistem Jaminan Sosial Nasional",
    "Undang-Undang Nomor 24 Tahun 2011 tentang Badan Penyelenggara Jaminan Sosial",
    "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah sebagaimana telah "
    "beberapa kali diubah, terakhir dengan Undang-Undang Nomor 6 Tahun 2023",
    "Instruksi Presiden Nomor 2 Tahun 2021 tentang Optimalisasi Pelaksanaan Program "
    "Jaminan Sosial Ketenagakerjaan",
]
DECISIONS = [
    "Menetapkan penerima bantuan iuran program Jaminan Kecelakaan Kerja (JKK) dan Jaminan "
    "Kematian (JKM) BPJS Ketenagakerjaan bagi pekerja rentan di {kabupaten} {tahap} Tahun "
    "{tahun} sebanyak {jumlah} orang, sebagaimana tercantum dalam Lampiran yang merupakan "
    "bagian tidak terpisahkan dari Keputusan ini.",
    "Penerima sebagaimana dimaksud dalam Diktum KESATU didaftarkan sebagai peserta Bukan "
    "Penerima Upah pada BPJS Ketenagakerjaan untuk masa pertanggungan {mulai} sampai dengan "
    "{sampai} ({bulan} bulan).",
    "Iuran sebesar {iuran} per orang per bulan dibebankan pada {sumber} Tahun Anggaran "
    "{tahun}, paling banyak {total}.",
    "Keputusan ini mulai berlaku pada tanggal ditetapkan.",
]
AMENDMENT_CONSIDERATIONS = [
    "bahwa terdapat perubahan penerima pada Keputusan {kepala_daerah} Nomor {sk_diubah}, "
    "yaitu {perubahan};",
    "bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a, perlu menetapkan "
    "Keputusan {kepala_daerah} tentang {judul};",
]
AMENDMENT_DECISIONS = [
    "Mengubah Lampiran Keputusan {kepala_daerah} Nomor {sk_diubah}: {perubahan}, "
    "sebagaimana tercantum dalam Lampiran Keputusan ini.",
    "Ketentuan lain dalam Keputusan {kepala_daerah} Nomor {sk_diubah} dinyatakan tetap berlaku.",
    "Keputusan ini mulai berlaku pada tanggal ditetapkan.",
]


def seed(apps, schema_editor):
    DecreeSetting = apps.get_model("enrollment", "DecreeSetting")
    if DecreeSetting.objects.filter(region__isnull=True).exists():
        return
    DecreeSetting.objects.create(
        region=None,
        title_template=TITLE,
        considerations=CONSIDERATIONS,
        legal_bases=LEGAL_BASES,
        decisions=DECISIONS,
        amendment_considerations=AMENDMENT_CONSIDERATIONS,
        amendment_decisions=AMENDMENT_DECISIONS,
    )


def unseed(apps, schema_editor):
    apps.get_model("enrollment", "DecreeSetting").objects.filter(region__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0002_decree_settings_documents_renewals")]
    operations = [migrations.RunPython(seed, unseed)]

"""The regulations an SK penetapan cites under *Mengingat*, as records (issue 9).

Sources: the seed paper (Wibowo 2024, "Collaborative Governance …", its list of legal
bases of the programme and its bibliography) and the shared `domain/facts.md` §1.1 (PP
44/2015 and its amendments, Permenaker 5/2021 and 1/2025). Dates marked ``confirmed``
are the well-known promulgation dates; where the exact day was not checked, the row is
unconfirmed and starts on the last day of its year, so a decree never cites an
instrument before it can have existed (the Bagian Hukum checks them on the regulation
page). PP 49/2023 (second amendment of PP 44/2015) is cited only from its date: a 2022
decree does not cite it.

The standard decree texts (migration 0003) listed four of these as fixed text; they are
removed from the standard row, which now holds only bases a kabupaten adds by hand.
"""

import datetime as dt

from django.db import migrations

D = dt.date
NATIONAL, SUMBAR, SIJUNJUNG = None, "13", "13.03"
PAPER = "Makalah sumber (Wibowo 2024), daftar dasar hukum program"
UNCHECKED = "; tanggal berlaku belum dicek (dipakai akhir tahun)"

# key, kind, form, number, year, title, region, amends, from, until, confirmed, source
ROWS = [
    ("uu40", 10, "Undang-Undang", "40", 2004, "Sistem Jaminan Sosial Nasional",
     NATIONAL, None, D(2004, 10, 19), None, True, PAPER),
    ("uu24", 10, "Undang-Undang", "24", 2011, "Badan Penyelenggara Jaminan Sosial",
     NATIONAL, None, D(2011, 11, 25), None, True, PAPER),
    ("uu23", 10, "Undang-Undang", "23", 2014, "Pemerintahan Daerah",
     NATIONAL, None, D(2014, 10, 2), None, True,
     PAPER + " (UU 23/2014); perubahannya menurut praktik penulisan dasar hukum Perda"),
    ("uu2-2015", 10, "Undang-Undang", "2", 2015,
     "Penetapan Peraturan Pemerintah Pengganti Undang-Undang Nomor 2 Tahun 2014 tentang "
     "Perubahan atas Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah menjadi "
     "Undang-Undang", NATIONAL, "uu23", D(2015, 2, 2), None, True, "Perubahan UU 23/2014"),
    ("uu9-2015", 10, "Undang-Undang", "9", 2015,
     "Perubahan Kedua atas Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah",
     NATIONAL, "uu23", D(2015, 3, 18), None, True, "Perubahan UU 23/2014"),
    ("uu11-2020", 10, "Undang-Undang", "11", 2020, "Cipta Kerja",
     NATIONAL, "uu23", D(2020, 11, 2), None, True, "Mengubah UU 23/2014 (Paragraf Pemda)"),
    ("uu6-2023", 10, "Undang-Undang", "6", 2023,
     "Penetapan Peraturan Pemerintah Pengganti Undang-Undang Nomor 2 Tahun 2022 tentang Cipta "
     "Kerja menjadi Undang-Undang", NATIONAL, "uu23", D(2023, 3, 31), None, True,
     "Mengubah UU 23/2014 (menggantikan UU 11/2020)"),
    ("pp44", 20, "Peraturan Pemerintah", "44", 2015,
     "Penyelenggaraan Program Jaminan Kecelakaan Kerja dan Jaminan Kematian",
     NATIONAL, None, D(2015, 7, 1), None, True,
     "facts.md §1.1; berlaku 1 Juli 2015 (migrasi budget 0002)"),
    ("pp82", 20, "Peraturan Pemerintah", "82", 2019,
     "Perubahan atas Peraturan Pemerintah Nomor 44 Tahun 2015 tentang Penyelenggaraan "
     "Program Jaminan Kecelakaan Kerja dan Jaminan Kematian", NATIONAL, "pp44",
     D(2019, 12, 2), None, True, "facts.md §1.1 (ortax.org aturan 25363); makalah sumber"),
    ("pp49", 20, "Peraturan Pemerintah", "49", 2023,
     "Perubahan Kedua atas Peraturan Pemerintah Nomor 44 Tahun 2015 tentang Penyelenggaraan "
     "Program Jaminan Kecelakaan Kerja dan Jaminan Kematian", NATIONAL, "pp44",
     D(2023, 9, 8), None, False,
     "facts.md §1.1 (peraturan.bpk.go.id Details/266186); tanggal penetapan belum dicek"),
    ("perpres109", 30, "Peraturan Presiden", "109", 2013,
     "Penahapan Kepesertaan Program Jaminan Sosial", NATIONAL, None,
     D(2013, 12, 31), None, False, PAPER + UNCHECKED),
    ("permenaker5", 40, "Peraturan Menteri Ketenagakerjaan", "5", 2021,
     "Tata Cara Penyelenggaraan Program Jaminan Kecelakaan Kerja, Jaminan Kematian, dan "
     "Jaminan Hari Tua", NATIONAL, None, D(2021, 12, 31), None, False,
     "facts.md §1.1 (jdih.kemnaker.go.id 21permenaker005); makalah sumber" + UNCHECKED),
    ("permenaker1-2025", 40, "Peraturan Menteri Ketenagakerjaan", "1", 2025,
     "Perubahan atas Peraturan Menteri Ketenagakerjaan Nomor 5 Tahun 2021 tentang Tata Cara "
     "Penyelenggaraan Program Jaminan Kecelakaan Kerja, Jaminan Kematian, dan Jaminan Hari "
     "Tua", NATIONAL, "permenaker5", D(2025, 12, 31), None, False,
     "facts.md §1.1 (jdih.kemnaker.go.id 2025pmnaker001); judul belum dicek" + UNCHECKED),
    ("perda13-2021", 60, "Peraturan Daerah Kabupaten Sijunjung", "13", 2021,
     "Anggaran Pendapatan dan Belanja Daerah Tahun Anggaran 2022", SIJUNJUNG, None,
     D(2022, 1, 1), D(2022, 12, 31), True, PAPER + " (APBD TA 2022: berlaku tahun 2022)"),
    ("perbup42-2021", 70, "Peraturan Bupati Sijunjung", "42", 2021,
     "Penjabaran Anggaran Pendapatan dan Belanja Daerah Tahun Anggaran 2022", SIJUNJUNG,
     None, D(2022, 1, 1), D(2022, 12, 31), True,
     PAPER + " (penjabaran APBD TA 2022: berlaku tahun 2022)"),
    ("inpres2-2021", 80, "Instruksi Presiden", "2", 2021,
     "Optimalisasi Pelaksanaan Program Jaminan Sosial Ketenagakerjaan", NATIONAL, None,
     D(2021, 1, 6), None, True, PAPER),
    ("ingub5-2021", 80, "Instruksi Gubernur Sumatera Barat", "5/INST-2021", 2021,
     "Peningkatan Kepesertaan Program Jaminan Sosial Ketenagakerjaan di Provinsi Sumatera "
     "Barat", SUMBAR, None, D(2021, 12, 31), None, False, PAPER + UNCHECKED),
    ("inbup-2021", 80, "Instruksi Bupati Sijunjung", "560/391.a/Nakertrans-2021", 2021,
     "Peningkatan Kepesertaan Jaminan Sosial Ketenagakerjaan di Kabupaten Sijunjung",
     SIJUNJUNG, None, D(2021, 12, 31), None, False, PAPER + UNCHECKED),
]  # fmt: skip

# The fixed list of the standard texts (migration 0003), now records.
OLD_STANDARD = [
    "Undang-Undang Nomor 40 Tahun 2004 tentang Sistem Jaminan Sosial Nasional",
    "Undang-Undang Nomor 24 Tahun 2011 tentang Badan Penyelenggara Jaminan Sosial",
    "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah sebagaimana telah "
    "beberapa kali diubah, terakhir dengan Undang-Undang Nomor 6 Tahun 2023",
    "Instruksi Presiden Nomor 2 Tahun 2021 tentang Optimalisasi Pelaksanaan Program "
    "Jaminan Sosial Ketenagakerjaan",
]


def seed(apps, schema_editor):
    LegalBasis = apps.get_model("enrollment", "LegalBasis")
    Region = apps.get_model("regions", "Region")
    DecreeSetting = apps.get_model("enrollment", "DecreeSetting")
    known = set(Region.objects.filter(pk__in=[SUMBAR, SIJUNJUNG]).values_list("pk", flat=True))
    made = {}
    for key, kind, form, number, year, title, region, amends, start, end, ok, src in ROWS:
        if region is not None and region not in known:
            continue
        made[key], _ = LegalBasis.objects.get_or_create(
            kind=kind,
            form=form,
            number=number,
            year=year,
            defaults={
                "title": title,
                "region_id": region,
                "amends": made.get(amends),
                "in_force_from": start,
                "in_force_until": end,
                "confirmed": ok,
                "source": src,
            },
        )
    for setting in DecreeSetting.objects.filter(region__isnull=True):
        setting.legal_bases = [b for b in setting.legal_bases if b not in OLD_STANDARD]
        setting.save(update_fields=["legal_bases"])


def unseed(apps, schema_editor):
    LegalBasis = apps.get_model("enrollment", "LegalBasis")
    for _key, kind, form, number, year, *_rest in reversed(ROWS):
        LegalBasis.objects.filter(kind=kind, form=form, number=number, year=year).delete()
    DecreeSetting = apps.get_model("enrollment", "DecreeSetting")
    for setting in DecreeSetting.objects.filter(region__isnull=True):
        setting.legal_bases = [*OLD_STANDARD, *setting.legal_bases]
        setting.save(update_fields=["legal_bases"])


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0006_legal_basis_records"),
        ("regions", "0002_load_kemendagri_2025"),
    ]
    operations = [migrations.RunPython(seed, unseed)]

"""Seed the occupation reference list: the seed paper's groups plus common informal work.

Aliases are lower-case spellings seen in proposal files. Admins can edit the list later;
reversing deletes only the rows added here.
"""

from django.db import migrations

OCCUPATIONS = [
    # code, name, aliases
    ("petani", "Petani", ["tani", "petani sawah", "petani padi", "bertani"]),
    ("pekebun", "Pekebun", ["petani kebun", "petani karet", "petani sawit", "berkebun"]),
    ("peternak", "Peternak", ["ternak", "beternak"]),
    ("nelayan", "Nelayan", ["nelayan sungai", "penangkap ikan"]),
    ("pedagang_kaki_lima", "Pedagang kaki lima",
     ["pkl", "pedagang", "pedagang keliling", "pedagang kecil", "berdagang", "dagang"]),
    ("guru_tpq", "Guru TPQ/TPSQ",
     ["guru tpq", "guru tpsq", "guru tpa", "guru mengaji", "guru ngaji", "ustadz tpq",
      "guru mdta", "guru tpq/tpsq"]),
    ("imam", "Imam", ["imam masjid", "imam surau", "imam nagari"]),
    ("khatib", "Khatib", ["khatib jumat", "khatib nagari"]),
    ("garin", "Garin", ["marbot", "marbut", "penjaga masjid", "garin masjid"]),
    ("buruh_harian", "Buruh harian lepas", ["buruh", "buruh harian", "bhl", "buruh tani"]),
    ("tukang_ojek", "Tukang ojek", ["ojek", "ojek pangkalan", "pengojek"]),
    ("sopir", "Sopir", ["supir", "sopir angkot", "driver"]),
    ("tukang", "Tukang bangunan", ["tukang", "tukang kayu", "tukang batu"]),
    ("penambang", "Penambang rakyat", ["penambang", "pendulang emas", "tambang"]),
    ("pengrajin", "Pengrajin", ["perajin", "pengrajin songket", "kerajinan"]),
    ("asisten_rumah_tangga", "Asisten rumah tangga", ["art", "pembantu rumah tangga"]),
    ("lainnya", "Pekerja informal lainnya", ["lainnya", "lain-lain", "wiraswasta"]),
]


def seed(apps, schema_editor):
    Occupation = apps.get_model("registry", "Occupation")
    Occupation.objects.using(schema_editor.connection.alias).bulk_create(
        [Occupation(code=code, name=name, aliases=aliases, sort_order=i * 10)
         for i, (code, name, aliases) in enumerate(OCCUPATIONS, start=1)]
    )


def unseed(apps, schema_editor):
    Occupation = apps.get_model("registry", "Occupation")
    Occupation.objects.using(schema_editor.connection.alias).filter(
        code__in=[code for code, _, _ in OCCUPATIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

"""English is complete (issue 9, "Readable"): every wrapped string has its English text,
every string shown to people is wrapped, and key pages read in English.

When one of these fails after new strings were added: run ``make messages``, translate
the new entries in src/jamsos/locale/en/LC_MESSAGES/django.po, run ``make messages``
again (it compiles the .mo) and commit both files.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil

import pytest
from django.urls import reverse

from jamsos.lib.i18n_check import (
    EN_PO,
    LOCALE_DIR,
    po_missing,
    po_parse,
    po_untranslated,
    template_untranslated_text,
)

HOW_TO_FIX = (
    "\nRefresh with `make messages`, translate the entries in "
    "src/jamsos/locale/en/LC_MESSAGES/django.po, then `make messages` again to compile."
)


def _report(title: str, items: list[str]) -> str:
    return f"{title} ({len(items)}):\n  " + "\n  ".join(items) + HOW_TO_FIX


def test_every_english_msgid_has_a_translation_and_none_is_fuzzy():
    problems = po_untranslated(EN_PO)
    assert not problems, _report("Untranslated or fuzzy entries in locale/en", problems)


@pytest.mark.skipif(
    not shutil.which("xgettext") and not os.environ.get("CI"),
    reason="GNU gettext (xgettext) not installed (apt-get install gettext); CI installs it",
)
def test_the_catalogue_holds_every_string_the_source_wraps():
    missing = po_missing(EN_PO)
    assert not missing, _report("Wrapped strings missing from locale/en django.po", missing)


def test_the_compiled_catalogue_matches_the_po_file():
    # The .mo is committed (a fresh clone needs no gettext to run): it must not lag.
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in po_parse(EN_PO.read_text(encoding="utf-8")):
        if entry.obsolete or not entry.msgid or "fuzzy" in entry.flags:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if catalog.get(key) != entry.msgstr.get(0):
                stale.append(entry.label())
        elif catalog.get((key, 0)) != entry.msgstr.get(0):
            stale.append(entry.label())
    assert not stale, _report("django.mo differs from django.po; recompile", stale)


def test_templates_show_no_text_outside_translate_tags():
    found = template_untranslated_text()
    assert not found, (
        f"Template text outside {{% translate %}}/{{% blocktranslate %}} ({len(found)}):\n  "
        + "\n  ".join(found)
        + "\nWrap it, or add a brand/symbol to ALLOWED_WORDS in jamsos/lib/i18n_check.py."
    )


def test_the_template_check_catches_unwrapped_text(tmp_path):
    """The check itself: a bare word, an attribute people read, a tag-split sentence and a
    literal filter argument are caught; translated text, variables, code samples, date
    formats and capitals are not."""
    app = tmp_path / "demoapp" / "templates" / "demoapp"
    app.mkdir(parents=True)
    (app / "page.html").write_text(
        "{% load i18n %}<h1>{% translate 'Judul' %}</h1>\n"
        '<p title="Petunjuk">{{ value }} NIK · Rp</p>\n'
        "<p>{% blocktranslate %}Halo {{ name }}{% endblocktranslate %}</p>\n"
        "<code>Authorization: Bearer</code>\n"
        "<td>Belum ada {{ thing }}</td>\n"
        "{# Komentar tidak dibaca #}{% comment %}juga tidak{% endcomment %}\n"
        '<td>{{ a|default:"Draf" }} {{ b|default:_("Draf") }} {{ c|date:"j M Y" }}</td>\n',
        encoding="utf-8",
    )
    found = template_untranslated_text(tmp_path)
    assert found == [
        "demoapp/templates/demoapp/page.html:2: Petunjuk",
        "demoapp/templates/demoapp/page.html:5: Belum ada …",
        "demoapp/templates/demoapp/page.html:7: …Draf… … …",
    ]


def test_the_po_check_reports_empty_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: a.py:1\nmsgid "Simpan"\nmsgstr "Save"\n\n'
        '#: b.py:2\nmsgid "Hapus"\nmsgstr ""\n\n'
        '#: c.py:3\n#, fuzzy\nmsgid "Ubah"\nmsgstr "Change"\n\n'
        'msgid "%(n)s orang"\nmsgid_plural "%(n)s orang"\nmsgstr[0] "%(n)s person"\n'
        'msgstr[1] ""\n',
        encoding="utf-8",
    )
    assert po_untranslated(po) == [
        "no msgstr: 'Hapus' (b.py:2)",
        "fuzzy: 'Ubah' (c.py:3)",
        "no msgstr: '%(n)s orang'",
    ]


# Words of the Indonesian interface that do not come from data: agency and region names
# ("Kantor Camat", "Kabupaten Sijunjung"), regulation rows' legal notes and the column
# headings an office's spreadsheet uses ("Nama", "Tanggal Lahir") stay Indonesian.
INDONESIAN = re.compile(
    r"\b(Beranda|Keluar|Simpan|Cari|Semua|Belum ada|Tahun anggaran|Sumber dana|Tagihan|"
    r"Usulan|Peserta|Klaim|Pengguna|Halaman|Unduh|Berikutnya|Sebelumnya|Terapkan|Tambah|"
    r"Buat|Kembali|Menunggu|Disetujui|Ditolak|Lihat)\b"
)

# (persona, url name) of the pages each role lives on.
PAGES = [
    ("dinas_operator", "web:home"),
    ("dinas_operator", "registry:person_list"),
    ("dinas_operator", "intake:batch_list"),
    ("dinas_operator", "intake:batch_upload"),
    ("dinas_operator", "intake:person_propose"),
    ("dinas_operator", "budget:year_list"),
    ("dinas_operator", "budget:rate_list"),
    ("dinas_operator", "budget:estimate"),
    ("dinas_operator", "enrollment:decree_list"),
    ("dinas_operator", "enrollment:membership_list"),
    ("dinas_operator", "enrollment:renewal_list"),
    ("dinas_operator", "contributions:bill_list"),
    ("dinas_operator", "contributions:transparency"),
    ("dinas_operator", "contributions:arrears"),
    ("dinas_operator", "claims:claim_list"),
    ("dinas_operator", "claims:claim_report"),
    ("dinas_operator", "claims:dashboard"),
    ("dinas_operator", "claims:rules"),
    ("dinas_operator", "regions:nik_check"),
    ("agent", "web:home"),
    ("admin", "accounts:user_list"),
    ("admin", "accounts:agency_list"),
    ("admin", "audit:event_list"),
    ("admin", "accounts:profile"),
]


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(("persona", "url_name"), PAGES)
def test_key_pages_read_in_english(client, personas, persona, url_name):
    client.force_login(getattr(personas, persona))
    client.cookies["django_language"] = "en"
    resp = client.get(reverse(url_name))
    assert resp.status_code == 200, url_name
    assert resp["Content-Language"] == "en"
    found = sorted(set(INDONESIAN.findall(_visible_text(resp.content.decode()))))
    assert not found, f"{url_name} as {persona} shows Indonesian words in English: {found}"


def test_the_english_check_sees_indonesian(client, personas):
    """The same page in Indonesian trips the check (so the English test can fail)."""
    client.force_login(personas.dinas_operator)
    resp = client.get(reverse("budget:year_list"))
    assert INDONESIAN.findall(_visible_text(resp.content.decode()))

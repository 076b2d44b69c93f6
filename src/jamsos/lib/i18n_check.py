"""Checks that the English translation is complete (issue 9, "English is complete").

Three questions, each answered with the exact msgids or template lines at fault:
- `po_untranslated`: which msgids of a .po have no msgstr, or a fuzzy one;
- `po_missing`: which msgids the source wraps that the committed .po lacks
  (runs ``makemessages`` into a temporary copy of the package's locale folder);
- `template_untranslated_text`: which template lines show letters to people outside
  ``{% translate %}``/``{% blocktranslate %}`` (text nodes and the attributes people
  read: title, placeholder, aria-label, alt).

Refresh the catalogue with ``make messages`` (``scripts/messages.sh``), translate the
new entries in src/jamsos/locale/en/LC_MESSAGES/django.po, and run ``make messages``
again to compile the .mo.
"""

from __future__ import annotations

import ast
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE_DIR / "locale"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

# Words that read the same in both languages: the brand, the currency, "No." of a list.
# Words in capitals (NIK, KPJ, SK, JKK, BPJS, APBD, …) are abbreviations, kept as they are.
ALLOWED_WORDS = frozenset({"Jamsos", "Rp", "No", "jms"})
READ_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})
_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTINEL = "\x1a"
# Code people copy (an HTTP header, a token prefix) and scripts are not prose.
_RAW_TAGS = frozenset({"script", "style", "code", "kbd", "samp", "pre"})


# --- .po files ---------------------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def label(self) -> str:
        where = f" ({', '.join(self.references[:2])})" if self.references else ""
        ctx = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"{ctx}{self.msgid!r}{where}"


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def po_parse(text: str) -> list[PoEntry]:  # noqa: C901 (one pass over a line format)
    """The entries of a .po file (header included, msgid "")."""
    entries: list[PoEntry] = []
    cur: PoEntry | None = None
    flags: set[str] = set()
    refs: list[str] = []
    target: tuple[str, int | None] | None = None
    fields: dict = {}

    def flush():
        nonlocal cur, fields
        if "msgid" in fields:
            cur = PoEntry(
                msgid=fields["msgid"],
                msgctxt=fields.get("msgctxt"),
                msgid_plural=fields.get("msgid_plural"),
                msgstr=fields.get("msgstr", {}),
                flags=set(flags),
                references=list(refs),
                obsolete=fields.get("obsolete", False),
            )
            entries.append(cur)
        fields = {}
        flags.clear()
        refs.clear()

    for raw in text.splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            flush()
            target = None
            continue
        if line.startswith("#,"):
            if "msgid" in fields:
                flush()
            flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#:"):
            if "msgid" in fields:
                flush()
            refs.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        if obsolete:
            fields["obsolete"] = True
        m = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if m:
            name, index, value = m.group(1), m.group(2), _unquote(m.group(3))
            if name in ("msgctxt", "msgid") and "msgid" in fields and name == "msgctxt":
                flush()
            if name == "msgid" and "msgid" in fields:
                flush()
            if name == "msgstr":
                fields.setdefault("msgstr", {})[int(index or 0)] = value
                target = ("msgstr", int(index or 0))
            else:
                fields[name] = value
                target = (name, None)
        elif line.startswith('"') and target:
            name, index = target
            if name == "msgstr":
                fields["msgstr"][index] += _unquote(line)
            else:
                fields[name] += _unquote(line)
    flush()
    return entries


def po_untranslated(path: Path = EN_PO) -> list[str]:
    """msgids of the file with an empty msgstr (any plural form) or a fuzzy flag."""
    out = []
    for e in po_parse(path.read_text(encoding="utf-8")):
        if e.obsolete or e.msgid == "":
            continue
        if "fuzzy" in e.flags:
            out.append(f"fuzzy: {e.label()}")
        elif not e.msgstr or any(not s for s in e.msgstr.values()):
            out.append(f"no msgstr: {e.label()}")
    return out


def po_extract(language: str = "en") -> list[PoEntry]:
    """The entries ``makemessages`` extracts from the source now (needs GNU gettext)."""
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "jamsos"
        shutil.copytree(
            PACKAGE_DIR,
            work,
            # Only what makemessages reads: Python modules and templates.
            ignore=shutil.ignore_patterns(
                "__pycache__", "tests", "migrations", "static", "var", "*.mo", "*.csv*", "*.md"
            ),
        )
        # Start from an empty catalogue so that only what the source wraps comes out.
        po = work / "locale" / language / "LC_MESSAGES" / "django.po"
        po.unlink(missing_ok=True)
        from django.conf import settings

        old = list(settings.LOCALE_PATHS)
        settings.LOCALE_PATHS = [work / "locale"]
        import os

        cwd = os.getcwd()
        os.chdir(work)
        try:
            call_command("makemessages", locale=[language], verbosity=0, no_obsolete=True)
        finally:
            os.chdir(cwd)
            settings.LOCALE_PATHS = old
        return [e for e in po_parse(po.read_text(encoding="utf-8")) if e.msgid]


def po_missing(path: Path = EN_PO) -> list[str]:
    """msgids wrapped in the source that the committed .po lacks."""
    have = {e.key for e in po_parse(path.read_text(encoding="utf-8")) if not e.obsolete}
    return [e.label() for e in po_extract() if e.key not in have]


# --- templates ---------------------------------------------------------------------


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw = 0  # inside <script>/<style>

    def _check(self, text: str):
        words = [
            w
            for w in _WORD.findall(text.replace(_SENTINEL, " "))
            if w not in ALLOWED_WORDS and not w.isupper()
        ]
        if words:
            self.found.append((self.getpos()[0], " ".join(text.replace(_SENTINEL, "…").split())))

    def handle_starttag(self, tag, attrs):
        if tag in _RAW_TAGS:
            self._raw += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in _RAW_TAGS and self._raw:
            self._raw -= 1

    def handle_data(self, data):
        if not self._raw:
            self._check(data)


# A string literal inside {{ … }} (``default:"Draf"``, ``yesno:"ya,tidak"``) is shown to
# people unless it is wrapped as ``_("…")``; date/time formats and json_script element ids
# are not text.
_VAR_LITERAL = re.compile(r"""(?<!_\()(?<!date:)(?<!time:)(?<!json_script:)(["'])(.*?)\1""")


def _var_literals(contents: str) -> list[str]:
    return [
        text
        for _quote, text in _VAR_LITERAL.findall(contents)
        if any(not w.isupper() and w not in ALLOWED_WORDS for w in _WORD.findall(text))
    ]


def _flatten(source: str) -> str:
    """The template with every tag, variable and translated text replaced by a sentinel
    (newlines kept, so line numbers stay)."""
    parts: list[str] = []
    in_trans = in_comment = False
    for tok in Lexer(source).tokenize():
        if tok.token_type == TokenType.BLOCK:
            name = tok.contents.split()[0] if tok.contents else ""
            if name in ("blocktranslate", "blocktrans"):
                in_trans = True
            elif name in ("endblocktranslate", "endblocktrans"):
                in_trans = False
            elif name == "comment":
                in_comment = True
            elif name == "endcomment":
                in_comment = False
            parts.append(_SENTINEL + "\n" * tok.contents.count("\n"))
        elif tok.token_type == TokenType.TEXT and not (in_trans or in_comment):
            parts.append(tok.contents)
        elif tok.token_type == TokenType.VAR and not in_comment and _var_literals(tok.contents):
            shown = " ".join(_var_literals(tok.contents))
            parts.append(f"{_SENTINEL}{shown}{_SENTINEL}" + "\n" * tok.contents.count("\n"))
        else:
            parts.append(_SENTINEL + "\n" * tok.contents.count("\n"))
    return "".join(parts)


def template_untranslated_text(root: Path = PACKAGE_DIR) -> list[str]:
    """``path:line: text`` for every text a person reads outside translate tags."""
    out = []
    for path in sorted(root.glob("*/templates/**/*.html")):
        finder = _TextFinder()
        finder.feed(_flatten(path.read_text(encoding="utf-8")))
        finder.close()
        rel = path.relative_to(root)
        out.extend(f"{rel}:{line}: {text}" for line, text in finder.found)
    return out

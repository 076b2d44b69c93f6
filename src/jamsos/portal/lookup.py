"""The public membership check: NIK + full name as on the KTP (design-governance.md §4.3).

Design goals:
- Two factors: the NIK alone (which can be walked) answers nothing; the name must match,
  forgivingly (case, spaces, titles such as H., Hj., Dr., S.Pd, and
  ``PORTAL_NAME_MAX_TYPOS`` typos by edit distance for names long enough).
- Uniform answers: "not registered" and "does not match" both return ``None``, after the
  same work: one query by NIK, one name comparison (against a fixed stand-in name when no
  person has that NIK).
- Minimal disclosure: a match gives only the masked name, the programme status, the
  coverage months, the funder and the nagari. Never the NIK, KPJ, birth date, address,
  phone, heirs, claims or agent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rapidfuzz.distance import Levenshtein

from jamsos.enrollment.models import Decree, DecreeLine, Membership
from jamsos.lib.formats import bulan
from jamsos.lib.names import name_key
from jamsos.registry.models import Person

# Titles and degrees written before or after a name on a KTP or by its owner; compared
# without dots and case ("S.Pd.I" → "spdi").
TITLES = frozenset(
    {
        "h", "hj", "haji", "hajjah", "dr", "drs", "dra", "ir", "prof", "st", "amd", "amkep",
        "spd", "spdi", "sag", "sse", "se", "sh", "shi", "sip", "skm", "sked", "skom", "sos",
        "ssos", "spt", "sp", "ssi", "ssit", "stp", "mpd", "mpdi", "msi", "mm", "mh", "mag",
        "ma", "mt", "mkes", "ners", "bsc", "ba", "dt", "datuak", "datuk", "tgk", "kh", "ustadz",
    }
)  # fmt: skip
_TOKEN = re.compile(r"[^\s,]+")
# Compared with a name no NIK has, so that "no such NIK" does the same work as a mismatch.
_STAND_IN_NAME = "Nama Pembanding Tetap Untuk Waktu Yang Sama"


def match_key(raw: str) -> str:
    """``"Hj. SITI  Nurhaliza, S.Pd"`` → ``"siti nurhaliza"``: titles and degrees dropped
    (with or without dots), then the registry's own ``name_key``."""
    kept = []
    for token in _TOKEN.findall(raw or ""):
        bare = token.replace(".", "").lower()
        if bare in TITLES:
            continue
        kept.append(token.strip("."))
    return name_key(" ".join(kept))


def names_match(given: str, registered: str) -> bool:
    """Same key, or within ``PORTAL_NAME_MAX_TYPOS`` edits (spaces ignored) when the
    registered name is long enough for a typo not to make any short name match."""
    a, b = match_key(given), match_key(registered)
    if not a or not b:
        return False
    a_bare, b_bare = a.replace(" ", ""), b.replace(" ", "")
    typos = settings.PORTAL_NAME_MAX_TYPOS
    if len(b_bare) < settings.PORTAL_NAME_TYPO_MIN_LENGTH:
        typos = 0
    return Levenshtein.distance(a_bare, b_bare, score_cutoff=typos + 1) <= typos


def mask_name(name: str) -> str:
    """``"Siti Nurhaliza"`` → ``"S*** N***"``: the first letter of each word, a fixed
    number of stars (the length of a name is not shown either)."""
    return " ".join(f"{word[0]}***" for word in name.split() if word)


@dataclass(frozen=True)
class LookupAnswer:
    masked_name: str
    status: str  # diusulkan / ditetapkan / aktif / tidak_aktif
    status_label: str
    data_date: dt.date | None
    months: str
    funder: str
    nagari: str


def membership_check(*, nik: str, full_name: str) -> LookupAnswer | None:
    """The answer for a matching NIK and name, else None (unknown NIK or other name)."""
    person = Person.objects.filter(nik=nik).select_related("village").first()
    registered = person.full_name if person is not None else _STAND_IN_NAME
    matched = names_match(full_name, registered)
    if person is None or not matched:
        return None
    return _answer(person)


def _months(first: dt.date | None, last: dt.date | None) -> str:
    if first is None or last is None:
        return ""
    lang = get_language() or "id"
    return f"{bulan(first, lang=lang)} – {bulan(last, lang=lang)}"


def _answer(person: Person) -> LookupAnswer:
    masked = mask_name(person.full_name)
    membership = (
        Membership.objects.filter(person=person)
        .exclude(status=Membership.Status.CANCELLED)
        .select_related("funding_source", "village", "decree_line")
        .order_by("-first_month", "-pk")
        .first()
    )
    if membership is not None:
        return _from_membership(masked, membership)
    line = (
        DecreeLine.objects.filter(
            person=person, action=DecreeLine.Action.ADD, decree__status=Decree.Status.ISSUED
        )
        .select_related("funding_source", "village", "decree")
        .order_by("-first_month", "-pk")
        .first()
    )
    if line is not None and line.bpjs_status != DecreeLine.BpjsStatus.REJECTED:
        return LookupAnswer(
            masked_name=masked,
            status="ditetapkan",
            status_label=_("Ditetapkan dalam SK Bupati, menunggu verifikasi BPJS"),
            data_date=line.decree.decree_date,
            months=_months(line.first_month, line.last_month),
            funder=line.funding_source.name if line.funding_source_id else "",
            nagari=line.village.name,
        )
    return LookupAnswer(
        masked_name=masked,
        status="diusulkan",
        status_label=_("Diusulkan, belum ditetapkan"),
        data_date=None,
        months="",
        funder="",
        nagari=person.village.name if person.village_id else "",
    )


def _from_membership(masked: str, membership: Membership) -> LookupAnswer:
    status = membership.status
    line = membership.decree_line
    bpjs_date = None
    if line is not None and line.bpjs_recorded_at is not None:
        bpjs_date = line.bpjs_recorded_at.date()
    common = {
        "masked_name": masked,
        "months": _months(membership.first_month, membership.last_month),
        "funder": membership.funding_source.name,
        "nagari": membership.village.name,
    }
    if status == Membership.Status.ACTIVE:
        date = max(d for d in (bpjs_date, membership.status_changed_at.date()) if d)
        return LookupAnswer(status="aktif", status_label=_("Aktif"), data_date=date, **common)
    if status == Membership.Status.PENDING:
        return LookupAnswer(
            status="ditetapkan",
            status_label=_("Ditetapkan, menunggu aktif di BPJS"),
            data_date=bpjs_date,
            **common,
        )
    return LookupAnswer(
        status="tidak_aktif",
        status_label=_("Tidak aktif"),
        data_date=membership.status_changed_at.date(),
        **common,
    )

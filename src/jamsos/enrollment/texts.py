"""The words of an SK penetapan: prefilled from data, edited on the draft.

The standard texts (menimbang, mengingat, memutuskan, the title) are rows of
``DecreeSetting``: the standard row (no region, seeded by migration 0003) and a
kabupaten's own row, which overrides it field by field. Texts use ``{placeholders}``
(``PLACEHOLDERS``); an unknown placeholder is left as written, so a typo shows on the
draft instead of failing.

*Mengingat* comes from ``LegalBasis`` records: those in force on the decree's date in its
region, each once with its full title (amendments folded into the regulation they
amend), in the hierarchy of UU 12/2011; then the setting's hand-written additions and
the kabupaten's Perbup. The draft is prefilled for the reservation's first month (or
today, if earlier) and the list is drawn again for the decree's date when it is issued
(``legal_bases_on``), keeping any item written by hand. Rate notes ("iuran JKM BPU Rp
6.800 per bulan") are not legal bases: they go to the lampiran's explanation
(``rate_explanation``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jamsos.accounts.access import ancestor_codes
from jamsos.budget.models import Reservation
from jamsos.enrollment.models import Decree, DecreeSetting, LegalBasis
from jamsos.lib.formats import angka, bulan, rupiah, tanggal
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

PLACEHOLDERS: dict[str, str] = {
    "kabupaten": "nama daerah, mis. Kabupaten Sijunjung",
    "kepala_daerah": "Bupati Sijunjung / Wali Kota …",
    "tahun": "tahun anggaran",
    "tahap": "nama tahap, mis. Tahap I (kosong bila tanpa tahap)",
    "jumlah": "jumlah penerima",
    "mulai": "bulan pertama pertanggungan, mis. Maret 2022",
    "sampai": "bulan terakhir pertanggungan",
    "bulan": "lama pertanggungan (bulan)",
    "iuran": "iuran per orang per bulan",
    "sumber": "sumber dana (pagu)",
    "total": "jumlah anggaran reservasi",
    "judul": "judul SK",
    "sk_diubah": "nomor dan tanggal SK yang diubah (SK perubahan)",
    "perubahan": "ringkasan perubahan (SK perubahan)",
}

# Diktum labels of Indonesian decrees, in order.
DIKTUM = (
    "KESATU",
    "KEDUA",
    "KETIGA",
    "KEEMPAT",
    "KELIMA",
    "KEENAM",
    "KETUJUH",
    "KEDELAPAN",
    "KESEMBILAN",
    "KESEPULUH",
)
LETTERS = "abcdefghijklmnopqrstuvwxyz"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def diktum_label(index: int) -> str:
    return DIKTUM[index] if index < len(DIKTUM) else f"KE-{index + 1}"


def fill(template: str, context: dict[str, str]) -> str:
    """``{name}`` replaced from ``context``; unknown names stay; spaces collapsed."""
    text = _PLACEHOLDER.sub(lambda m: context.get(m[1], m[0]), template)
    return " ".join(text.split())


def head_of_region(region: Region) -> str:
    """ "Bupati Sijunjung" for a kabupaten, "Wali Kota Padang" for a kota."""
    if region.kind == Region.Kind.KOTA:
        return "Wali Kota " + region.name.removeprefix("Kota ").strip()
    return "Bupati " + region.name.removeprefix("Kabupaten ").strip()


def government_of_region(region: Region) -> str:
    """The kop's first line: "PEMERINTAH KABUPATEN SIJUNJUNG"."""
    name = region.name
    if region.kind == Region.Kind.KABUPATEN and not name.lower().startswith("kabupaten"):
        name = "Kabupaten " + name
    if region.kind == Region.Kind.KOTA and not name.lower().startswith("kota"):
        name = "Kota " + name
    return f"PEMERINTAH {name}".upper()


@dataclass(frozen=True)
class ResolvedSetting:
    place: str
    signer_title: str
    signer_name: str
    number_format: str
    title_template: str
    perbup: str
    considerations: tuple[str, ...]
    legal_bases: tuple[str, ...]
    decisions: tuple[str, ...]
    amendment_considerations: tuple[str, ...]
    amendment_decisions: tuple[str, ...]


def decree_setting_resolve(region: Region) -> ResolvedSetting:
    """The kabupaten's own setting over the standard row (two rows, one query)."""
    rows = {
        row.region_id: row
        for row in DecreeSetting.objects.filter(region__isnull=True)
        | DecreeSetting.objects.filter(region=region)
    }
    own, standard = rows.get(region.pk), rows.get(None)

    def pick(name: str, default: Any) -> Any:
        for row in (own, standard):
            value = getattr(row, name, None) if row is not None else None
            if value:
                return value
        return default

    return ResolvedSetting(
        place=pick("place", region.name.removeprefix("Kabupaten ").removeprefix("Kota ")),
        signer_title=pick("signer_title", head_of_region(region).upper()),
        signer_name=pick("signer_name", ""),
        number_format=pick("number_format", ""),
        title_template=pick("title_template", "Penetapan Penerima {tahap} Tahun {tahun}"),
        perbup=pick("perbup", ""),
        considerations=tuple(pick("considerations", [])),
        legal_bases=tuple(pick("legal_bases", [])),
        decisions=tuple(pick("decisions", [])),
        amendment_considerations=tuple(pick("amendment_considerations", [])),
        amendment_decisions=tuple(pick("amendment_decisions", [])),
    )


@dataclass
class DecreeTexts:
    title: str
    place: str
    signer_title: str
    signer_name: str
    considerations: list[str] = field(default_factory=list)
    legal_bases: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        text = " ".join(str(item).split())
        if text and text.lower() not in {k.lower() for k in seen}:
            seen[text] = None
    return list(seen)


def reservation_context(*, reservation: Reservation, persons: int) -> dict[str, str]:
    """Placeholder values from a reservation (money and months as frozen there)."""
    fiscal_year = reservation.allocation.fiscal_year
    region = fiscal_year.region
    first = Month.from_date(reservation.first_month)
    last = Month.from_date(reservation.last_month)
    per_person_total = sum(
        line["per_person_month"] * line["months"] for line in reservation.estimate["periods"]
    )
    monthly = reservation.per_person_month
    return {
        "kabupaten": region.name,
        "kepala_daerah": head_of_region(region),
        "tahun": str(fiscal_year.year),
        "tahap": reservation.phase.name if reservation.phase_id else "",
        "jumlah": angka(persons),
        "mulai": bulan(str(first)),
        "sampai": bulan(str(last)),
        "bulan": str(reservation.months),
        "iuran": rupiah(monthly) if monthly else "sesuai tarif yang berlaku",
        "sumber": f"{reservation.allocation.source.name} ({reservation.allocation.name})",
        "total": rupiah(per_person_total * persons),
    }


def decree_texts_prefill(*, reservation: Reservation, persons: int, title: str = "") -> DecreeTexts:
    """The draft's title, place, signer, menimbang, mengingat and memutuskan."""
    region = reservation.allocation.fiscal_year.region
    setting = decree_setting_resolve(region)
    context = reservation_context(reservation=reservation, persons=persons)
    title = " ".join(title.split()) or fill(setting.title_template, context)
    context["judul"] = title
    on = min(timezone.localdate(), reservation.first_month)
    legal = [
        *legal_basis_citations(region=region, on=on),
        *setting.legal_bases,
        *([setting.perbup] if setting.perbup else []),
    ]
    return DecreeTexts(
        title=title,
        place=setting.place,
        signer_title=setting.signer_title,
        signer_name=setting.signer_name,
        considerations=[fill(t, context) for t in setting.considerations],
        legal_bases=[fill(t, context) for t in _unique(legal)],
        decisions=[fill(t, context) for t in setting.decisions],
    )


# --- Mengingat from records ------------------------------------------------------------------


def _number_key(number: str) -> tuple[int, str]:
    head = number.split("/")[0]
    return (int(head), number) if head.isdigit() else (10**9, number)


def _region_depth(row: LegalBasis) -> int:
    return 0 if row.region_id is None else row.region_id.count(".") + 1


def _citation(base: LegalBasis, amendments: list[LegalBasis]) -> str:
    """UU 12/2011 Lampiran II style: the base with its full title, then its amendments."""
    text = base.short_name()
    if len(amendments) == 1:
        text += f" sebagaimana telah diubah dengan {amendments[0].short_name()}"
    elif amendments:
        text += (
            " sebagaimana telah beberapa kali diubah, terakhir dengan "
            f"{amendments[-1].short_name()}"
        )
    return text


def _region_rows(region: Region) -> list[LegalBasis]:
    codes = [region.code, *ancestor_codes(region.code)]
    return list(LegalBasis.objects.filter(Q(region__isnull=True) | Q(region_id__in=codes)))


def _order(rows: Iterable[LegalBasis]) -> list[LegalBasis]:
    return sorted(
        rows, key=lambda r: (r.kind, _region_depth(r), r.year, _number_key(r.number), r.pk)
    )


def legal_basis_citations(*, region: Region, on: dt.date) -> list[str]:
    """The *Mengingat* items for a decree of ``region`` dated ``on`` (one query)."""
    rows = [row for row in _region_rows(region) if row.in_force_on(on)]
    by_pk = {row.pk: row for row in rows}
    amendments: dict[int, list[LegalBasis]] = defaultdict(list)
    for row in rows:
        if row.amends_id is not None and row.amends_id in by_pk:
            amendments[row.amends_id].append(row)
    bases = [row for row in rows if row.amends_id is None]
    return [
        _citation(base, sorted(amendments[base.pk], key=lambda a: (a.in_force_from, a.pk)))
        for base in _order(bases)
    ]


def _citation_variants(region: Region) -> set[str]:
    """Every text a record of the region can be cited as, whatever the date (lowercase)."""
    rows = _region_rows(region)
    amendments: dict[int, list[LegalBasis]] = defaultdict(list)
    for row in rows:
        if row.amends_id is not None:
            amendments[row.amends_id].append(row)
    variants = set()
    for base in rows:
        if base.amends_id is not None:
            continue
        chain = sorted(amendments[base.pk], key=lambda a: (a.in_force_from, a.pk))
        for n in range(len(chain) + 1):
            variants.add(_citation(base, chain[:n]).lower())
    return variants


def legal_bases_on(*, decree: Decree, on: dt.date) -> list[str]:
    """The decree's *Mengingat* for its date: the records in force on ``on``, then every
    item of the draft that no record produced (written by hand, or the amended decree)."""
    variants = _citation_variants(decree.region)
    extras = [item for item in decree.legal_bases if item.strip().lower() not in variants]
    return _unique([*legal_basis_citations(region=decree.region, on=on), *extras])


def rate_explanation(reservation: Reservation | None) -> list[str]:
    """The lampiran's explanation of the money: the monthly contribution and the rate rows
    (with their legal basis) the reservation was costed with."""
    if reservation is None:
        return []
    estimate = reservation.estimate or {}
    lines = []
    if reservation.per_person_month:
        first = bulan(str(Month.from_date(reservation.first_month)))
        lines.append(
            f"Iuran JKK dan JKM per orang per bulan {rupiah(reservation.per_person_month)}, "
            f"untuk {reservation.months} bulan mulai {first}."
        )
    lines += [str(item) for item in _unique(estimate.get("legal_basis", []))]
    return lines


def amendment_texts_prefill(
    *, amended: Decree, reservation: Reservation, persons: int, summary: str
) -> DecreeTexts:
    """An amending decree's texts: the amended decree's bases, amendment decisions."""
    region = reservation.allocation.fiscal_year.region
    setting = decree_setting_resolve(region)
    context = reservation_context(reservation=reservation, persons=persons)
    amended_ref = f"{amended.number} tanggal {tanggal(amended.decree_date)}"
    head = context["kepala_daerah"]
    title = f"Perubahan atas Keputusan {head} Nomor {amended.number} tentang {amended.title}"
    context |= {"judul": title, "sk_diubah": amended_ref, "perubahan": summary}
    considerations = [fill(t, context) for t in setting.amendment_considerations]
    legal = _unique(
        [*amended.legal_bases, f"Keputusan {context['kepala_daerah']} Nomor {amended_ref}"]
    )
    return DecreeTexts(
        title=title,
        place=amended.place or setting.place,
        signer_title=amended.signer_title or setting.signer_title,
        signer_name=amended.signer_name or setting.signer_name,
        considerations=considerations,
        legal_bases=legal,
        decisions=[fill(t, context) for t in setting.amendment_decisions],
    )


def number_suggest(*, region: Region, year: int) -> str:
    """The next number from the kabupaten's pattern (``{seq}``, ``{year}``), or ""."""
    pattern = decree_setting_resolve(region).number_format
    if not pattern or "{seq}" not in pattern:
        return ""
    used = Decree.objects.filter(region=region, decree_date__year=year).exclude(number="").count()
    return pattern.replace("{year}", str(year)).replace("{seq}", str(used + 1))

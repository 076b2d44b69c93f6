"""The yearly annex tables for the LKPJ, LPPD and LKjIP (design-governance §3.2): for each
indicator the target, the realisation, the achievement (% capaian = realisation ÷ target)
and last year's realisation.

Indicators and their definitions (docs/reports.md "Lampiran tahunan"):

- **Peserta**: active members at the year's end (December; this month for the running
  year) from ``MonthlyFigure``; target = the eligible denominator (``EligibleTarget``,
  Satu Data 06.02.021), so % capaian is the coverage. Per kecamatan and in total.
- **Anggaran APBD**: approved allocations of the year per funding-source kind: pagu
  (target) and paid (``Allocation.paid_amount``, realisation); the APBD total is APBD +
  APBD-P + pokir (the regency's own budget).
- **Nagari bergabung**: nagari with at least one active member paid by their own APB
  Nagari at the year's end; target = every nagari of the area ("1 Nagari 100 orang"),
  plus those meeting the minimum in force.
- **Klaim dibayar**: JKK and JKM (scholarship included) claims paid in the year, count
  and amount by payout date; there is no target, so % capaian is empty ("—").

Nothing here names a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext

from jamsos.budget.models import Allocation, FundingSource
from jamsos.regions.models import Region
from jamsos.reports import selectors
from jamsos.reports.models import MonthlyFigure

APBD_KINDS = (FundingSource.Kind.APBD, FundingSource.Kind.APBD_P, FundingSource.Kind.POKIR)


def capaian(realisation: int | None, target: int | None) -> float | None:
    """Realisation ÷ target as a ratio (0.2772 → "27,7 %"); None without a target."""
    if not target or realisation is None:
        return None
    return round(realisation / target, 4)


@dataclass
class YearFigures:
    """One year's realisations, the inputs of every annex table."""

    year: int
    month: int
    coverage: Any  # selectors.Coverage by child area
    nagari: Any  # selectors.Coverage by village
    money: dict[str, tuple[int, int]]  # kind -> (pagu, paid)
    claims: dict[str, int]  # jkk, jkk_amount, jkm, jkm_amount

    @property
    def joined(self) -> int:
        return sum(1 for a in self.nagari.areas if a.nagari_funded_active > 0)

    @property
    def meeting_minimum(self) -> int:
        return sum(
            1
            for a in self.nagari.areas
            if a.nagari_minimum is not None and a.nagari_funded_active >= a.nagari_minimum
        )

    def apbd(self) -> tuple[int, int]:
        pagu = sum(self.money.get(k, (0, 0))[0] for k in APBD_KINDS)
        paid = sum(self.money.get(k, (0, 0))[1] for k in APBD_KINDS)
        return pagu, paid


def year_figures(*, region: Region, year: int) -> YearFigures:
    month = selectors.default_month(year)
    coverage = selectors.coverage_areas(region=region, year=year, month=month)
    nagari = selectors.coverage_areas(region=region, year=year, month=month, by="villages")
    rows = (
        Allocation.objects.filter(
            fiscal_year__region_id=region.code[:5],
            fiscal_year__year=year,
            status=Allocation.Status.APPROVED,
        )
        .values("source__kind")
        .annotate(pagu=Sum("pagu"), paid=Sum("paid_amount"))
        .order_by()
    )
    money = {r["source__kind"]: (int(r["pagu"] or 0), int(r["paid"] or 0)) for r in rows}
    claims = MonthlyFigure.objects.filter(selectors.figures_in(region), month__year=year).aggregate(
        jkk=Sum("jkk_claims", default=0),
        jkk_amount=Sum("jkk_amount", default=0),
        jkm=Sum("jkm_claims", default=0),
        jkm_amount=Sum("jkm_amount", default=0),
    )
    return YearFigures(
        year=year,
        month=month,
        coverage=coverage,
        nagari=nagari,
        money=money,
        claims={k: int(v) for k, v in claims.items()},
    )


def _headers(first: str) -> list[str]:
    return [
        first,
        gettext("Target"),
        gettext("Realisasi"),
        gettext("Capaian (persen)"),
        gettext("Realisasi tahun lalu"),
    ]


def annex_tables(*, region: Region, year: int) -> list[tuple[str, list[list[Any]]]]:
    """The annex as (heading, rows) tables; first row of each = headers. Cells are plain
    numbers (ratios as floats), formatted by the PDF/xlsx writers."""
    now = year_figures(region=region, year=year)
    before = year_figures(region=region, year=year - 1)
    kind_label = dict(FundingSource.Kind.choices)

    pagu, paid = now.apbd()
    _pagu_prev, paid_prev = before.apbd()
    n_nagari = len(now.nagari.areas)
    claims_now = now.claims["jkk"] + now.claims["jkm"]
    claims_prev = before.claims["jkk"] + before.claims["jkm"]
    amount_now = now.claims["jkk_amount"] + now.claims["jkm_amount"]
    amount_prev = before.claims["jkk_amount"] + before.claims["jkm_amount"]
    summary: list[list[Any]] = [
        [
            gettext("Indikator"),
            gettext("Satuan"),
            gettext("Target"),
            gettext("Realisasi"),
            gettext("Capaian (persen)"),
            gettext("Realisasi tahun lalu"),
        ],
        [
            gettext("Peserta PBPU aktif (JKK dan JKM)"),
            gettext("orang"),
            now.coverage.eligible,
            now.coverage.active,
            capaian(now.coverage.active, now.coverage.eligible),
            before.coverage.active,
        ],
        [
            gettext("Realisasi anggaran APBD (APBD, APBD-P, pokir)"),
            gettext("Rp"),
            pagu,
            paid,
            capaian(paid, pagu),
            paid_prev,
        ],
        [
            gettext("Nagari membiayai peserta dari APB Nagari"),
            gettext("nagari"),
            n_nagari,
            now.joined,
            capaian(now.joined, n_nagari),
            before.joined,
        ],
        [
            gettext("Nagari memenuhi 1 Nagari 100 orang"),
            gettext("nagari"),
            n_nagari,
            now.meeting_minimum,
            capaian(now.meeting_minimum, n_nagari),
            before.meeting_minimum,
        ],
        [
            gettext("Klaim JKK dan JKM dibayar"),
            gettext("klaim"),
            None,
            claims_now,
            None,
            claims_prev,
        ],
        [gettext("Manfaat klaim dibayar"), gettext("Rp"), None, amount_now, None, amount_prev],
    ]

    prev_active = {a.code: a.active for a in before.coverage.areas}
    people = [_headers(gettext("Wilayah"))]
    people += [
        [a.name, a.eligible, a.active, capaian(a.active, a.eligible), prev_active.get(a.code, 0)]
        for a in now.coverage.areas
    ]
    people.append(
        [
            gettext("Jumlah"),
            now.coverage.eligible,
            now.coverage.active,
            capaian(now.coverage.active, now.coverage.eligible),
            before.coverage.active,
        ]
    )

    money = [_headers(gettext("Sumber dana"))]
    for kind in FundingSource.Kind.values:
        if kind not in now.money and kind not in before.money:
            continue
        k_pagu, k_paid = now.money.get(kind, (0, 0))
        money.append(
            [
                str(kind_label[kind]),
                k_pagu,
                k_paid,
                capaian(k_paid, k_pagu),
                before.money.get(kind, (0, 0))[1],
            ]
        )
    money.append(
        [gettext("Jumlah APBD (APBD, APBD-P, pokir)"), pagu, paid, capaian(paid, pagu), paid_prev]
    )

    joined_prev: dict[str, int] = {}
    for a in before.nagari.areas:
        joined_prev[a.code] = int(a.nagari_funded_active > 0)
    nagari = [_headers(gettext("Kecamatan"))]
    by_district: dict[str, list[Any]] = {}
    names = {a.code: a.name for a in now.coverage.areas}
    for a in now.nagari.areas:
        key = a.code[:8] if region.level == Region.Level.REGENCY else region.code
        row = by_district.setdefault(key, [names.get(key, region.name), 0, 0, 0])
        row[1] += 1
        row[2] += int(a.nagari_funded_active > 0)
        row[3] += joined_prev.get(a.code, 0)
    for _key, (name, count, joined, prev) in sorted(by_district.items()):
        nagari.append([name, count, joined, capaian(joined, count), prev])
    nagari.append(
        [gettext("Jumlah"), n_nagari, now.joined, capaian(now.joined, n_nagari), before.joined]
    )

    claims = [
        [
            gettext("Jenis klaim"),
            gettext("Klaim dibayar"),
            gettext("Dibayar (Rp)"),
            gettext("Klaim tahun lalu"),
            gettext("Dibayar tahun lalu (Rp)"),
        ],
        [
            "JKK",
            now.claims["jkk"],
            now.claims["jkk_amount"],
            before.claims["jkk"],
            before.claims["jkk_amount"],
        ],
        [
            gettext("JKM (termasuk beasiswa)"),
            now.claims["jkm"],
            now.claims["jkm_amount"],
            before.claims["jkm"],
            before.claims["jkm_amount"],
        ],
        [gettext("Jumlah"), claims_now, amount_now, claims_prev, amount_prev],
    ]
    return [
        (gettext("Ringkasan indikator %(y)s") % {"y": year}, summary),
        (gettext("Peserta aktif per kecamatan"), people),
        (gettext("Anggaran per sumber dana (pagu dan realisasi)"), money),
        (gettext("Nagari bergabung per kecamatan"), nagari),
        (gettext("Klaim dibayar"), claims),
    ]


def annex_notes(*, region: Region, year: int) -> list[str]:
    """The definitions printed under the annex (formula and source of the target)."""
    month = selectors.default_month(year)
    coverage = selectors.coverage_areas(region=region, year=year, month=month)
    notes = [
        gettext("Realisasi peserta dan nagari: keadaan akhir bulan %(m)02d/%(y)s.")
        % {"m": month, "y": year},
        gettext("Capaian = realisasi ÷ target × 100%. Target peserta = sasaran: ")
        + str(selectors.FORMULA),
        gettext("Sumber sasaran: %(s)s")
        % {"s": coverage.source or gettext("belum ada (hanya jumlah)")},
        gettext(
            "Target nagari = seluruh nagari (1 Nagari 100 orang). Klaim tidak bertarget; "
            "dibandingkan dengan tahun lalu, menurut tanggal bayar."
        ),
    ]
    return notes

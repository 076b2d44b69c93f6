"""Open data: the public tables as CSV, each described in the data dictionary page.

Every figure is the one the pages show: counts under PORTAL_SMALL_CELL_MIN are written
as "<5", complementary hidden cells as "x", and the amounts of a hidden count are empty.
Files are UTF-8 with a BOM, ";"-separated (what a spreadsheet in Indonesia opens).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from jamsos.portal import selectors
from jamsos.regions.models import Region


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: Any


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any
    description: Any
    columns: tuple[Column, ...]
    rows: Callable[..., Iterator[list[Any]]]


def _shown(figure: selectors.Figure) -> Any:
    return figure.label if figure.hidden else figure.value


def _coverage_rows(*, regency: Region, year: int) -> Iterator[list[Any]]:
    coverage = selectors.coverage(regency=regency)
    date = coverage.data_date.isoformat() if coverage.data_date else ""
    for row in coverage.rows:
        for village, figure in row.villages:
            yield [
                row.region.code,
                row.region.name,
                village.code,
                village.name,
                _shown(figure),
                date,
            ]


def _contribution_rows(*, regency: Region, year: int) -> Iterator[list[Any]]:
    report = selectors.public_transparency(regency=regency, year=year)
    names = [*report.sources, "Jumlah"]
    for month, cells in report.rows:
        for name, cell in zip(names, cells, strict=True):
            yield [str(month), name, _shown(cell.registered), cell.payable, cell.paid]


def _claim_rows(*, regency: Region, year: int) -> Iterator[list[Any]]:
    claims, _total, _amount = selectors.claims_by_month(regency=regency, year=year)
    for row in claims:
        yield [str(row.month), _shown(row.count), row.amount]


def _budget_rows(*, regency: Region, year: int) -> Iterator[list[Any]]:
    for line in selectors.budget_absorption(regency=regency, year=year):
        absorption = "" if line.absorption is None else f"{line.absorption:.1f}"
        yield [year, line.source, line.kind, line.pagu, line.billed, line.paid, absorption]


SMALL = _(
    'Bilangan; "<5" bila 1 sampai 4 orang, "x" bila disamarkan agar angka kecil tidak '
    "dapat dihitung dari jumlahnya."
)
HIDDEN_MONEY = _("Rupiah, bilangan bulat; kosong bila jumlah orangnya disamarkan.")

DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "cakupan-nagari",
            _("Peserta aktif per nagari"),
            _("Kepesertaan berstatus aktif per nagari/desa, menurut data BPJS terakhir."),
            (
                Column("kode_kecamatan", _("teks"), _("Kode wilayah Kemendagri kecamatan.")),
                Column("kecamatan", _("teks"), _("Nama kecamatan.")),
                Column("kode_nagari", _("teks"), _("Kode wilayah Kemendagri nagari/desa.")),
                Column("nagari", _("teks"), _("Nama nagari/desa.")),
                Column("peserta_aktif", _("bilangan/teks"), SMALL),
                Column("tanggal_data", _("tanggal"), _("Tanggal data BPJS terakhir (TTTT-BB-HH).")),
            ),
            _coverage_rows,
        ),
        Dataset(
            "iuran-bulanan",
            _("Peserta, iuran terutang dan dibayar per bulan dan sumber dana"),
            _("Empat angka transparansi per bulan dan sumber dana (klaim: lihat klaim-bulanan)."),
            (
                Column("bulan", _("teks"), _("Bulan, TTTT-BB.")),
                Column("sumber_dana", _("teks"), _('Nama sumber dana; "Jumlah" untuk semua.')),
                Column("peserta_terdaftar", _("bilangan/teks"), SMALL),
                Column("iuran_terutang", _("rupiah"), HIDDEN_MONEY),
                Column("iuran_dibayar", _("rupiah"), HIDDEN_MONEY),
            ),
            _contribution_rows,
        ),
        Dataset(
            "klaim-bulanan",
            _("Klaim dibayar per bulan (tingkat kabupaten)"),
            _("Jumlah klaim JKK, JKM dan beasiswa yang dibayar per bulan, seluruh kabupaten."),
            (
                Column("bulan", _("teks"), _("Bulan pembayaran, TTTT-BB.")),
                Column("klaim_dibayar", _("bilangan/teks"), SMALL),
                Column("jumlah_dibayar", _("rupiah"), HIDDEN_MONEY),
            ),
            _claim_rows,
        ),
        Dataset(
            "anggaran",
            _("Pagu dan serapan anggaran per sumber dana"),
            _("Alokasi yang ditetapkan: pagu, iuran yang ditagih dan yang dibayar."),
            (
                Column("tahun", _("bilangan"), _("Tahun anggaran.")),
                Column("sumber_dana", _("teks"), _("Nama sumber dana.")),
                Column(
                    "jenis",
                    _("teks"),
                    _("Jenis sumber dana (apbd, apbd_p, apb_nagari, pokir, csr, mandiri)."),
                ),
                Column("pagu", _("rupiah"), _("Pagu yang ditetapkan.")),
                Column("ditagih", _("rupiah"), _("Iuran yang sudah ditagih BPJS.")),
                Column("dibayar", _("rupiah"), _("Iuran yang sudah dibayar.")),
                Column(
                    "serapan_persen", _("desimal"), _("Dibayar ÷ pagu × 100, satu angka desimal.")
                ),
            ),
            _budget_rows,
        ),
    )
}

"""Budget: regulation rate tables, fiscal years, funding sources, pagu, phases, reservations.

Two halves live here.

*Regulation data* (``IncomeBracket``, ``ContributionRate``, ``ContributionDiscount``):
effective-dated rows, each with its legal basis and a ``confirmed`` flag, seeded from
facts.md by migration 0002 and edited by admins. Code never holds a rate (DESIGN.md).

*Budget* (``FiscalYear`` → ``Allocation`` (pagu) → ``Reservation``): money is integer
rupiah; months are stored as the first day of the month and read as ``Month``. A
reservation freezes persons × months × the monthly rate at the time it was made, so a
later rate change never moves money that was already committed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.lib.formats import persen, rupiah
from jamsos.lib.periods import Month, month_field, months_between
from jamsos.regions.models import Region
from jamsos.registry.models import Person


class Segment(models.TextChoices):
    BPU = "bpu", _("Bukan Penerima Upah (BPU)")
    PU = "pu", _("Penerima Upah (PU)")


class Programme(models.TextChoices):
    JKK = "jkk", _("Jaminan Kecelakaan Kerja (JKK)")
    JKM = "jkm", _("Jaminan Kematian (JKM)")


class RiskGroup(models.TextChoices):
    """Work-environment risk groups for PU JKK (PP 44/2015 Lampiran I)."""

    SANGAT_RENDAH = "sangat_rendah", _("Sangat rendah")
    RENDAH = "rendah", _("Rendah")
    SEDANG = "sedang", _("Sedang")
    TINGGI = "tinggi", _("Tinggi")
    SANGAT_TINGGI = "sangat_tinggi", _("Sangat tinggi")


class PayerType(models.TextChoices):
    """Who pays the contribution; regulation rows may include or exclude payer types."""

    APBD = "apbd", _("APBD")
    APBN = "apbn", _("APBN")
    APB_NAGARI = "apb_nagari", _("APB Nagari/Desa")
    MANDIRI = "mandiri", _("Mandiri (peserta sendiri)")
    CSR = "csr", _("CSR perusahaan")


class Sector(models.TextChoices):
    """Work sectors some regulation rows distinguish (PP 50/2025 periods differ)."""

    TRANSPORT = "transportasi", _("Transportasi (ojek, sopir, kurir)")
    OTHER = "lainnya", _("Sektor lainnya")


# --- Regulation data ----------------------------------------------------------------------


class RegulationRow(models.Model):
    """An effective-dated row of a regulation table.

    ``valid_from`` and ``valid_to`` are months, both inclusive; ``valid_to`` empty means
    "until changed". ``confirmed`` is False for rows nobody has checked against the
    regulation text yet; they are used, but every estimate lists them.
    """

    valid_from = month_field(_("berlaku mulai"))
    valid_to = month_field(_("berlaku sampai"), null=True, blank=True)
    legal_basis = models.TextField(_("dasar hukum"))
    confirmed = models.BooleanField(_("terkonfirmasi"), default=False)
    note = models.TextField(_("catatan/sumber"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def first_month(self) -> Month:
        return Month.from_date(self.valid_from)

    @property
    def last_month(self) -> Month | None:
        return Month.from_date(self.valid_to) if self.valid_to else None

    def applies_in(self, month: Month) -> bool:
        if month < self.first_month:
            return False
        return self.valid_to is None or month <= Month.from_date(self.valid_to)

    def overlap_key(self) -> Q:
        """Rows that must not be valid in the same month as this one."""
        raise NotImplementedError

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_from.day != 1:
            raise ValidationError({"valid_from": _("Gunakan tanggal 1 (awal bulan).")})
        if self.valid_to and self.valid_to.day != 1:
            raise ValidationError({"valid_to": _("Gunakan tanggal 1 (awal bulan).")})
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Tidak boleh sebelum tanggal mulai berlaku.")})
        if self.valid_from is None:
            return
        clash = type(self).objects.filter(self.overlap_key()).exclude(pk=self.pk)
        clash = clash.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
        if self.valid_to:
            clash = clash.filter(valid_from__lte=self.valid_to)
        other = clash.first()
        if other is not None:
            raise ValidationError(
                _("Masa berlaku bertumpang tindih dengan baris lain: %(other)s.") % {"other": other}
            )

    def period_label(self) -> str:
        end = str(self.last_month) if self.valid_to else "…"
        return f"{self.first_month}–{end}"


class IncomeBracket(RegulationRow):
    """A declared-income value of PP 44/2015 Lampiran II: the base of BPU JKK.

    Only the minimum (Rp 1,000,000) and maximum (Rp 20,700,000) rows are confirmed
    (facts.md §1.3); admins add the rows in between, unconfirmed until checked.
    """

    declared_income = models.PositiveBigIntegerField(_("nilai penghasilan (Rp)"))

    class Meta:
        ordering = ["declared_income", "valid_from"]
        verbose_name = _("nilai penghasilan BPU")
        verbose_name_plural = _("tabel penghasilan BPU")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="budget_bracket_period_ordered",
            ),
            # One row per income value and start month (the overlap rule lives in clean()).
            models.UniqueConstraint(
                fields=["declared_income", "valid_from"], name="budget_bracket_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Penghasilan Rp {self.declared_income:,} ({self.period_label()})".replace(",", ".")

    def overlap_key(self) -> Q:
        return Q(declared_income=self.declared_income)


class ContributionRate(RegulationRow):
    """One contribution rule: a percentage of income/wage, or a flat monthly amount.

    BPU JKK is a percentage of the declared income (``IncomeBracket``); BPU JKM a flat
    amount; PU JKK a percentage of wage per risk group; PU JKM a percentage of wage.
    """

    class Basis(models.TextChoices):
        PERCENT_OF_INCOME = "percent_income", _("Persen dari nilai penghasilan")
        PERCENT_OF_WAGE = "percent_wage", _("Persen dari upah")
        FLAT = "flat", _("Nominal tetap per bulan")

    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices)
    programme = models.CharField(_("program"), max_length=3, choices=Programme.choices)
    risk_group = models.CharField(
        _("kelompok risiko"), max_length=15, choices=RiskGroup.choices, blank=True
    )
    basis = models.CharField(_("dasar perhitungan"), max_length=15, choices=Basis.choices)
    percent = models.DecimalField(
        _("persentase"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    amount = models.PositiveBigIntegerField(_("nominal (Rp)"), null=True, blank=True)

    class Meta:
        ordering = ["segment", "programme", "risk_group", "valid_from"]
        verbose_name = _("tarif iuran")
        verbose_name_plural = _("tarif iuran")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="budget_rate_period_ordered",
            ),
            # A flat rule has an amount and no percentage; a percentage rule the reverse.
            models.CheckConstraint(
                condition=(Q(basis="flat") & Q(amount__isnull=False) & Q(percent__isnull=True))
                | (~Q(basis="flat") & Q(amount__isnull=True) & Q(percent__isnull=False)),
                name="budget_rate_amount_or_percent",
            ),
            # Only PU JKK depends on the risk group.
            models.CheckConstraint(
                condition=(Q(segment="pu", programme="jkk") & ~Q(risk_group=""))
                | (~Q(segment="pu", programme="jkk") & Q(risk_group="")),
                name="budget_rate_risk_group_only_pu_jkk",
            ),
            models.UniqueConstraint(
                fields=["segment", "programme", "risk_group", "valid_from"],
                name="budget_rate_unique_start",
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.get_programme_display()} {self.segment.upper()}"
        if self.risk_group:
            what += f" {self.get_risk_group_display().lower()}"
        return f"{what}: {self.describe()} ({self.period_label()})"

    def describe(self) -> str:
        if self.basis == self.Basis.FLAT:
            return rupiah(self.amount)
        base = "penghasilan" if self.basis == self.Basis.PERCENT_OF_INCOME else "upah"
        return f"{persen(self.percent)} dari {base}"

    def overlap_key(self) -> Q:
        return Q(segment=self.segment, programme=self.programme, risk_group=self.risk_group)

    def clean(self) -> None:
        if self.segment == Segment.BPU and self.basis == self.Basis.PERCENT_OF_WAGE:
            raise ValidationError({"basis": _("BPU tidak menerima upah; gunakan penghasilan.")})
        if self.segment == Segment.PU and self.basis == self.Basis.PERCENT_OF_INCOME:
            raise ValidationError({"basis": _("PU dihitung dari upah.")})
        super().clean()


class ContributionDiscount(RegulationRow):
    """A temporary reduction of contributions, e.g. PP 50/2025's 50 % for BPU JKK + JKM.

    ``excluded_payers`` lists the payer types that do not get it (PP 50/2025: APBN and
    APBD; APB Nagari by analogy, unconfirmed). ``sector`` empty means every sector.
    """

    name = models.CharField(_("nama"), max_length=200)
    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices)
    programmes = models.JSONField(_("program"), default=list)  # ["jkk", "jkm"]
    percent = models.DecimalField(_("potongan (%)"), max_digits=5, decimal_places=2)
    sector = models.CharField(_("sektor"), max_length=15, choices=Sector.choices, blank=True)
    excluded_payers = models.JSONField(_("pembayar yang dikecualikan"), default=list)

    class Meta:
        ordering = ["segment", "valid_from", "sector"]
        verbose_name = _("keringanan iuran")
        verbose_name_plural = _("keringanan iuran")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="budget_discount_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=100),
                name="budget_discount_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.period_label()})"

    def overlap_key(self) -> Q:
        return Q(segment=self.segment, sector=self.sector)

    def applies_to(self, *, month: Month, segment: str, payer: str, sector: str | None) -> bool:
        if self.segment != segment or not self.applies_in(month):
            return False
        if payer in self.excluded_payers:
            return False
        return not self.sector or self.sector == sector

    def clean(self) -> None:
        unknown = set(self.excluded_payers or []) - set(PayerType.values)
        if unknown:
            raise ValidationError({"excluded_payers": _("Jenis pembayar tidak dikenal.")})
        if not self.programmes or set(self.programmes) - set(Programme.values):
            raise ValidationError({"programmes": _("Pilih JKK dan/atau JKM.")})
        super().clean()


class NagariMinimum(RegulationRow):
    """ "1 Nagari 100 orang": how many residents every nagari/desa of a kabupaten must at
    least cover from its own APB Nagari, from ``valid_from`` on.

    A minimum, not a cap: a nagari may cover more (issue 9). The figure is rule data of the
    kabupaten's programme (seeded by migration 0003, edited on the regulation page), so a
    change of programme is a new row, never a code change.
    """

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="nagari_minimums",
        verbose_name=_("kabupaten/kota"),
    )
    persons = models.PositiveIntegerField(_("paling sedikit (orang)"))

    class Meta:
        ordering = ["region_id", "valid_from"]
        verbose_name = _("minimum peserta per nagari")
        verbose_name_plural = _("minimum peserta per nagari")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="budget_nagari_min_period_ordered",
            ),
            models.CheckConstraint(condition=Q(persons__gte=1), name="budget_nagari_min_pos"),
            # One row per kabupaten and start month (the overlap rule lives in clean()).
            models.UniqueConstraint(
                fields=["region", "valid_from"], name="budget_nagari_min_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Minimum {self.persons} orang per nagari ({self.period_label()})"

    def overlap_key(self) -> Q:
        return Q(region_id=self.region_id)


# --- Budget --------------------------------------------------------------------------------


class FiscalYear(models.Model):
    """A budget year (tahun anggaran) of one kabupaten/kota's programme."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="fiscal_years",
        verbose_name=_("kabupaten/kota"),
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    note = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["region_id", "-year"]
        verbose_name = _("tahun anggaran")
        verbose_name_plural = _("tahun anggaran")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="budget_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="budget_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"TA {self.year}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def first_month(self) -> Month:
        return Month(self.year, 1)

    @property
    def last_month(self) -> Month:
        return Month(self.year, 12)


class FundingSource(models.Model):
    """Where money comes from: APBD, APBD-P, one nagari's APB, one DPRD member's pokir…"""

    class Kind(models.TextChoices):
        APBD = "apbd", _("APBD (murni)")
        APBD_P = "apbd_p", _("APBD Perubahan")
        APB_NAGARI = "apb_nagari", _("APB Nagari")
        POKIR = "pokir", _("Pokok pikiran DPRD")
        CSR = "csr", _("CSR perusahaan")
        MANDIRI = "mandiri", _("Mandiri")

    # Which payer type each kind is for regulation purposes (PP 50/2025 exclusions): pokir
    # and APBD-P money is APBD money.
    PAYER: dict[str, str] = {
        Kind.APBD: PayerType.APBD,
        Kind.APBD_P: PayerType.APBD,
        Kind.APB_NAGARI: PayerType.APB_NAGARI,
        Kind.POKIR: PayerType.APBD,
        Kind.CSR: PayerType.CSR,
        Kind.MANDIRI: PayerType.MANDIRI,
    }

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="funding_sources",
        verbose_name=_("kabupaten/kota"),
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("nama"), max_length=200)
    nagari = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nagari"),
    )
    dprd_member = models.CharField(_("anggota DPRD"), max_length=150, blank=True)
    company = models.CharField(_("perusahaan"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["region_id", "kind", "name"]
        verbose_name = _("sumber dana")
        verbose_name_plural = _("sumber dana")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="budget_source_unique_name"),
            # APB Nagari money belongs to exactly one nagari; no other kind names one.
            models.CheckConstraint(
                condition=(Q(kind="apb_nagari") & Q(nagari__isnull=False))
                | (~Q(kind="apb_nagari") & Q(nagari__isnull=True)),
                name="budget_source_nagari_only_apb_nagari",
            ),
            models.CheckConstraint(
                condition=~Q(kind="pokir") | ~Q(dprd_member=""),
                name="budget_source_pokir_names_member",
            ),
            models.CheckConstraint(
                condition=~Q(kind="csr") | ~Q(company=""),
                name="budget_source_csr_names_company",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def payer(self) -> str:
        return self.PAYER[self.kind]

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.APB_NAGARI and self.nagari_id is None:
            raise ValidationError({"nagari": _("APB Nagari harus menyebut nagarinya.")})
        if self.kind != self.Kind.APB_NAGARI and self.nagari_id is not None:
            raise ValidationError({"nagari": _("Hanya APB Nagari yang menyebut nagari.")})
        if self.kind == self.Kind.POKIR and not self.dprd_member.strip():
            raise ValidationError({"dprd_member": _("Pokir DPRD harus menyebut anggotanya.")})
        if self.kind == self.Kind.CSR and not self.company.strip():
            raise ValidationError({"company": _("CSR harus menyebut perusahaannya.")})
        if self.nagari_id and self.region_id and not self.nagari_id.startswith(self.region_id):
            raise ValidationError({"nagari": _("Nagari harus berada di kabupaten ini.")})


class Allocation(models.Model):
    """A pagu: money from one source in one fiscal year for contributions.

    ``draft`` while the operator enters it; ``approved`` once the Dinas head confirms the
    figure against the DPA. Reservations only draw on approved allocations. ``billed`` and
    ``paid`` are written by the contributions app (``allocation_absorption_record``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        APPROVED = "approved", _("Ditetapkan")

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="allocations"
    )
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="allocations")
    name = models.CharField(_("nama"), max_length=200)
    pagu = models.PositiveBigIntegerField(_("pagu (Rp)"))
    segment = models.CharField(
        _("segmen"), max_length=3, choices=Segment.choices, default=Segment.BPU
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    billed_amount = models.PositiveBigIntegerField(_("ditagih (Rp)"), default=0)
    paid_amount = models.PositiveBigIntegerField(_("dibayar (Rp)"), default=0)
    # The last month the billed/paid figures cover; empty = no billing recorded yet.
    billed_through = month_field(_("tagihan s.d. bulan"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["fiscal_year_id", "pk"]
        verbose_name = _("pagu")
        verbose_name_plural = _("pagu")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "source", "name"], name="budget_allocation_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__lte=F("billed_amount")),
                name="budget_allocation_paid_within_billed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.fiscal_year.region_id

    @property
    def payer(self) -> str:
        return self.source.payer


class Phase(models.Model):
    """A tahap: recipients fixed together by one SK Bupati, covered from one month on."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="phases")
    number = models.PositiveSmallIntegerField(_("tahap ke-"))
    name = models.CharField(_("nama"), max_length=100)
    first_month = month_field(_("mulai bulan"))
    last_month = month_field(_("sampai bulan"))
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phases",
        verbose_name=_("pagu"),
    )
    planned_persons = models.PositiveIntegerField(_("rencana jumlah orang"), null=True, blank=True)
    decree_reference = models.CharField(_("nomor SK (kertas)"), max_length=120, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fiscal_year_id", "number"]
        verbose_name = _("tahap")
        verbose_name_plural = _("tahap")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="budget_phase_unique"),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="budget_phase_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.fiscal_year})"

    @property
    def audit_region_code(self) -> str:
        return self.fiscal_year.region_id

    @property
    def months(self) -> int:
        return months_between(Month.from_date(self.first_month), Month.from_date(self.last_month))


class NagariQuota(models.Model):
    """A nagari's own target for a year (how many residents it plans to cover).

    Not a cap: reservations may go beyond it (over-achievement is welcome), and the
    programme's minimum is rule data (``NagariMinimum``), not this row.
    """

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="nagari_quotas"
    )
    nagari = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("nagari")
    )
    persons = models.PositiveIntegerField(_("target (orang)"))
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fiscal_year_id", "nagari_id"]
        verbose_name = _("target nagari")
        verbose_name_plural = _("target nagari")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "nagari"], name="budget_quota_one_per_nagari"
            ),
        ]

    def __str__(self) -> str:
        return f"Target {self.nagari.name} {self.fiscal_year}: {self.persons} orang"

    @property
    def audit_region_code(self) -> str:
        return self.nagari_id


class Reservation(models.Model):
    """Money set aside from a pagu: persons × months × the monthly rate, frozen.

    A decree (SK penetapan, enrollment app) is built from approved registry persons plus
    one reservation: it may name at most ``persons`` people and, when the reservation
    names persons (``lines``), only those. ``estimate`` keeps the calculation and its legal
    basis as it stood when the money was reserved.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktif")
        RELEASED = "released", _("Dilepas")

    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="reservations"
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    nagari = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nagari (kuota)"),
    )
    persons = models.PositiveIntegerField(_("jumlah orang"))
    first_month = month_field(_("mulai bulan"))
    last_month = month_field(_("sampai bulan"))
    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices)
    declared_income = models.PositiveBigIntegerField(_("nilai penghasilan"), null=True, blank=True)
    wage = models.PositiveBigIntegerField(_("upah"), null=True, blank=True)
    risk_group = models.CharField(
        _("kelompok risiko"), max_length=15, choices=RiskGroup.choices, blank=True
    )
    payer = models.CharField(_("pembayar"), max_length=12, choices=PayerType.choices)
    # Empty when the monthly rate changes inside the period (see ``estimate["lines"]``).
    per_person_month = models.PositiveBigIntegerField(_("iuran per orang per bulan"), null=True)
    amount = models.PositiveBigIntegerField(_("jumlah (Rp)"))
    estimate = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reservasi anggaran")
        verbose_name_plural = _("reservasi anggaran")
        indexes = [
            # Serves "sum of active reservations of this pagu", re-checked under the lock.
            models.Index(fields=["allocation", "status"], name="budget_resv_alloc_status_idx"),
            # Serves nagari quota progress within a year.
            models.Index(fields=["nagari", "status"], name="budget_resv_nagari_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="budget_resv_ordered"
            ),
            models.CheckConstraint(condition=Q(persons__gte=1), name="budget_resv_persons_pos"),
        ]

    def __str__(self) -> str:
        return f"Reservasi #{self.pk}: {self.persons} orang × {self.months} bulan"

    @property
    def audit_region_code(self) -> str:
        return self.nagari_id or self.allocation.fiscal_year.region_id

    @property
    def months(self) -> int:
        return months_between(Month.from_date(self.first_month), Month.from_date(self.last_month))


class ReservationPerson(models.Model):
    """A person named in a reservation (optional: a reservation may be a count only)."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="lines")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="budget_reservation_lines"
    )

    class Meta:
        ordering = ["reservation_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reservation", "person"], name="budget_resv_person_unique"
            ),
        ]
        indexes = [
            # Serves "is this person already reserved for an overlapping period?".
            models.Index(fields=["person"], name="budget_resv_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reservation_id}:{self.person_id}"

"""Claims: JKK and JKM from the first report to the heirs' payout.

Two halves, as in the budget app.

*Regulation data* (``BenefitRule``, ``ClaimParameter``, ``DocumentRequirement``):
effective-dated rows with their legal basis and a ``confirmed`` flag, seeded from facts.md
§3 by migration 0002. Code never holds a benefit amount, a deadline or a waiting period.

*Claims* (``Claim`` → ``ClaimHeir``, ``ClaimDocument``, ``ClaimTransition``): a claim is
reported against the membership that covered the event date, collects its documents and
heirs, is prepared by the Dinas operator and approved by the Dinas head (maker-checker),
and is then reviewed, decided and paid by BPJS. Every status change is a
``ClaimTransition`` row with its time and agency, which the SLA clocks are computed from.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import Agency
from jamsos.budget.models import FundingSource, RegulationRow
from jamsos.enrollment.models import Membership
from jamsos.regions.models import Region
from jamsos.registry.models import Heir, Person


class ClaimType(models.TextChoices):
    JKM = "jkm", _("JKM — meninggal bukan karena kecelakaan kerja")
    JKK_MEDICAL = "jkk_medical", _("JKK — perawatan dan pengobatan")
    JKK_STMB = "jkk_stmb", _("JKK — sementara tidak mampu bekerja (STMB)")
    JKK_DISABILITY = "jkk_disability", _("JKK — cacat")
    JKK_DEATH = "jkk_death", _("JKK — meninggal karena kecelakaan kerja")
    BEASISWA = "beasiswa", _("Beasiswa anak")


class PayoutMethod(models.TextChoices):
    """How BPJS paid a benefit out (recorded with the payout)."""

    TRANSFER = "transfer", _("Transfer bank")
    TUNAI = "tunai", _("Tunai")
    CEK = "cek", _("Cek/bilyet giro")
    POS = "pos", _("Wesel pos")
    # Only for payouts recorded before the method was asked (migration 0003); never chosen.
    UNRECORDED = "tidak_tercatat", _("Tidak tercatat (data lama)")


# The benefit goes to the heirs (or, for a scholarship, the child or its guardian): the
# payout names one of the claim's heirs. Other JKK benefits go to the worker.
PAID_TO_HEIR_TYPES = frozenset({"jkm", "jkk_death", "beasiswa"})

JKK_TYPES = frozenset(
    {ClaimType.JKK_MEDICAL, ClaimType.JKK_STMB, ClaimType.JKK_DISABILITY, ClaimType.JKK_DEATH}
)
DEATH_TYPES = frozenset({ClaimType.JKM, ClaimType.JKK_DEATH})


class BeasiswaOrigin(models.TextChoices):
    """What entitles the children to a scholarship (facts.md §3.1)."""

    JKM = "jkm", _("Peserta meninggal bukan karena kecelakaan kerja")
    JKK_DEATH = "jkk_death", _("Peserta meninggal karena kecelakaan kerja")
    JKK_DISABILITY = "jkk_disability", _("Peserta cacat total tetap karena kecelakaan kerja")


class EducationLevel(models.TextChoices):
    TK_SD = "tk_sd", _("TK/SD")
    SMP = "smp", _("SMP")
    SMA = "sma", _("SMA")
    PT = "pt", _("Perguruan tinggi / pelatihan")


# --- Regulation data ----------------------------------------------------------------------


class BenefitRule(RegulationRow):
    """One line of a benefit: a flat amount, a multiple or percentage of income, a
    per-child-per-year scholarship, a cap, or a row of the disability table.

    ``benefit`` is the claim type the line belongs to. ``membership`` restricts a line to
    a full (≥ ``jkm_full_min_months`` months of contributions) or short membership: the
    JKM's Rp 42 M and Rp 10 M splits are both rows, chosen by the months paid.
    """

    class Kind(models.TextChoices):
        FLAT = "flat", _("Nominal tetap")
        INCOME_MULTIPLE = "income_multiple", _("Kelipatan penghasilan sebulan")
        STMB_PERCENT = "stmb_percent", _("Persen penghasilan per hari tidak mampu bekerja")
        PER_CHILD_YEAR = "per_child_year", _("Per anak per tahun (beasiswa)")
        CAP = "cap", _("Penggantian biaya riil, paling banyak")
        ACTUAL_COST = "actual_cost", _("Biaya riil tanpa batas")
        DISABILITY_PERCENT = "disability_percent", _("Persen tabel cacat × kelipatan penghasilan")

    class MembershipCondition(models.TextChoices):
        ANY = "", _("Semua")
        FULL = "full", _("Masa iur cukup")
        SHORT = "short", _("Masa iur kurang dari syarat")

    benefit = models.CharField(_("jenis klaim"), max_length=16, choices=ClaimType.choices)
    code = models.SlugField(_("kode"), max_length=60)
    label = models.CharField(_("uraian"), max_length=200)
    kind = models.CharField(_("cara hitung"), max_length=20, choices=Kind.choices)
    # Level (beasiswa), transport mode (JKK medical) or disability-table row.
    variant = models.SlugField(_("varian"), max_length=60, blank=True)
    variant_label = models.CharField(_("nama varian"), max_length=200, blank=True)
    membership = models.CharField(
        _("syarat masa iur"), max_length=5, choices=MembershipCondition.choices, blank=True
    )
    amount = models.PositiveBigIntegerField(_("nominal (Rp)"), null=True, blank=True)
    multiplier = models.DecimalField(
        _("kelipatan"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    percent = models.DecimalField(
        _("persentase"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # STMB: the months of incapacity this percentage applies to (1-12, 13-…).
    from_month_no = models.PositiveSmallIntegerField(_("dari bulan ke"), null=True, blank=True)
    to_month_no = models.PositiveSmallIntegerField(_("sampai bulan ke"), null=True, blank=True)
    max_years = models.PositiveSmallIntegerField(_("paling lama (tahun)"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["benefit", "sort_order", "variant", "valid_from"]
        verbose_name = _("aturan manfaat")
        verbose_name_plural = _("aturan manfaat")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="claims_rule_period_ordered",
            ),
            # One row per line and start month (overlaps are refused in clean()).
            models.UniqueConstraint(
                fields=["benefit", "code", "variant", "valid_from"],
                name="claims_rule_unique_start",
            ),
            # Flat amounts, caps and scholarships need an amount; multiples a multiplier;
            # percentages a percent.
            models.CheckConstraint(
                condition=~Q(kind__in=["flat", "cap", "per_child_year"]) | Q(amount__isnull=False),
                name="claims_rule_amount_present",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["income_multiple", "disability_percent"])
                | Q(multiplier__isnull=False),
                name="claims_rule_multiplier_present",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["stmb_percent", "disability_percent"])
                | Q(percent__isnull=False),
                name="claims_rule_percent_present",
            ),
        ]

    def __str__(self) -> str:
        what = self.label + (f" — {self.variant_label}" if self.variant_label else "")
        return f"{what} ({self.period_label()})"

    def overlap_key(self) -> Q:
        return Q(benefit=self.benefit, code=self.code, variant=self.variant)

    def describe(self) -> str:
        """The rule in words, with Indonesian number formats."""

        def rp(value: int | None) -> str:
            return f"Rp {value or 0:,}".replace(",", ".")

        def num(value: Any) -> str:
            return f"{value.normalize():f}".replace(".", ",")

        match self.kind:
            case self.Kind.FLAT:
                return rp(self.amount)
            case self.Kind.INCOME_MULTIPLE:
                return gettext("%(multiple)s × penghasilan sebulan") % {
                    "multiple": num(self.multiplier)
                }
            case self.Kind.STMB_PERCENT:
                values = {"percent": num(self.percent), "first": self.from_month_no}
                if self.to_month_no:
                    return gettext("%(percent)s %% penghasilan, bulan ke-%(first)s–%(last)s") % {
                        **values,
                        "last": self.to_month_no,
                    }
                return gettext("%(percent)s %% penghasilan, bulan ke-%(first)s dan seterusnya") % (
                    values
                )
            case self.Kind.PER_CHILD_YEAR:
                return gettext("%(amount)s per anak per tahun, paling lama %(years)s tahun") % {
                    "amount": rp(self.amount),
                    "years": self.max_years,
                }
            case self.Kind.CAP:
                return gettext("biaya riil, paling banyak %(amount)s") % {"amount": rp(self.amount)}
            case self.Kind.DISABILITY_PERCENT:
                return gettext("%(percent)s %% × %(multiple)s × penghasilan sebulan") % {
                    "percent": num(self.percent),
                    "multiple": num(self.multiplier),
                }
        return gettext("biaya riil, tanpa batas")


class ClaimParameter(RegulationRow):
    """A deadline, waiting period or limit of the claim rules, as effective-dated data."""

    class Key(models.TextChoices):
        JKK_REPORT_HOURS = "jkk_report_hours", _("Batas laporan kecelakaan kerja tahap I (jam)")
        JKK_CLAIM_YEARS = "jkk_claim_years", _("Hak klaim JKK gugur setelah (tahun)")
        JKM_FULL_MIN_MONTHS = "jkm_full_min_months", _("Masa iur minimal JKM penuh (bulan)")
        BEASISWA_JKM_MIN_MONTHS = (
            "beasiswa_jkm_min_months",
            _("Masa iur minimal beasiswa bila meninggal bukan kecelakaan kerja (bulan)"),
        )
        BEASISWA_MAX_CHILDREN = "beasiswa_max_children", _("Jumlah anak penerima beasiswa")
        BEASISWA_MAX_AGE = "beasiswa_max_age", _("Usia anak penerima beasiswa di bawah (tahun)")
        STMB_DAYS_PER_MONTH = "stmb_days_per_month", _("Hari per bulan untuk STMB harian")
        NPWP_ABOVE = "npwp_above", _("NPWP wajib bila manfaat di atas (Rp)")

    key = models.CharField(_("parameter"), max_length=30, choices=Key.choices)
    value = models.PositiveBigIntegerField(_("nilai"))

    class Meta:
        ordering = ["key", "valid_from"]
        verbose_name = _("parameter klaim")
        verbose_name_plural = _("parameter klaim")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="claims_param_period_ordered",
            ),
            models.UniqueConstraint(fields=["key", "valid_from"], name="claims_param_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.value:,} ({self.period_label()})".replace(",", ".")

    def overlap_key(self) -> Q:
        return Q(key=self.key)


class DocumentRequirement(models.Model):
    """One item of a claim type's document checklist (facts.md §3.3).

    ``condition`` makes an optional item required in a case: the marriage book when an
    heir is the spouse, the NPWP when the benefit is above ``npwp_above``.
    """

    class Condition(models.TextChoices):
        NONE = "", _("Tidak ada")
        HEIR_SPOUSE = "heir_spouse", _("Wajib bila ahli waris suami/istri")
        NPWP_ABOVE = "npwp_above", _("Wajib bila manfaat di atas batas NPWP")
        DEATH_ORIGIN = "death_origin", _("Wajib bila beasiswa karena peserta meninggal")

    claim_type = models.CharField(_("jenis klaim"), max_length=16, choices=ClaimType.choices)
    code = models.SlugField(_("kode"), max_length=40)
    label = models.CharField(_("dokumen"), max_length=200)
    required = models.BooleanField(_("wajib"), default=True)
    condition = models.CharField(_("syarat"), max_length=15, choices=Condition.choices, blank=True)
    note = models.TextField(_("catatan/sumber"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["claim_type", "sort_order", "code"]
        verbose_name = _("syarat dokumen")
        verbose_name_plural = _("syarat dokumen")
        constraints = [
            models.UniqueConstraint(fields=["claim_type", "code"], name="claims_requirement_code"),
        ]

    def __str__(self) -> str:
        return self.label


# --- Claims ---------------------------------------------------------------------------------


class Claim(models.Model):
    """A JKK, JKM or scholarship claim of one membership, from report to payout."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("Dilaporkan")
        DOCUMENTS_COMPLETE = "documents_complete", _("Berkas lengkap")
        SUBMISSION_PREPARED = "submission_prepared", _("Menunggu persetujuan kepala dinas")
        SUBMITTED = "submitted", _("Diajukan ke BPJS")
        UNDER_REVIEW = "under_review", _("Diperiksa BPJS")
        APPROVED = "approved", _("Disetujui BPJS")
        REJECTED = "rejected", _("Ditolak BPJS")
        PAID = "paid", _("Dibayar")
        WITHDRAWN = "withdrawn", _("Dibatalkan")

    OPEN_STATUSES = frozenset(
        {
            Status.REPORTED,
            Status.DOCUMENTS_COMPLETE,
            Status.SUBMISSION_PREPARED,
            Status.SUBMITTED,
            Status.UNDER_REVIEW,
            Status.APPROVED,
        }
    )
    # The order of the happy path, for the stepper on the claim page.
    STAGES = (
        Status.REPORTED,
        Status.DOCUMENTS_COMPLETE,
        Status.SUBMISSION_PREPARED,
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.APPROVED,
        Status.PAID,
    )

    reference = models.CharField(_("nomor klaim"), max_length=20, unique=True, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="claims", verbose_name=_("kepesertaan")
    )
    # Copied from the membership at report time: scope, reporting and the payout figures by
    # region and funder read them without joins.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="claims")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="claims"
    )
    claim_type = models.CharField(_("jenis klaim"), max_length=16, choices=ClaimType.choices)
    origin = models.CharField(
        _("dasar beasiswa"), max_length=16, choices=BeasiswaOrigin.choices, blank=True
    )
    event_date = models.DateField(_("tanggal kejadian"))
    event_time = models.TimeField(_("jam kejadian"), null=True, blank=True)
    event_place = models.CharField(_("tempat kejadian"), max_length=200, blank=True)
    chronology = models.TextField(_("kronologi"), blank=True)
    reported_at = models.DateTimeField(_("waktu lapor"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reporter_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reporter_contact = models.CharField(_("kontak pelapor/keluarga"), max_length=100, blank=True)
    # Inputs of the benefit estimate; empty = derive (income: the person's declared income
    # or the lowest BPU bracket).
    income = models.PositiveBigIntegerField(
        _("penghasilan/upah sebulan (Rp)"), null=True, blank=True
    )
    stmb_days = models.PositiveIntegerField(_("hari tidak mampu bekerja"), null=True, blank=True)
    disability_code = models.SlugField(_("jenis cacat (tabel)"), max_length=60, blank=True)
    medical_costs = models.PositiveBigIntegerField(
        _("biaya pengobatan (Rp)"), null=True, blank=True
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Eligibility findings at the last check: [{"code", "severity", "message"}].
    eligibility = models.JSONField(default=list, blank=True)
    months_paid = models.PositiveIntegerField(_("masa iur (bulan)"), null=True, blank=True)
    # The estimate frozen when the submission was prepared (lines with legal basis).
    estimate = models.JSONField(default=dict, blank=True)
    estimated_amount = models.PositiveBigIntegerField(_("perkiraan manfaat"), default=0)

    documents_completed_at = models.DateTimeField(null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("diajukan ke BPJS"), null=True, blank=True)
    letter_number = models.CharField(_("nomor surat pengajuan"), max_length=60, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_amount = models.PositiveBigIntegerField(_("manfaat disetujui"), null=True, blank=True)
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payout_amount = models.PositiveBigIntegerField(_("jumlah dibayar"), null=True, blank=True)
    payout_date = models.DateField(_("tanggal bayar"), null=True, blank=True)
    payout_reference = models.CharField(_("referensi pembayaran"), max_length=100, blank=True)
    payout_method = models.CharField(
        _("cara bayar"), max_length=16, choices=PayoutMethod.choices, blank=True
    )
    # Who was paid: an heir of this claim (death, scholarship) or, when empty, the worker.
    # The name (and account) are copies: what was paid to whom must not change later.
    payout_payee_heir = models.ForeignKey(
        "ClaimHeir",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ahli waris penerima"),
    )
    payout_payee_name = models.CharField(_("penerima pembayaran"), max_length=150, blank=True)
    payout_bank = models.CharField(_("bank penerima"), max_length=60, blank=True)
    payout_account = models.CharField(_("rekening penerima"), max_length=30, blank=True)
    withdrawn_reason = models.TextField(_("alasan pembatalan"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("klaim")
        verbose_name_plural = _("klaim")
        constraints = [
            # Rule: a scholarship says whose death or disability entitles the children.
            models.CheckConstraint(
                condition=(Q(claim_type="beasiswa") & ~Q(origin=""))
                | (~Q(claim_type="beasiswa") & Q(origin="")),
                name="claims_claim_origin_only_beasiswa",
            ),
            # Rule: a rejection has a reason; a payout an amount, a date and a reference.
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="claims_claim_rejection_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (Q(payout_amount__gt=0) & Q(payout_date__isnull=False) & ~Q(payout_reference="")),
                name="claims_claim_payout_recorded",
            ),
            # Rule: a payout says to whom and how it was paid; a transfer to which account;
            # a death or scholarship benefit to one of the claim's heirs.
            models.CheckConstraint(
                condition=~Q(status="paid") | (~Q(payout_method="") & ~Q(payout_payee_name="")),
                name="claims_claim_payout_payee_method",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | ~Q(payout_method="transfer") | ~Q(payout_account=""),
                name="claims_claim_payout_transfer_account",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | ~Q(claim_type__in=sorted(PAID_TO_HEIR_TYPES))
                | Q(payout_payee_heir__isnull=False)
                | Q(payout_method="tidak_tercatat"),
                name="claims_claim_payout_heir_for_death",
            ),
            # Rule (maker-checker): the Dinas head who approves did not prepare it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(prepared_by__isnull=True)
                | ~Q(approved_by=F("prepared_by")),
                name="claims_claim_maker_checker",
            ),
        ]
        indexes = [
            # Serves the claim list and the dashboard: claims of an area by status.
            models.Index(fields=["village", "status"], name="claims_claim_village_idx"),
            # Serves "claims paid per month" for the transparency page.
            models.Index(fields=["status", "payout_date"], name="claims_claim_paid_idx"),
            # Serves the duplicate check: open death claims of a person.
            models.Index(fields=["person", "claim_type"], name="claims_claim_person_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Klaim #{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id

    @property
    def is_jkk(self) -> bool:
        return self.claim_type in JKK_TYPES

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def eligibility_errors(self) -> list[dict[str, str]]:
        return [f for f in self.eligibility if f.get("severity") == "error"]

    @property
    def eligibility_warnings(self) -> list[dict[str, str]]:
        return [f for f in self.eligibility if f.get("severity") == "warning"]


class ClaimHeir(models.Model):
    """An heir (ahli waris) or, for a scholarship, a child, as recorded on this claim.

    A copy, not a reference: the bank account a payout went to must not change when the
    registry's heir is edited later. ``registry_heir`` links back when it came from there.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="heirs")
    registry_heir = models.ForeignKey(
        Heir, on_delete=models.SET_NULL, null=True, blank=True, related_name="claim_heirs"
    )
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    relationship = models.CharField(_("hubungan"), max_length=12, choices=Heir.Relationship.choices)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("nomor rekening"), max_length=30, blank=True)
    account_holder = models.CharField(_("nama pemilik rekening"), max_length=150, blank=True)
    is_payee = models.BooleanField(_("penerima pembayaran"), default=False)
    education_level = models.CharField(
        _("jenjang pendidikan"), max_length=6, choices=EducationLevel.choices, blank=True
    )
    school_name = models.CharField(_("sekolah/perguruan tinggi"), max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["claim_id", "-is_payee", "pk"]
        verbose_name = _("ahli waris klaim")
        verbose_name_plural = _("ahli waris klaim")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relationship_display()})"

    @property
    def audit_region_code(self) -> str:
        return self.claim.village_id


def claim_document_path(instance: ClaimDocument, filename: str) -> str:
    """``claims/<claim id>/<uuid>.<ext>``: no user text in paths, one folder per claim."""
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"claims/{instance.claim_id}/{uuid4().hex}{suffix}"


class ClaimDocument(models.Model):
    """A file uploaded for one checklist item; the latest one per item counts."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        DocumentRequirement, on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(upload_to=claim_document_path, max_length=200)
    original_name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["claim_id", "requirement__sort_order", "-uploaded_at", "-pk"]
        verbose_name = _("dokumen klaim")
        verbose_name_plural = _("dokumen klaim")
        indexes = [
            # Serves the checklist: the documents of a claim per requirement.
            models.Index(fields=["claim", "requirement"], name="claims_document_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement}: {self.original_name}"

    @property
    def audit_region_code(self) -> str:
        return self.claim.village_id


class ClaimTransition(models.Model):
    """One status change of a claim: who, which agency, when. The SLA clocks read these."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Claim.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Claim.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["claim_id", "at", "pk"]
        indexes = [
            # Serves the stage clocks of one claim and the dashboard's averages.
            models.Index(fields=["claim", "at"], name="claims_transition_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.claim}: {self.from_status or '-'} → {self.to_status}"

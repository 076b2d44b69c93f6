"""Contributions: monthly bills, treasury payments, credit, reconciliation, arrears.

``Bill`` (tagihan) — one per funding source and billing month (``sequence`` 0; a later
supplementary bill for memberships added after the bill was issued takes sequence 1, 2…).
A bill covers ``first_month``..``last_month``: one month normally, 3, 6 or 12 when the
payer prepays. ``BillLine`` is one membership-month (unique, so a month is billed once
however often the billing run is repeated); ``BillMonth`` freezes the rate each month was
billed at, with its legal basis, and sums the month's lines.

``Payment`` is a treasury transfer (SP2D); what exceeds the bill becomes ``Credit`` of the
funding source, used by the next bill it issues. ``StatementImport`` is the BPJS branch's
statement (per KPJ, months paid) and ``Discrepancy`` what it disagrees with us on.
``LapseRule`` holds the arrears rule as data; ``ArrearsNotice`` records each warning and
lapse; ``Reactivation`` links a lapsed membership to the new coverage period.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.budget.models import FundingSource, RegulationRow, RiskGroup, Segment
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month, month_field, months_between
from jamsos.regions.models import Region


def _user_fk(**kwargs: object) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        **kwargs,
    )


# --- Regulation data ----------------------------------------------------------------------


class LapseRule(RegulationRow):
    """After ``unpaid_months`` consecutive unpaid months a membership becomes inactive.

    Seeded from facts.md §1.4 (BPU: 3 months, warned at 2). ``reactivation`` records what
    the sources say about coming back; the system always opens a new coverage period.
    """

    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices)
    unpaid_months = models.PositiveSmallIntegerField(_("bulan menunggak berturut-turut"))
    warn_at_months = models.PositiveSmallIntegerField(_("peringatan pada bulan menunggak ke-"))
    reactivation = models.TextField(_("ketentuan pengaktifan kembali"), blank=True)

    class Meta:
        ordering = ["segment", "valid_from"]
        verbose_name = _("aturan nonaktif karena menunggak")
        verbose_name_plural = _("aturan nonaktif karena menunggak")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="contributions_lapse_rule_period_ordered",
            ),
            # A warning comes before the lapse, never at or after it.
            models.CheckConstraint(
                condition=Q(warn_at_months__gte=1) & Q(warn_at_months__lt=F("unpaid_months")),
                name="contributions_lapse_rule_warn_before_lapse",
            ),
            models.UniqueConstraint(
                fields=["segment", "valid_from"], name="contributions_lapse_rule_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.segment.upper()}: nonaktif setelah {self.unpaid_months} bulan menunggak "
            f"({self.period_label()})"
        )

    def overlap_key(self) -> Q:
        return Q(segment=self.segment)


class PrepaymentRule(RegulationRow):
    """The periods a payer may pay in advance (months per bill), as effective-dated data.

    Seeded from facts.md §1.4: BPJS officials encourage paying 3, 6 or 12 months ahead
    ("hingga satu tahun ke depan"); the legal maximum is not confirmed, so the row is
    unconfirmed. The billing run, its form, the API and the command read it.
    """

    months = models.JSONField(_("pilihan lama tagihan (bulan)"), default=list)  # [1, 3, 6, 12]

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("aturan bayar di muka")
        verbose_name_plural = _("aturan bayar di muka")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="contributions_prepayment_rule_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["valid_from"], name="contributions_prepayment_rule_unique_start"
            ),
        ]

    def __str__(self) -> str:
        choices = ", ".join(str(m) for m in self.months)
        return f"Bayar di muka: {choices} bulan ({self.period_label()})"

    def overlap_key(self) -> Q:
        return Q()

    def clean(self) -> None:
        months = self.months
        if (
            not isinstance(months, list)
            or not months
            or any(
                isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12 for m in months
            )
            or 1 not in months
        ):
            raise ValidationError({"months": _("Daftar bulan 1–12, termasuk 1 (bulanan).")})
        super().clean()


# --- Bills ---------------------------------------------------------------------------------


class Bill(models.Model):
    """A tagihan iuran: what one funding source owes for one month (or a prepaid period)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        ISSUED = "issued", _("Diterbitkan")
        PARTLY_PAID = "partly_paid", _("Dibayar sebagian")
        PAID = "paid", _("Lunas")
        RECONCILED = "reconciled", _("Direkonsiliasi")

    # Bills whose amount is owed: issued and not yet fully settled.
    OPEN = (Status.ISSUED, Status.PARTLY_PAID)
    # Bills sent to the payer (everything but drafts).
    SENT = (Status.ISSUED, Status.PARTLY_PAID, Status.PAID, Status.RECONCILED)
    SETTLED = (Status.PAID, Status.RECONCILED)

    number = models.CharField(_("nomor"), max_length=60)
    regency = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota")
    )
    # Who may see it: the nagari for an APB Nagari bill, else the kabupaten.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="bills", verbose_name=_("sumber dana")
    )
    first_month = month_field(_("bulan"))
    last_month = month_field(_("sampai bulan"))
    sequence = models.PositiveSmallIntegerField(_("tagihan susulan ke-"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    members = models.PositiveIntegerField(_("jumlah peserta"), default=0)
    person_months = models.PositiveIntegerField(_("orang-bulan"), default=0)
    total = models.PositiveBigIntegerField(_("jumlah tagihan (Rp)"), default=0)
    credit_applied = models.PositiveBigIntegerField(_("dibayar dari kredit (Rp)"), default=0)
    # Months billed that turned out not to be due (the member died before them): credited
    # back to the funding source (``BillAdjustment`` lines, ``Credit`` kind adjustment).
    adjusted_amount = models.PositiveBigIntegerField(_("koreksi/dikreditkan (Rp)"), default=0)
    paid_amount = models.PositiveBigIntegerField(_("dibayar (Rp)"), default=0)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)
    issued_by = _user_fk()
    issued_at = models.DateTimeField(null=True, blank=True)
    reconciled_by = _user_fk()
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_month", "funding_source_id", "sequence"]
        verbose_name = _("tagihan iuran")
        verbose_name_plural = _("tagihan iuran")
        constraints = [
            # Rule: one bill per funding source and month; a rerun of the billing run (or
            # two at once) cannot create a second one. Supplements take the next sequence.
            models.UniqueConstraint(
                fields=["funding_source", "first_month", "sequence"],
                name="contributions_bill_one_per_source_month",
            ),
            # Rule: bill numbers are unique per kabupaten (they are quoted on SP2D).
            models.UniqueConstraint(
                fields=["regency", "number"], name="contributions_bill_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")),
                name="contributions_bill_ordered",
            ),
            # Rule: a bill is never settled beyond its total (the rest becomes credit).
            models.CheckConstraint(
                condition=Q(total__gte=F("credit_applied") + F("paid_amount")),
                name="contributions_bill_settled_within_total",
            ),
        ]
        indexes = [
            # Serves the bill list and the transparency report: a kabupaten's bills by month.
            models.Index(fields=["regency", "first_month"], name="contrib_bill_regency_month"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def months(self) -> int:
        return months_between(Month.from_date(self.first_month), Month.from_date(self.last_month))

    @property
    def settled(self) -> int:
        return self.credit_applied + self.paid_amount

    @property
    def due(self) -> int:
        return self.total - self.settled

    @property
    def is_prepayment(self) -> bool:
        return self.last_month != self.first_month

    def status_after_settlement(self) -> str:
        """The state a sent bill is in given what has been settled."""
        if self.settled >= self.total:
            return self.Status.PAID
        if self.settled > 0:
            return self.Status.PARTLY_PAID
        return self.Status.ISSUED


class BillMonth(models.Model):
    """One month of a bill: the rate it was billed at (frozen, with its legal basis) and
    how many membership-months and rupiah it holds. The transparency report and payment
    allocation read these few rows instead of the lines."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="months_billed")
    month = month_field(_("bulan"))
    segment = models.CharField(
        _("segmen"), max_length=3, choices=Segment.choices, default=Segment.BPU
    )
    # PU: the wage and risk group this rate is for (one row per distinct pair, since the
    # contribution is a percentage of the wage); 0 and "" for BPU.
    wage = models.PositiveBigIntegerField(_("upah"), default=0)
    risk_group = models.CharField(
        _("kelompok risiko"), max_length=15, choices=RiskGroup.choices, blank=True, default=""
    )
    per_person_month = models.PositiveBigIntegerField(_("iuran per orang per bulan"))
    jkk = models.PositiveBigIntegerField(_("JKK"))
    jkm = models.PositiveBigIntegerField(_("JKM"))
    legal_basis = models.JSONField(_("dasar hukum"), default=list)
    unconfirmed = models.JSONField(_("belum terkonfirmasi"), default=list)
    lines = models.PositiveIntegerField(_("jumlah peserta"), default=0)
    amount = models.PositiveBigIntegerField(_("jumlah (Rp)"), default=0)

    class Meta:
        ordering = ["bill_id", "month", "segment", "wage", "risk_group"]
        constraints = [
            # Rule: one frozen rate per bill, month and rate base (BPU: one row; PU: one
            # per wage and risk group billed).
            models.UniqueConstraint(
                fields=["bill", "month", "segment", "wage", "risk_group"],
                name="contributions_bill_month_rate_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bill}: {Month.from_date(self.month)}"


class BillLine(models.Model):
    """One membership billed for one month, at the amount of that month's rate.

    The biggest table of the system (members × months), written by the billing run with
    one ``INSERT … SELECT`` per run. Two deliberate choices, measured on PostgreSQL with
    1,000,000 lines (see docs/contributions.md, "Measurements"):

    - The primary key is (membership, month): the rule "a membership-month is billed
      once" is the key itself, with no surrogate id, sequence or second unique index.
    - The two foreign keys have no database constraint. A PostgreSQL foreign key checks
      every inserted row with a trigger and locks the referenced membership row
      (``FOR KEY SHARE``): 17 s of a 24 s insert of 1M lines, against 2.8 s without.
      Integrity holds by construction instead: lines are only ever written by the
      billing run's ``INSERT … SELECT`` from the membership table itself, with bill ids
      created in the same transaction, and neither memberships nor sent bills are ever
      deleted (``PROTECT``; only draft lines are removed, by the lapse).
    """

    pk = models.CompositePrimaryKey("membership", "month")
    bill = models.ForeignKey(
        Bill, on_delete=models.CASCADE, related_name="lines", db_constraint=False
    )
    # No index of its own: the primary key (membership, month) begins with it and serves
    # every look-up by membership; a second index only lured the billing run's
    # ``NOT EXISTS (membership, month)`` probe onto it (every line of the membership
    # read from the heap to check the month: each month slower than the last).
    membership = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="bill_lines",
        db_constraint=False,
        db_index=False,
    )
    month = month_field(_("bulan"))
    amount = models.PositiveBigIntegerField(_("iuran (Rp)"))

    class Meta:
        ordering = ["bill_id", "membership_id", "month"]
        verbose_name = _("rincian tagihan")
        verbose_name_plural = _("rincian tagihan")

    def __str__(self) -> str:
        return f"{self.bill_id}: {self.membership_id} {Month.from_date(self.month)}"


class BillAdjustment(models.Model):
    """A credit note line: one membership-month billed on a sent bill that was not due
    (the member died before it), credited back to the bill's funding source."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="adjustments")
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="bill_adjustments"
    )
    month = month_field(_("bulan"))
    amount = models.PositiveBigIntegerField(_("dikreditkan (Rp)"))
    reason = models.CharField(_("alasan"), max_length=255)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bill_id", "month", "membership_id"]
        verbose_name = _("koreksi tagihan")
        verbose_name_plural = _("koreksi tagihan")
        constraints = [
            # Rule: a billed membership-month is credited back at most once.
            models.UniqueConstraint(
                fields=["membership", "month"], name="contributions_adjustment_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contributions_adjustment_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.bill}: −{self.amount} ({Month.from_date(self.month)})"

    @property
    def audit_region_code(self) -> str:
        return self.bill.region_id


# --- Payments and credit -------------------------------------------------------------------


class Payment(models.Model):
    """A treasury transfer (SP2D) against a bill; the part beyond what is due is credit."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    regency = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota")
    )
    sp2d_number = models.CharField(_("nomor SP2D"), max_length=80)
    paid_on = models.DateField(_("tanggal SP2D"))
    amount = models.PositiveBigIntegerField(_("jumlah (Rp)"))
    applied_amount = models.PositiveBigIntegerField(_("untuk tagihan (Rp)"))
    credited_amount = models.PositiveBigIntegerField(_("menjadi kredit (Rp)"), default=0)
    treasury_account = models.CharField(_("rekening kas"), max_length=120)
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("pembayaran")
        verbose_name_plural = _("pembayaran")
        constraints = [
            # Rule: an SP2D number is recorded once per kabupaten (the treasury numbers
            # them per year and region; recording one twice would double the payment).
            models.UniqueConstraint(
                fields=["regency", "sp2d_number"], name="contributions_payment_sp2d_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contributions_payment_pos"),
            models.CheckConstraint(
                condition=Q(amount=F("applied_amount") + F("credited_amount")),
                name="contributions_payment_split",
            ),
        ]

    def __str__(self) -> str:
        return f"SP2D {self.sp2d_number}"

    @property
    def audit_region_code(self) -> str:
        return self.bill.region_id


class Credit(models.Model):
    """A ledger entry of a funding source's credit: + an overpayment, − its use on a bill."""

    class Kind(models.TextChoices):
        OVERPAYMENT = "overpayment", _("Kelebihan bayar")
        APPLIED = "applied", _("Dipakai untuk tagihan")
        ADJUSTMENT = "adjustment", _("Koreksi tagihan (bulan tidak terutang)")

    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="credits"
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    bill = models.ForeignKey(
        Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["funding_source_id", "created_at", "pk"]
        verbose_name = _("kredit iuran")
        verbose_name_plural = _("kredit iuran")
        constraints = [
            # An overpayment adds and names its payment; a use subtracts and names its bill;
            # an adjustment (a credit note) adds and names the bill it corrects.
            models.CheckConstraint(
                condition=(Q(kind="overpayment") & Q(amount__gt=0) & Q(payment__isnull=False))
                | (Q(kind="applied") & Q(amount__lt=0) & Q(bill__isnull=False))
                | (Q(kind="adjustment") & Q(amount__gt=0) & Q(bill__isnull=False)),
                name="contributions_credit_signed_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funding_source}: {self.amount}"


# --- Reconciliation ------------------------------------------------------------------------


class StatementImport(models.Model):
    """A BPJS branch statement (rekening koran iuran) imported for comparison."""

    regency = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota")
    )
    file_name = models.CharField(_("nama berkas"), max_length=255)
    sha256 = models.CharField(max_length=64)
    first_month = month_field(_("periode mulai"))
    last_month = month_field(_("periode sampai"))
    rows = models.PositiveIntegerField(_("jumlah baris"), default=0)
    total = models.PositiveBigIntegerField(_("jumlah menurut BPJS (Rp)"), default=0)
    our_total = models.PositiveBigIntegerField(_("jumlah menurut tagihan (Rp)"), default=0)
    uploaded_by = _user_fk()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("rekening iuran BPJS")
        verbose_name_plural = _("rekening iuran BPJS")
        constraints = [
            # Rule: the same file imported twice adds nothing (the import is idempotent).
            models.UniqueConstraint(
                fields=["regency", "sha256"], name="contributions_statement_once"
            ),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")),
                name="contributions_statement_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Rekening BPJS {self.file_name} ({Month.from_date(self.first_month)})"

    @property
    def audit_region_code(self) -> str:
        return self.regency_id


class StatementRow(models.Model):
    """One row of a statement as read: KPJ, name, months paid, amount."""

    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    row_no = models.PositiveIntegerField(_("baris"))
    kpj_number = models.CharField(_("nomor KPJ"), max_length=20)
    full_name = models.CharField(_("nama"), max_length=150, blank=True)
    months = models.JSONField(_("bulan dibayar"), default=list)  # ["2025-01", …]
    amount = models.PositiveBigIntegerField(_("jumlah (Rp)"))

    class Meta:
        ordering = ["statement_id", "row_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "row_no"], name="contributions_statement_row_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.row_no} {self.kpj_number}"


class Discrepancy(models.Model):
    """Where the BPJS statement and our bills disagree about one KPJ."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("Ditagih, tidak ada di rekening BPJS")
        EXTRA = "extra", _("Ada di rekening BPJS, tidak ditagih")
        AMOUNT_DIFFERS = "amount_differs", _("Jumlah berbeda")

    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        RESOLVED = "resolved", _("Selesai")

    statement = models.ForeignKey(
        StatementImport, on_delete=models.PROTECT, related_name="discrepancies"
    )
    # The nagari of the membership (or the kabupaten for a KPJ we do not know): scope.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("jenis"), max_length=16, choices=Kind.choices)
    kpj_number = models.CharField(_("nomor KPJ"), max_length=20)
    full_name = models.CharField(_("nama"), max_length=150, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="discrepancies"
    )
    our_months = models.JSONField(_("bulan ditagih"), default=list)
    their_months = models.JSONField(_("bulan menurut BPJS"), default=list)
    our_amount = models.PositiveBigIntegerField(_("jumlah ditagih (Rp)"), default=0)
    their_amount = models.PositiveBigIntegerField(_("jumlah menurut BPJS (Rp)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    resolution_note = models.TextField(_("penyelesaian"), blank=True)
    resolved_by = _user_fk()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement_id", "kind", "kpj_number"]
        verbose_name = _("selisih rekonsiliasi")
        verbose_name_plural = _("selisih rekonsiliasi")
        constraints = [
            # A resolved discrepancy says how and by whom.
            models.CheckConstraint(
                condition=Q(status="open")
                | (~Q(resolution_note="") & Q(resolved_at__isnull=False)),
                name="contributions_discrepancy_resolution_recorded",
            ),
        ]
        indexes = [
            # Serves "open discrepancies of these memberships" when a bill is reconciled.
            models.Index(fields=["membership", "status"], name="contrib_discrepancy_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: KPJ {self.kpj_number}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def difference(self) -> int:
        return self.their_amount - self.our_amount


# --- Arrears -------------------------------------------------------------------------------


class ArrearsNotice(models.Model):
    """A warning (about to lapse) or a lapse, found by the arrears check for a month."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Peringatan menunggak")
        LAPSE = "lapse", _("Nonaktif karena menunggak")

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="arrears_notices"
    )
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    as_of = month_field(_("per bulan"))
    unpaid_months = models.JSONField(_("bulan belum dibayar"), default=list)
    rule = models.ForeignKey(LapseRule, on_delete=models.PROTECT, related_name="notices")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of", "kind", "membership_id"]
        verbose_name = _("pemberitahuan tunggakan")
        verbose_name_plural = _("pemberitahuan tunggakan")
        constraints = [
            # Rule: the cron job may run daily; a month's notice is written once.
            models.UniqueConstraint(
                fields=["membership", "kind", "as_of"], name="contributions_notice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.membership_id} ({Month.from_date(self.as_of)})"


class ArrearsMonth(models.Model):
    """Summary: one month due and unpaid after a running member's last paid month (the
    months ``services.arrears`` counts), for the arrears page and API: they count and
    page these rows instead of reading the open bills' lines and every member's last
    paid month per request. Not bounded by a month: a reader takes the months up to its
    ``as_of`` (the last paid month does not depend on it).

    Rebuilt per kabupaten (of the member's village) by ``arrears_months_refresh``, which
    the figures refresh runs after every write that can change it — bills issued or
    paid, credits, lapses, memberships ending (``reports.signal_handlers``) — and the
    nightly ``reports_refresh``. Name and KPJ are copied for the list's order and rows.
    The scheduled check that lapses (``arrears_check(apply=True)``) never reads it.
    """

    regency = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = month_field(_("bulan"))
    # 1 for the member's first unpaid month, 2 for the second …: a member has at least
    # k unpaid months up to A exactly when its row k has ``month`` <= A, so "lapses at
    # A" is the rows (ordinal = the rule's months, month <= A): one row per member,
    # counted and paged without grouping.
    ordinal = models.PositiveSmallIntegerField()
    segment = models.CharField(max_length=3, choices=Segment.choices)
    village = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    full_name = models.CharField(max_length=200)
    kpj_number = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [
            # Serves the arrears page and API: one kabupaten's members with a k-th unpaid
            # month up to a month (and the refresh's delete by kabupaten).
            models.Index(
                fields=["regency", "segment", "ordinal", "month"], name="contrib_arrears_k_idx"
            ),
            # Serves reading the months of the members on one page.
            models.Index(fields=["membership", "month"], name="contrib_arrears_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.month:%Y-%m}"


class ArrearsRefresh(models.Model):
    """Whether one kabupaten's ``ArrearsMonth`` rows are current. A committed write that
    can change them bumps ``version`` (``arrears_months_stale_mark``, after the commit);
    a rebuild reads ``version`` before it reads any data and stores it as
    ``refreshed_version``: the rows are current while the two are equal. Readers fall
    back to the full computation while they are not (no kabupaten row: never built)."""

    regency = models.OneToOneField(
        Region, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)
    refreshed_version = models.BigIntegerField(default=-1)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.regency_id} v{self.version} (rows of v{self.refreshed_version})"


class Reactivation(models.Model):
    """A lapsed membership continued as a new coverage period (facts.md §1.4)."""

    lapsed = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="reactivation")
    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="reactivated_from"
    )
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pengaktifan kembali")
        verbose_name_plural = _("pengaktifan kembali")

    def __str__(self) -> str:
        return f"{self.lapsed_id} → {self.membership_id}"

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jamsos.budget.models import (
    FiscalYear,
    FundingSource,
    Phase,
    Reservation,
    RiskGroup,
    Segment,
)
from jamsos.lib.errors import InvalidTransition
from jamsos.lib.periods import Month, month_field
from jamsos.regions.models import Region
from jamsos.registry.models import Person


class Decree(models.Model):
    """SK Bupati penetapan penerima: fixes a phase's recipients.

    ``draft`` → ``approved`` (Dinas head) → ``issued`` (numbered and dated). An issued
    decree never changes: a correction is a new decree with ``amends`` set, whose lines
    add or remove persons.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        APPROVED = "approved", _("Disetujui kepala dinas")
        ISSUED = "issued", _("Ditetapkan")
        CANCELLED = "cancelled", _("Dibatalkan (draf)")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="decrees", verbose_name=_("kabupaten")
    )
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="decrees")
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="decrees"
    )
    reservation = models.ForeignKey(
        Reservation, on_delete=models.PROTECT, null=True, blank=True, related_name="decrees"
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("mengubah SK"),
    )
    amendment_note = models.TextField(_("hal yang diubah"), blank=True)
    title = models.CharField(_("judul"), max_length=300)
    # Empty until issued; unique per kabupaten once set.
    number = models.CharField(_("nomor"), max_length=120, blank=True)
    decree_date = models.DateField(_("tanggal penetapan"), null=True, blank=True)
    place = models.CharField(_("ditetapkan di"), max_length=100, blank=True)
    considerations = models.JSONField(_("menimbang"), default=list, blank=True)
    legal_bases = models.JSONField(_("mengingat"), default=list, blank=True)
    decisions = models.JSONField(_("memutuskan"), default=list, blank=True)
    signer_name = models.CharField(_("nama penanda tangan"), max_length=150, blank=True)
    signer_title = models.CharField(_("jabatan penanda tangan"), max_length=150, blank=True)
    first_month = month_field(_("pertanggungan mulai"))
    last_month = month_field(_("pertanggungan sampai"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("SK penetapan")
        verbose_name_plural = _("SK penetapan")
        constraints = [
            # Rule: a decree number is used once per kabupaten (drafts have none yet).
            models.UniqueConstraint(
                fields=["region", "number"],
                condition=~Q(number=""),
                name="enrollment_decree_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="enrollment_decree_ordered"
            ),
            # Rule: an issued decree has its number and date.
            models.CheckConstraint(
                condition=~Q(status="issued") | (~Q(number="") & Q(decree_date__isnull=False)),
                name="enrollment_decree_issued_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draf SK #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Immutability of issued decrees is enforced here as well as in the services, so
        # that no code path (admin, shell) can rewrite a signed legal act.
        if self.pk is not None and not kwargs.get("force_insert"):
            stored = Decree.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == Decree.Status.ISSUED:
                raise InvalidTransition(
                    gettext("SK yang sudah ditetapkan tidak dapat diubah; buat SK perubahan."),
                    code="decree_issued_immutable",
                )
        super().save(*args, **kwargs)

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def months(self) -> int:
        return Month.from_date(self.last_month) - Month.from_date(self.first_month) + 1  # type: ignore[operator]


class RejectionReason(models.TextChoices):
    """Why the BPJS branch refuses a registration (the reasons seen in practice)."""

    REGISTERED_PU = "terdaftar_pu", _("Sudah terdaftar sebagai peserta PU")
    REGISTERED_BPU = "terdaftar_bpu", _("Sudah terdaftar sebagai peserta BPU")
    NIK_UNKNOWN = "nik_dukcapil", _("NIK tidak dikenal Dukcapil")
    AGE = "usia", _("Usia di luar batas kepesertaan")
    DATA_MISMATCH = "data_tidak_sesuai", _("Data tidak sesuai KTP")
    DECEASED = "meninggal", _("Sudah meninggal dunia")
    OTHER = "lainnya", _("Lainnya")


class DecreeLine(models.Model):
    """One recipient in a decree's lampiran, with a snapshot of who they were then.

    The BPJS round trip is recorded on the line: accepted with a KPJ number and coverage
    start, or rejected with a reason (the person returns to the pool).
    """

    class Action(models.TextChoices):
        ADD = "add", _("Penerima")
        REMOVE = "remove", _("Dicoret (SK perubahan)")

    class BpjsStatus(models.TextChoices):
        PENDING = "pending", _("Menunggu verifikasi BPJS")
        ACCEPTED = "accepted", _("Diterima BPJS")
        REJECTED = "rejected", _("Ditolak BPJS")

    decree = models.ForeignKey(Decree, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("no."))
    action = models.CharField(max_length=6, choices=Action.choices, default=Action.ADD)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="decree_lines")
    nik = models.CharField(_("NIK"), max_length=16)
    full_name = models.CharField(_("nama"), max_length=150)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    occupation = models.CharField(_("pekerjaan"), max_length=100)
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="decree_lines"
    )
    segment = models.CharField(max_length=3, choices=Segment.choices, default=Segment.BPU)
    first_month = month_field(_("mulai"))
    last_month = month_field(_("sampai"))
    bpjs_status = models.CharField(
        max_length=10, choices=BpjsStatus.choices, default=BpjsStatus.PENDING
    )
    bpjs_reason = models.CharField(_("alasan penolakan"), max_length=255, blank=True)
    kpj_number = models.CharField(_("nomor KPJ"), max_length=20, blank=True)
    bpjs_coverage_start = models.DateField(null=True, blank=True)
    bpjs_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    bpjs_recorded_at = models.DateTimeField(null=True, blank=True)
    bpjs_reason_code = models.CharField(
        _("kode alasan"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    # Set when an issued amending decree strikes this person out ("dicoret").
    removed_by_line = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicoret oleh"),
    )
    # Money of a rejected or struck-out person goes back to the reservation: ``ref`` marks
    # the line as due (one ref per recording), ``returned_at`` says it was done.
    budget_return_ref = models.CharField(max_length=40, blank=True)
    budget_returned_at = models.DateTimeField(null=True, blank=True)

    # The recipient content of a line is part of the legal act; only these columns, kept
    # by the system, may change once the decree is issued.
    BOOKKEEPING_FIELDS = frozenset(
        {
            "bpjs_status",
            "bpjs_reason",
            "bpjs_reason_code",
            "kpj_number",
            "bpjs_coverage_start",
            "bpjs_recorded_by",
            "bpjs_recorded_at",
            "removed_by_line",
            "budget_return_ref",
            "budget_returned_at",
        }
    )

    class Meta:
        ordering = ["decree_id", "line_no"]
        verbose_name = _("lampiran SK")
        verbose_name_plural = _("lampiran SK")
        constraints = [
            models.UniqueConstraint(fields=["decree", "person"], name="enrollment_line_person"),
            models.UniqueConstraint(fields=["decree", "line_no"], name="enrollment_line_no"),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="enrollment_line_ordered"
            ),
        ]
        indexes = [
            # Serves the BPJS officer's queue: lines still waiting for verification.
            models.Index(fields=["decree", "bpjs_status"], name="enrollment_line_bpjs_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.decree}: {self.line_no}. {self.full_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A line of an issued decree keeps its recipient content; only the BPJS and budget
        # bookkeeping may be written, and only by naming those fields.
        if self.pk is not None and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if (fields is None or not set(fields) <= self.BOOKKEEPING_FIELDS) and (
                Decree.objects.filter(pk=self.decree_id, status=Decree.Status.ISSUED).exists()
            ):
                raise InvalidTransition(
                    gettext(
                        "Lampiran SK yang sudah ditetapkan tidak dapat diubah; buat SK perubahan."
                    ),
                    code="decree_issued_immutable",
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if Decree.objects.filter(pk=self.decree_id, status=Decree.Status.ISSUED).exists():
            raise InvalidTransition(
                gettext("Lampiran SK yang sudah ditetapkan tidak dapat dihapus."),
                code="decree_issued_immutable",
            )
        return super().delete(*args, **kwargs)

    @property
    def audit_region_code(self) -> str:
        return self.village_id

    @property
    def is_live(self) -> bool:
        """Still a recipient: added, not rejected by BPJS and not struck out."""
        return (
            self.action == self.Action.ADD
            and self.bpjs_status != self.BpjsStatus.REJECTED
            and self.removed_by_line_id is None
        )


class Membership(models.Model):
    """A person's coverage: segment, programmes, payer, and the months covered.

    One row per continuous coverage period; a lapse ends it and reactivation starts a new
    row (facts.md §1.4), which matters for the 3-month and 3-year claim rules.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu aktif")
        ACTIVE = "active", _("Aktif")
        LAPSED = "lapsed", _("Nonaktif (menunggak)")
        ENDED = "ended", _("Berakhir")
        DECEASED = "deceased", _("Meninggal")
        CANCELLED = "cancelled", _("Batal sebelum mulai")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices)
    programmes = models.JSONField(_("program"), default=list)  # ["jkk", "jkm"]
    funding_source = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("sumber dana"),
    )
    decree_line = models.OneToOneField(
        DecreeLine, on_delete=models.PROTECT, null=True, blank=True, related_name="membership"
    )
    # Copied from the person's village at enrolment, for scoping and reporting by region.
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kpj_number = models.CharField(_("nomor KPJ"), max_length=20, blank=True, db_index=True)
    # PU (wage earners, e.g. the Pemda's non-ASN): the monthly wage and the employer's
    # JKK risk group the contribution is a percentage of (PP 44/2015 Lampiran I). Empty
    # for BPU, whose base is an income bracket (budget's ``IncomeBracket``).
    wage = models.PositiveBigIntegerField(_("upah sebulan (Rp)"), null=True, blank=True)
    # db_default: bulk inserts that name only the older columns (memberships created from
    # accepted decree lines) still write "" here.
    risk_group = models.CharField(
        _("kelompok risiko"),
        max_length=15,
        choices=RiskGroup.choices,
        blank=True,
        default="",
        db_default="",
    )
    first_month = month_field(_("bulan pertama"))
    last_month = month_field(_("bulan terakhir"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.CharField(_("keterangan status"), max_length=255, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    # The Agen Perisai who recruited the person: kept on every later coverage period (the
    # fee follows the recruiter); a renewal handled by another agent is recorded apart,
    # as openIMIS keeps ``Policy.officer`` and ``PolicyRenewal.new_officer``.
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("agen perekrut"),
    )
    renewed_by_agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_memberships",
        verbose_name=_("agen perpanjangan"),
    )

    class Meta:
        ordering = ["person_id", "first_month"]
        verbose_name = _("kepesertaan")
        verbose_name_plural = _("kepesertaan")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="enrollment_member_ordered"
            ),
            # Rule: a wage and a risk group belong to PU memberships only (a PU
            # membership without them yet is not billed until they are recorded).
            models.CheckConstraint(
                condition=Q(segment="pu") | (Q(wage__isnull=True) & Q(risk_group="")),
                name="enrollment_member_wage_only_pu",
            ),
        ]
        indexes = [
            # Serves the monthly billing run: memberships covering a month, by status.
            models.Index(
                fields=["status", "first_month", "last_month"], name="enrollment_member_bill_idx"
            ),
            # Serves "this person's coverage on a date" (claims eligibility).
            models.Index(fields=["person", "first_month"], name="enrollment_member_person_idx"),
            # Serves the list's pages: the next start month (MAX below a bound) in scope.
            models.Index(fields=["first_month"], name="enrollment_member_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.first_month:%m/%Y}–{self.last_month:%m/%Y}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id

    # Statuses whose months were (or will be) really covered: a second coverage of the
    # same person may not overlap them. A lapsed membership stopped before its last
    # month (reactivation starts a new row); a cancelled one never started.
    COVERING_STATUSES = (Status.PENDING, Status.ACTIVE, Status.ENDED, Status.DECEASED)

    def covers(self, month: Month) -> bool:
        return self.first_month <= month.first_day() <= self.last_month


class MembershipCount(models.Model):
    """Summary: how many memberships share a (village, funding source, status, first
    month, last month). A few thousand rows stand for a million memberships, so the
    totals of the memberships page and API and the transparency report's "registered"
    per month read this table, never the memberships.

    Kept right by the database itself: triggers on ``enrollment_membership`` (migration
    0011; PostgreSQL per statement with transition tables, SQLite per row) add and
    subtract on every insert, update and delete, whichever code path or raw SQL wrote
    the membership, in the writing transaction. ``memberships.membership_counts_rebuild``
    is the full recomputation (tests compare the two). Rows whose count went back to 0
    stay (a later write reuses them); readers skip them.
    """

    # No foreign-key constraints: the triggers write these columns from a membership
    # row that already satisfies them, and scoping reads only the codes.
    village = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Membership.Status.choices)
    first_month = models.DateField()
    last_month = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("jumlah kepesertaan")
        verbose_name_plural = _("jumlah kepesertaan")
        constraints = [
            # The triggers' upsert key (ON CONFLICT): one row per group.
            models.UniqueConstraint(
                fields=["village", "funding_source", "status", "first_month", "last_month"],
                name="enrollment_count_group_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.funding_source_id} {self.status}: {self.n}"


class DecreeLineCount(models.Model):
    """Summary: how many decree lines share a (decree, village, action, BPJS status, BPJS
    reason code). The per-phase funnel and the BPJS rejection reasons of the report
    charts, and the BPJS officer's queue, read these few rows per decree instead of the
    decree's lines (a year's decrees hold up to a million).

    Kept right by the database like ``MembershipCount``: triggers on
    ``enrollment_decreeline`` (migration 0012; PostgreSQL per statement with transition
    tables, SQLite per row), in the writing transaction, whatever wrote the line.
    ``decrees.decree_line_counts_rebuild`` is the full recomputation. Rows whose count
    went back to 0 stay; readers skip them.
    """

    # No foreign-key constraints: the triggers write these from a line that satisfies
    # them (a decree's deletion deletes its lines, which brings these rows to 0).
    decree = models.ForeignKey(
        Decree, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    village = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=6, choices=DecreeLine.Action.choices)
    bpjs_status = models.CharField(max_length=10, choices=DecreeLine.BpjsStatus.choices)
    bpjs_reason_code = models.CharField(max_length=20, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("jumlah baris SK")
        verbose_name_plural = _("jumlah baris SK")
        constraints = [
            # The triggers' upsert key (ON CONFLICT): one row per group.
            models.UniqueConstraint(
                fields=["decree", "village", "action", "bpjs_status", "bpjs_reason_code"],
                name="enrollment_line_count_group_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decree_id} {self.village_id} {self.action} {self.bpjs_status}: {self.n}"


class DecreeSetting(models.Model):
    """How a kabupaten writes its SK penetapan: place, signer, number pattern, texts.

    The row without a region is the standard text every kabupaten starts from (seeded by
    migration 0003); a kabupaten's own row overrides it field by field (an empty field
    falls back to the standard). Texts may use the placeholders listed in
    ``jamsos.enrollment.texts.PLACEHOLDERS``.
    """

    region = models.OneToOneField(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decree_setting",
        verbose_name=_("kabupaten/kota"),
    )
    place = models.CharField(_("ditetapkan di"), max_length=100, blank=True)
    signer_title = models.CharField(_("jabatan penanda tangan"), max_length=150, blank=True)
    signer_name = models.CharField(_("nama penanda tangan"), max_length=150, blank=True)
    # "188.45/{seq}/KPTS-BPT-{year}": suggested for the next decree at issue time.
    number_format = models.CharField(_("pola nomor SK"), max_length=120, blank=True)
    title_template = models.CharField(_("pola judul"), max_length=300, blank=True)
    perbup = models.TextField(
        _("Peraturan Bupati/Wali Kota program ini"),
        blank=True,
        help_text=_("Ditambahkan ke dasar hukum (mengingat) setiap SK."),
    )
    considerations = models.JSONField(_("menimbang"), default=list, blank=True)
    legal_bases = models.JSONField(_("mengingat (tetap)"), default=list, blank=True)
    decisions = models.JSONField(_("memutuskan"), default=list, blank=True)
    amendment_considerations = models.JSONField(
        _("menimbang (SK perubahan)"), default=list, blank=True
    )
    amendment_decisions = models.JSONField(_("memutuskan (SK perubahan)"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("format SK")
        verbose_name_plural = _("format SK")

    def __str__(self) -> str:
        return f"Format SK {self.region.name if self.region_id else '(standar)'}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id or ""


class DecreeDocument(models.Model):
    """A generated decree file (PDF or xlsx), made in the background for large decrees.

    ``fingerprint`` names the decree's content at the time (status, number, texts, lines),
    so a ready file is reused while the decree is unchanged, and an issued decree's files
    never need generating twice.
    """

    class Kind(models.TextChoices):
        OFFICIAL_PDF = "official_pdf", _("SK resmi (PDF)")
        PUBLIC_PDF = "public_pdf", _("Salinan publik, NIK disamarkan (PDF)")
        LAMPIRAN_XLSX = "lampiran_xlsx", _("Lampiran (Excel)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Sedang dibuat")
        READY = "ready", _("Siap diunduh")
        FAILED = "failed", _("Gagal")
        EXPIRED = "expired", _("Kedaluwarsa")

    decree = models.ForeignKey(Decree, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Relative to settings.GENERATED_ROOT.
    file_path = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The task that claimed (or will claim) the row: run again under the same id after
    # its worker died, it reclaims its own ``running`` row (services.documents).
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Rule: one file per decree, kind and content; a second request reuses it.
            models.UniqueConstraint(
                fields=["decree", "kind", "fingerprint"], name="enrollment_document_unique"
            ),
            models.CheckConstraint(
                condition=Q(rows_done__lte=F("rows_total")),
                name="enrollment_document_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decree}"

    @property
    def audit_region_code(self) -> str:
        return self.decree.region_id

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0 if self.status != self.Status.READY else 100
        return min(100, round(100 * self.rows_done / self.rows_total))


class BpjsResultImport(models.Model):
    """A result file from the BPJS branch, imported once (the same bytes twice add nothing)."""

    decree = models.ForeignKey(Decree, on_delete=models.PROTECT, related_name="bpjs_imports")
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    rows_total = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [
            # Rule: a result file is imported once per decree (idempotent re-upload).
            models.UniqueConstraint(
                fields=["decree", "file_sha256"], name="enrollment_bpjs_import_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Hasil BPJS {self.file_name}"

    @property
    def audit_region_code(self) -> str:
        return self.decree.region_id


class RenewalProposal(models.Model):
    """Next year's continuation of this year's members, as a proposal to the budget.

    Made by ``membership_renewal_propose``: it names the persons whose coverage ends in
    December and what continuing them for the whole next year costs; the Dinas then
    reserves it against a pagu (``renewal_reserve``) and drafts the decree as usual.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Diusulkan")
        RESERVED = "reserved", _("Sudah direservasi")

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="renewal_proposals"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    persons = models.PositiveIntegerField(_("jumlah orang"), default=0)
    # The cost of the persons for 12 months at next year's rates, per funding kind.
    estimate = models.JSONField(default=dict, blank=True)
    reservations = models.ManyToManyField(Reservation, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("usulan perpanjangan")
        verbose_name_plural = _("usulan perpanjangan")
        constraints = [
            # Rule: one renewal proposal per fiscal year (re-running adds to it).
            models.UniqueConstraint(fields=["fiscal_year"], name="enrollment_renewal_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"Perpanjangan {self.fiscal_year}"

    @property
    def audit_region_code(self) -> str:
        return self.fiscal_year.region_id


class RenewalCandidate(models.Model):
    """One person carried into next year, with the coverage it continues."""

    proposal = models.ForeignKey(RenewalProposal, on_delete=models.CASCADE, related_name="lines")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    reservation = models.ForeignKey(
        Reservation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["proposal_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "person"], name="enrollment_renewal_person_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.person_id}"


class LegalBasis(models.Model):
    """A regulation a decree may cite under *Mengingat*: type, number, year, full title
    and the dates it is in force (issue 9).

    A decree cites the rows in force on its date, each once, ordered by the hierarchy of
    UU 12/2011 (``Kind`` is that order). An amendment (``amends``) is never cited on its
    own: it is folded into the citation of the regulation it amends ("… sebagaimana telah
    diubah dengan …") from the day it is in force. ``region`` empty is a national
    regulation; otherwise only decrees of that region (or below it) cite it. Seeded by
    migration 0006 from facts.md and the seed paper; admins edit the rows.
    """

    class Kind(models.IntegerChoices):
        # Hierarchy of UU 12/2011 Pasal 7–8, then the non-regulatory instruments.
        UU = 10, _("Undang-Undang")
        PP = 20, _("Peraturan Pemerintah")
        PERPRES = 30, _("Peraturan Presiden")
        PERMEN = 40, _("Peraturan Menteri")
        PERDA_PROVINSI = 50, _("Peraturan Daerah Provinsi")
        PERGUB = 55, _("Peraturan Gubernur")
        PERDA = 60, _("Peraturan Daerah Kabupaten/Kota")
        PERBUP = 70, _("Peraturan Bupati/Wali Kota")
        INSTRUKSI = 80, _("Instruksi")
        KEPUTUSAN = 90, _("Keputusan")

    kind = models.PositiveSmallIntegerField(_("jenis"), choices=Kind.choices)
    # As cited: "Undang-Undang", "Instruksi Bupati Sijunjung", "Peraturan Daerah Kabupaten
    # Sijunjung"; the kind's name when empty.
    form = models.CharField(_("sebutan"), max_length=120, blank=True)
    number = models.CharField(_("nomor"), max_length=60)
    year = models.PositiveSmallIntegerField(_("tahun"))
    title = models.CharField(_("judul lengkap (tentang …)"), max_length=500)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("berlaku di wilayah"),
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("mengubah"),
    )
    in_force_from = models.DateField(_("berlaku sejak"))
    in_force_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    confirmed = models.BooleanField(_("terkonfirmasi"), default=False)
    source = models.TextField(_("sumber/catatan"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "year", "number"]
        verbose_name = _("dasar hukum")
        verbose_name_plural = _("dasar hukum")
        constraints = [
            # One row per instrument: the same number and year of the same form.
            models.UniqueConstraint(
                fields=["kind", "form", "number", "year"], name="enrollment_legal_basis_unique"
            ),
            models.CheckConstraint(
                condition=Q(in_force_until__isnull=True)
                | Q(in_force_until__gte=F("in_force_from")),
                name="enrollment_legal_basis_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945) & Q(year__lte=2100),
                name="enrollment_legal_basis_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name()

    @property
    def audit_region_code(self) -> str:
        return self.region_id or ""

    def form_name(self) -> str:
        return self.form.strip() or str(self.Kind(self.kind).label)

    def reference(self) -> str:
        """ "Peraturan Pemerintah Nomor 44 Tahun 2015"; a composite number (560/391.a/…)
        carries its year already."""
        if "/" in self.number:
            return f"{self.form_name()} Nomor {self.number}"
        return f"{self.form_name()} Nomor {self.number} Tahun {self.year}"

    def short_name(self) -> str:
        return f"{self.reference()} tentang {self.title}"

    def in_force_on(self, day: Any) -> bool:
        if day < self.in_force_from:
            return False
        return self.in_force_until is None or day <= self.in_force_until

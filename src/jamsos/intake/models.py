from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import Agency
from jamsos.lib.errors import DomainError
from jamsos.regions.models import Region
from jamsos.registry.models import Person


class ProposalBatch(models.Model):
    """One proposal list (usulan) from a Camat office, an agent or the Dinas.

    Life cycle (maker-checker):
    ``draft`` (a form batch being filled) or ``queued`` (file staged) → ``validating`` →
    ``validated`` (the operator reviews rows) → ``submitted`` (sent to the head) →
    ``approved`` → ``applying`` (a background task creates the persons) → ``applied``;
    ``apply_failed`` when that task failed (the registry unchanged; the head may retry);
    ``rejected`` by the head, or ``failed`` when the file could not be read.
    """

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Unggah berkas")
        FORM = "form", _("Formulir")
        API = "api", _("API")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        QUEUED = "queued", _("Menunggu validasi")
        VALIDATING = "validating", _("Sedang divalidasi")
        VALIDATED = "validated", _("Siap diperiksa")
        SUBMITTED = "submitted", _("Diajukan ke kepala dinas")
        APPROVED = "approved", _("Disetujui")
        APPLYING = "applying", _("Sedang diterapkan")
        APPLIED = "applied", _("Masuk registri")
        APPLY_FAILED = "apply_failed", _("Gagal diterapkan")
        REJECTED = "rejected", _("Ditolak")
        FAILED = "failed", _("Gagal dibaca")

    title = models.CharField(_("judul"), max_length=200, blank=True)
    source = models.CharField(_("sumber"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposal_batches",
        verbose_name=_("pengusul"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="proposal_batches",
        verbose_name=_("instansi pengusul"),
    )
    # The region the batch proposes for; every row's village must lie inside it.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="proposal_batches",
        verbose_name=_("wilayah"),
    )
    original_file = models.FileField(upload_to="intake/%Y/%m/", blank=True)
    file_name = models.CharField(_("nama berkas"), max_length=255, blank=True)
    # SHA-256 of the uploaded bytes: the same file twice is recognised, not re-added.
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    column_mapping = models.JSONField(default=dict, blank=True)

    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)  # progress while validating
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_duplicate_in_file = models.PositiveIntegerField(default=0)
    rows_already_registered = models.PositiveIntegerField(default=0)
    rows_possible_duplicate = models.PositiveIntegerField(default=0)
    rows_applied = models.PositiveIntegerField(default=0)
    # {"errors": {code: n}, "warnings": {code: n}}
    summary = models.JSONField(default=dict, blank=True)
    failure_message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # Age eligibility is judged on this date (default: first day of the next month).
    coverage_start = models.DateField(_("mulai kepesertaan"), null=True, blank=True)
    # Set while the batch gathers one proposer's one-person proposals of that day; the
    # submit clears it (the batch is closed), so the next proposal opens a new batch.
    gather_day = models.DateField(
        _("mengumpulkan usulan perorangan tanggal"), null=True, blank=True
    )
    # The Agen Perisai who proposed the batch (its proposer's agent record), if any.
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_batches",
        verbose_name=_("agen"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("usulan")
        verbose_name_plural = _("usulan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_processed__lte=models.F("rows_total")),
                name="intake_batch_progress_within_total",
            ),
            # One open batch of one-person proposals per proposer and day: two proposals
            # sent at once cannot open two (person_propose retries on the conflict).
            models.UniqueConstraint(
                fields=["proposer", "gather_day"],
                condition=models.Q(gather_day__isnull=False),
                name="intake_batch_one_open_single_batch",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Usulan #{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_processed / self.rows_total))


class ProposalRow(models.Model):
    """One proposed person: what the file said, what we made of it, and its fate."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        INVALID = "invalid", _("Tidak valid")
        DUPLICATE_IN_FILE = "duplicate_in_file", _("Ganda dalam berkas")
        ALREADY_REGISTERED = "already_registered", _("Sudah terdaftar")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Belum diputuskan")
        ACCEPTED = "accepted", _("Diterima")
        REJECTED = "rejected", _("Ditolak")
        SAME_PERSON = "same_person", _("Orang yang sama (tidak ditambahkan)")

    # No index of its own: the (batch, row_number) unique index leads with the batch.
    batch = models.ForeignKey(
        ProposalBatch, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField(_("baris"))
    raw = models.JSONField(default=dict, blank=True)  # header → value exactly as read
    values = models.JSONField(default=dict, blank=True)  # normalised field → value
    nik = models.CharField(max_length=32, blank=True)
    full_name = models.CharField(max_length=150, blank=True)
    # Rows are written 100,000 at a time: only the indexes a query needs (see Meta).
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    # [{"code", "severity": "error"|"warning", "column", "value", "message"}]
    issues = models.JSONField(default=list, blank=True)
    # The issue codes again, space-delimited (" nik_format phone_invalid "): serves the
    # review page's "rows with code X" filter on every database without JSON operators.
    issue_codes = models.CharField(max_length=500, blank=True, default="")
    possible_duplicate = models.BooleanField(default=False)
    # [{"source": "file"|"registry", "row_number"|"person_id", "nik", "name", "score"}]
    duplicate_candidates = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.CharField(max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The sosialisasi event the person heard of the programme at (its QR code on the
    # proposal form, ``outreach.OutreachEvent.code``): counts conversion, not a cause.
    # From the phone form/API, or a file's "Kode Kegiatan" column (written by the bulk
    # row writer, ``intake.rowstore``). Empty, not NULL (Django style). A database default
    # too: PostgreSQL adds the column with a constant default without rewriting the table.
    event_code = models.CharField(
        _("kode kegiatan"), max_length=20, blank=True, default="", db_default=""
    )
    # Indexed: a person's page lists the rows that proposed them.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal_rows"
    )
    # The agent who brought this person (a one-person proposal from the agent's phone).
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_rows",
        verbose_name=_("agen"),
    )

    class Meta:
        ordering = ["batch_id", "row_number"]
        verbose_name = _("baris usulan")
        verbose_name_plural = _("baris usulan")
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="intake_row_unique"),
        ]
        indexes = [
            # Serves the review page's filters: rows of a batch by status.
            models.Index(fields=["batch", "status"], name="intake_row_batch_status_idx"),
            # Serves "an earlier row of this batch with this NIK" (row_fix) and NIK search.
            models.Index(fields=["batch", "nik"], name="intake_row_batch_nik_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.full_name}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id or self.batch.region_id


class EligibilityRule(models.Model):
    """Who may be proposed, by age at the start of coverage: regulation data, not code.

    The rule in force on a date is the one with the latest ``valid_from`` on or before it.
    Seeded with at least 18 and under 65 years (facts.md §1.5: unconfirmed; an admin
    corrects it when the regulation is confirmed, with a new row from its date).
    """

    valid_from = models.DateField(_("berlaku mulai"), unique=True)
    min_age = models.PositiveSmallIntegerField(_("umur paling rendah"))
    max_age_exclusive = models.PositiveSmallIntegerField(_("umur harus di bawah"))
    legal_basis = models.CharField(_("dasar hukum"), max_length=255)
    confirmed = models.BooleanField(_("sudah dikonfirmasi"), default=False)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("syarat umur")
        verbose_name_plural = _("syarat umur")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_age__lt=models.F("max_age_exclusive")),
                name="intake_eligibility_age_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.min_age}–<{self.max_age_exclusive} tahun sejak {self.valid_from}"

    @classmethod
    def in_force(cls, on: dt.date) -> EligibilityRule:
        rule = cls.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
        if rule is None:
            raise DomainError(
                gettext("Tidak ada syarat umur yang berlaku pada %(on)s.")
                % {"on": format(on, "%d-%m-%Y")},
                code="eligibility_rule_missing",
            )
        return rule

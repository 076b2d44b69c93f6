from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.budget.models import FiscalYear, FundingSource, Phase, Reservation, Segment
from jamsos.lib.errors import InvalidTransition
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.registry.models import Person


def month_field(verbose_name: str, **kwargs: Any) -> models.DateField:
    """A calendar month, stored as its first day (see ``jamsos.lib.periods``)."""
    return models.DateField(verbose_name, help_text=_("Tanggal 1 bulan tersebut."), **kwargs)


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
                    "SK yang sudah ditetapkan tidak dapat diubah; buat SK perubahan.",
                    code="decree_issued_immutable",
                )
        super().save(*args, **kwargs)

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def months(self) -> int:
        return Month.from_date(self.last_month) - Month.from_date(self.first_month) + 1  # type: ignore[operator]


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

    @property
    def audit_region_code(self) -> str:
        return self.village_id


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
    first_month = month_field(_("bulan pertama"))
    last_month = month_field(_("bulan terakhir"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.CharField(_("keterangan status"), max_length=255, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person_id", "first_month"]
        verbose_name = _("kepesertaan")
        verbose_name_plural = _("kepesertaan")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="enrollment_member_ordered"
            ),
        ]
        indexes = [
            # Serves the monthly billing run: memberships covering a month, by status.
            models.Index(
                fields=["status", "first_month", "last_month"], name="enrollment_member_bill_idx"
            ),
            # Serves "this person's coverage on a date" (claims eligibility).
            models.Index(fields=["person", "first_month"], name="enrollment_member_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.first_month:%m/%Y}–{self.last_month:%m/%Y}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id

    def covers(self, month: Month) -> bool:
        return self.first_month <= month.first_day <= self.last_month

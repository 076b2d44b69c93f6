"""Reaching people: sosialisasi events as records, and the JKM follow-up of every death.

*Events* (design-governance.md §4.5): date, place, nagari, kind, organisers (BPJS duty
B3), officials present, audience segments, attendance counts by sex, materials, and an
event code printed as a QR that later proposals carry (conversion, a count, not a cause).

*Follow-ups*: "no death goes unclaimed". When a member dies (an agent's report, a death
claim, a Dukcapil death list), a ``FollowUp`` lands with the agent of the nagari until a
claim is filed (it closes by itself) or a reason is recorded.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import Agency
from jamsos.regions.models import Region
from jamsos.registry.models import Person


class EventKind(models.TextChoices):
    SOSIALISASI = "sosialisasi", _("Sosialisasi")
    PENYERAHAN_SANTUNAN = "penyerahan_santunan", _("Penyerahan santunan")
    PELATIHAN_AGEN = "pelatihan_agen", _("Pelatihan agen")
    RAKOR_NAGARI = "rakor_nagari", _("Rapat koordinasi nagari")
    PELUNCURAN = "peluncuran", _("Peluncuran program")


class AudienceSegment(models.TextChoices):
    PETANI = "petani", _("Petani/pekebun")
    PEDAGANG = "pedagang", _("Pedagang")
    NELAYAN = "nelayan", _("Nelayan")
    GURU_TPQ = "guru_tpq", _("Guru TPQ/MDTA")
    IMAM = "imam", _("Imam, khatib, garin")
    PERANGKAT = "perangkat_nagari", _("Perangkat nagari")
    BURUH = "buruh_harian", _("Buruh harian")
    PEMUDA = "pemuda", _("Pemuda")
    PEREMPUAN = "perempuan", _("Kelompok perempuan/PKK")
    UMUM = "umum", _("Masyarakat umum")


class OutreachEvent(models.Model):
    """One sosialisasi (or handover, training, coordination meeting) held in a nagari."""

    code = models.CharField(_("kode kegiatan"), max_length=20, unique=True)
    title = models.CharField(_("judul"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=EventKind.choices)
    held_on = models.DateField(_("tanggal"))
    place = models.CharField(_("tempat"), max_length=200)
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("nagari")
    )
    organiser = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("penyelenggara")
    )
    co_organisers = models.ManyToManyField(
        Agency, blank=True, related_name="+", verbose_name=_("penyelenggara bersama")
    )
    # The agreement obligation the event fulfils ("B3": BPJS's sosialisasi duty), so the
    # collaboration scorecard can count it; empty when none.
    obligation_code = models.CharField(_("kewajiban PKS"), max_length=20, blank=True)
    audience_segments = models.JSONField(_("sasaran"), default=list, blank=True)
    attendance_male = models.PositiveIntegerField(_("hadir laki-laki"), default=0)
    attendance_female = models.PositiveIntegerField(_("hadir perempuan"), default=0)
    # Total may exceed male + female (attendees not counted by sex).
    attendance_total = models.PositiveIntegerField(_("jumlah hadir"), default=0)
    notes = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("kegiatan sosialisasi")
        verbose_name_plural = _("kegiatan sosialisasi")
        constraints = [
            models.CheckConstraint(
                condition=Q(attendance_total__gte=F("attendance_male") + F("attendance_female")),
                name="outreach_event_attendance_total",
            ),
        ]
        indexes = [
            # Serves "nagari reached in the last 12 months" and the per-nagari history.
            models.Index(fields=["village", "held_on"], name="outreach_event_village_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class EventOfficial(models.Model):
    """An official present: the agency and level count (leadership indicators), the name
    is optional and public-role only."""

    class Level(models.TextChoices):
        PIMPINAN = "pimpinan", _("Pimpinan")
        PEJABAT = "pejabat", _("Pejabat")
        STAF = "staf", _("Staf")

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="officials")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    position = models.CharField(_("jabatan"), max_length=150, blank=True)

    class Meta:
        ordering = ["event_id", "pk"]
        verbose_name = _("pejabat hadir")
        verbose_name_plural = _("pejabat hadir")

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_level_display()})"


def _material_path(instance: EventMaterial, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"outreach/{timezone.now():%Y/%m}/{uuid4().hex}{suffix}"


class EventMaterial(models.Model):
    """A file of an event. Sign-in sheets and photos of people are personal data: only
    the event's scope may open them, and each download is logged."""

    class Kind(models.TextChoices):
        MATERI = "materi", _("Materi paparan")
        NOTULEN = "notulen", _("Notulen/laporan")
        FOTO = "foto", _("Foto kegiatan")
        DAFTAR_HADIR = "daftar_hadir", _("Daftar hadir")

    PERSONAL_KINDS = frozenset({Kind.FOTO, Kind.DAFTAR_HADIR})

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("jenis"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=200)
    file = models.FileField(upload_to=_material_path)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event_id", "kind", "pk"]
        verbose_name = _("berkas kegiatan")
        verbose_name_plural = _("berkas kegiatan")

    def __str__(self) -> str:
        return self.title

    @property
    def is_personal(self) -> bool:
        return self.kind in self.PERSONAL_KINDS


class FollowUp(models.Model):
    """A death that still needs a JKM claim, on the agent of the nagari's list."""

    class Source(models.TextChoices):
        AGENT_REPORT = "agent_report", _("Laporan agen/petugas")
        CLAIM = "claim", _("Klaim kematian")
        DUKCAPIL = "dukcapil", _("Daftar kematian Dukcapil")

    class Status(models.TextChoices):
        OPEN = "open", _("Belum diklaim")
        CLAIMED = "claimed", _("Klaim sudah diajukan")
        CLOSED = "closed", _("Ditutup dengan alasan")

    class Reason(models.TextChoices):
        NO_HEIR = "no_heir", _("Tidak ada ahli waris")
        NOT_COVERED = "not_covered", _("Tidak dalam masa perlindungan saat meninggal")
        CLAIMED_ELSEWHERE = "claimed_elsewhere", _("Sudah diklaim di kantor/program lain")
        FAMILY_DECLINED = "family_declined", _("Keluarga tidak ingin mengajukan")
        WRONG_PERSON = "wrong_person", _("Data kematian keliru (masih hidup/orang lain)")
        OTHER = "other", _("Lainnya")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="followups")
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("nagari")
    )
    died_on = models.DateField(_("tanggal meninggal"))
    source = models.CharField(_("sumber"), max_length=15, choices=Source.choices)
    source_note = models.CharField(_("keterangan sumber"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("alasan"), max_length=20, choices=Reason.choices, blank=True)
    reason_note = models.CharField(_("keterangan"), max_length=255, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # An agent's report is not proof; a second person (Dinas) who checked it confirms it,
    # and only then is the person recorded deceased and their cover ended.
    death_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    death_confirmed_at = models.DateTimeField(null=True, blank=True)
    death_confirmed_note = models.CharField(_("dasar konfirmasi"), max_length=255, blank=True)

    class Meta:
        ordering = ["status", "-died_on", "-pk"]
        verbose_name = _("tindak lanjut klaim JKM")
        verbose_name_plural = _("tindak lanjut klaim JKM")
        constraints = [
            # Rule: one follow-up per person (a death is followed up once, whoever reported
            # it first); a second report finds it.
            models.UniqueConstraint(fields=["person"], name="outreach_followup_one_per_person"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(reason=""),
                name="outreach_followup_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="claimed") | Q(claim__isnull=False),
                name="outreach_followup_claimed_has_claim",
            ),
            # Maker-checker: whoever reported the death cannot confirm it.
            models.CheckConstraint(
                condition=Q(death_confirmed_by__isnull=True)
                | Q(opened_by__isnull=True)
                | ~Q(death_confirmed_by=F("opened_by")),
                name="outreach_followup_confirmer_not_reporter",
            ),
        ]
        indexes = [
            # Serves the agent's list: open follow-ups of a nagari.
            models.Index(fields=["village", "status"], name="outreach_followup_village_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.died_on:%d-%m-%Y})"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class DeathImport(models.Model):
    """One Dukcapil death list imported: the same file twice is recognised, not re-applied."""

    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, unique=True)
    rows_total = models.PositiveIntegerField(default=0)
    members_found = models.PositiveIntegerField(default=0)
    followups_opened = models.PositiveIntegerField(default=0)
    not_members = models.PositiveIntegerField(default=0)
    already_known = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("impor daftar kematian")
        verbose_name_plural = _("impor daftar kematian")

    def __str__(self) -> str:
        return self.file_name

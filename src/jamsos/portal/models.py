"""The public portal's own rows: citizens' self-nominations (leads) and the log of
membership checks (without the NIK in clear)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.regions.models import Region


class Lead(models.Model):
    """A citizen (or a neighbour) asking to be protected, left on the open web.

    No NIK: only a name, the nagari, the occupation and a phone number, with consent. It
    lands in the queue of the nagari's agents and the kecamatan operator (scope by
    ``village``), who call back and propose the person properly through intake.
    """

    class Status(models.TextChoices):
        NEW = "new", _("Baru")
        CONTACTED = "contacted", _("Sudah dihubungi")
        PROPOSED = "proposed", _("Sudah diusulkan")
        UNREACHABLE = "unreachable", _("Tidak dapat dihubungi")

    OPEN_STATUSES = (Status.NEW, Status.CONTACTED)

    full_name = models.CharField(_("nama"), max_length=150)
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("nagari")
    )
    occupation = models.CharField(_("pekerjaan"), max_length=100)
    phone = models.CharField(_("nomor HP"), max_length=16)
    for_someone_else = models.BooleanField(_("didaftarkan oleh tetangga/kerabat"), default=False)
    consent_at = models.DateTimeField(_("persetujuan diberikan"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    note = models.TextField(_("catatan tindak lanjut"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calon peserta (daftar sendiri)")
        verbose_name_plural = _("calon peserta (daftar sendiri)")
        indexes = [models.Index(fields=["village", "status"], name="portal_lead_queue_idx")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.village_id})"

    @property
    def audit_region_code(self) -> str:
        return self.village_id

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class LookupLog(models.Model):
    """One public membership check: the NIK only as its keyed digest, the client address
    cut to its /24 (IPv4) or /48 (IPv6) prefix. Kept PORTAL_LOOKUP_LOG_RETENTION_DAYS."""

    class Outcome(models.TextChoices):
        MATCH = "match", _("Cocok")
        NO_MATCH = "no_match", _("Tidak ditemukan atau tidak cocok")
        LIMITED_IP = "limited_ip", _("Dibatasi: alamat")
        LIMITED_NIK = "limited_nik", _("Dibatasi: NIK")
        LIMITED_GLOBAL = "limited_global", _("Dibatasi: seluruh portal")
        LIMITED_SESSION = "limited_session", _("Dibatasi: sesi")

    nik_digest = models.CharField(max_length=64, blank=True, db_index=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    ip_prefix = models.CharField(max_length=45, blank=True, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("log cek kepesertaan")
        verbose_name_plural = _("log cek kepesertaan")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="match") | ~Q(nik_digest=""), name="portal_lookup_match_digest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.outcome}"

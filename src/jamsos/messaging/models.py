"""The outbox: templates, recipients' consent, and every message with its fate.

A message is written in the transaction of the event that caused it (an outbox, so a
rolled-back change sends nothing) and sent later by ``jamsos send_messages`` or its task.
A message is never deleted: it ends ``sent``, ``failed`` (visible on the staff page,
where it can be retried) or ``cancelled`` (with the reason).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.regions.models import Region


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


# Channels that reach a phone number (through the HTTP gateway).
PHONE_CHANNELS = frozenset({Channel.WHATSAPP, Channel.SMS})


class Template(models.Model):
    """The text of one kind of message on one channel, in Bahasa Indonesia.

    ``body`` (and ``subject`` for e-mail) hold ``{placeholder}`` names the event fills
    (``{nomor_klaim}``, ``{tahap}`` …); a name the event does not give is an error at
    enqueue time, never a half-filled message.
    """

    code = models.SlugField(_("kode"), max_length=60)
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subjek (e-mail)"), max_length=200, blank=True)
    body = models.TextField(_("isi"))
    is_active = models.BooleanField(_("aktif"), default=True)
    description = models.CharField(_("kapan dikirim"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "channel"]
        verbose_name = _("templat pesan")
        verbose_name_plural = _("templat pesan")
        constraints = [
            # Rule: one text per kind of message and channel (the enqueue looks it up so).
            models.UniqueConstraint(fields=["code", "channel"], name="messaging_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_channel_display()})"


class Consent(models.Model):
    """Whether a phone number or e-mail address may receive messages, and since when.

    One row per address (the latest word of its owner); every change is an audit event,
    so the history stays. Citizens (heirs, reporters) need a ``granted`` row before any
    message is sent to them; an ``opted_out`` address receives nothing, staff included.
    """

    class Status(models.TextChoices):
        GRANTED = "granted", _("Setuju menerima pesan")
        OPTED_OUT = "opted_out", _("Menolak / berhenti menerima pesan")

    class Source(models.TextChoices):
        CLAIM_FORM = "claim_form", _("Formulir klaim (ditandatangani keluarga)")
        PROPOSAL_FORM = "proposal_form", _("Formulir usulan peserta")
        ORAL = "oral", _("Lisan kepada petugas")
        REPLY_STOP = "reply_stop", _("Balasan BERHENTI/STOP")
        LETTER = "letter", _("Surat")
        OTHER = "other", _("Lainnya")

    address = models.CharField(_("nomor HP / e-mail"), max_length=254, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    source = models.CharField(_("sumber"), max_length=15, choices=Source.choices)
    given_on = models.DateField(_("tanggal"), default=timezone.localdate)
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # Where the owner lives or works: scopes who may see and change the row.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("persetujuan pesan")
        verbose_name_plural = _("persetujuan pesan")

    def __str__(self) -> str:
        return f"{self.address}: {self.get_status_display()}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id or ""


class Message(models.Model):
    """One message to one address, from the event that caused it to its delivery."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")
        CANCELLED = "cancelled", _("Dibatalkan")

    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    template = models.ForeignKey(
        Template, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    # The event that caused it ("claims.claim.approved") and the object it is about.
    event = models.CharField(_("peristiwa"), max_length=80)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # The same event never writes the same message twice (a retried service, a re-run).
    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient_address = models.CharField(_("alamat"), max_length=254)
    recipient_label = models.CharField(_("penerima"), max_length=150, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Citizens need a granted consent; staff reached at their work contact do not.
    needs_consent = models.BooleanField(_("perlu persetujuan"), default=False)
    subject = models.CharField(_("subjek"), max_length=200, blank=True)
    body = models.TextField(_("isi"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("coba lagi pada"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("kesalahan terakhir"), blank=True)
    provider_reference = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pesan")
        verbose_name_plural = _("pesan")
        indexes = [
            # Serves the sender's "queued and due" pick, oldest due first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="messaging_due_idx",
            ),
            # Serves the staff page's "failed" list and the stale "sending" sweep.
            models.Index(fields=["status", "created_at"], name="messaging_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_label or self.recipient_address}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id or ""

    @property
    def address_masked(self) -> str:
        """``+62812****7890`` / ``bu***@example.id``: enough to tell two apart."""
        address = self.recipient_address
        if "@" in address:
            name, _at, domain = address.partition("@")
            return f"{name[:2]}***@{domain}"
        return address[:6] + "****" + address[-4:] if len(address) > 10 else address

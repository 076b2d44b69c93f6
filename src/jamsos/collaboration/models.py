"""The forum's own records: meetings, decisions, action items, requests between agencies,
agreements with their obligations, and published scorecards (design-governance §1.4, §2.2).

The app records events, not opinions; every scorecard number is derived from these rows
or from the transaction chain (decrees, BPJS result files, claims, bills).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import Agency
from jamsos.lib.errors import InvalidTransition
from jamsos.regions.models import Region


def _user_fk(**kwargs: Any) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        **kwargs,
    )


def evidence_path(instance: models.Model, filename: str) -> str:
    import uuid
    from pathlib import PurePosixPath

    suffix = PurePosixPath(filename).suffix.lower()
    return f"collaboration/{instance._meta.model_name}/{uuid.uuid4().hex}{suffix}"


class Forum(models.Model):
    """A forum komunikasi: the kabupaten's, or later one per kecamatan."""

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("Bulanan")
        BIMONTHLY = "bimonthly", _("Dua bulanan")
        QUARTERLY = "quarterly", _("Triwulanan")

    # Meetings a quarter planned by each cadence (FL-1's denominator).
    PLANNED_PER_QUARTER = {"monthly": 3, "bimonthly": 2, "quarterly": 1}

    name = models.CharField(_("nama"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    convening_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("penyelenggara")
    )
    cadence = models.CharField(
        _("jadwal rencana"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    terms_of_reference = models.TextField(_("kerangka acuan"), blank=True)
    established_on = models.DateField(_("dibentuk"), null=True, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forum")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def planned_per_quarter(self) -> int:
        return self.PLANNED_PER_QUARTER.get(self.cadence, 0)


class ForumMembership(models.Model):
    class Role(models.TextChoices):
        CORE = "core", _("Anggota inti")
        INVITED = "invited", _("Undangan")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("peran"), max_length=10, choices=Role.choices, default=Role.CORE)
    valid_from = models.DateField(_("sejak"))
    valid_to = models.DateField(_("sampai"), null=True, blank=True)

    class Meta:
        ordering = ["forum_id", "role", "agency__name"]
        constraints = [
            # Rule: an agency is a member of a forum once at a time (re-joining is a new row).
            models.UniqueConstraint(
                fields=["forum", "agency", "valid_from"], name="collab_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} @ {self.forum}"

    def active_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        RAKOR = "rakor", _("Rapat koordinasi")
        FGD = "fgd", _("FGD")
        EVALUASI = "evaluasi", _("Evaluasi")
        BILATERAL = "bilateral", _("Bilateral")

    class Mode(models.TextChoices):
        IN_PERSON = "tatap_muka", _("Tatap muka")
        ONLINE = "daring", _("Daring")
        HYBRID = "hybrid", _("Hybrid")

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    mode = models.CharField(_("cara"), max_length=10, choices=Mode.choices)
    title = models.CharField(_("acara"), max_length=200)
    starts_at = models.DateTimeField(_("waktu"))
    place = models.CharField(_("tempat atau tautan"), max_length=200, blank=True)
    convened_by = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("pengundang")
    )
    chair_name = models.CharField(_("pimpinan rapat"), max_length=150, blank=True)
    minutes_file = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    minutes_name = models.CharField(max_length=200, blank=True)
    minutes_sha256 = models.CharField(max_length=64, blank=True)
    minutes_published_at = models.DateTimeField(_("notulen dibagikan"), null=True, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("rapat")
        verbose_name_plural = _("rapat")
        indexes = [
            # Serves the scorecard: meetings of a forum in a quarter.
            models.Index(fields=["forum", "starts_at"], name="collab_meeting_forum_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d-%m-%Y})"

    @property
    def audit_region_code(self) -> str:
        return self.forum.region_id

    @property
    def is_face_to_face(self) -> bool:
        return self.mode in (self.Mode.IN_PERSON, self.Mode.HYBRID)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(_("agenda"), max_length=300)
    proposed_by = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("diusulkan oleh")
    )

    class Meta:
        ordering = ["meeting_id", "pk"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Counted per agency and level, so a large delegation does not inflate any score."""

    class Level(models.TextChoices):
        LEADER = "pimpinan", _("Pimpinan")
        OFFICIAL = "pejabat", _("Pejabat")
        STAFF = "staf", _("Staf")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    count = models.PositiveSmallIntegerField(_("jumlah orang"), default=1)

    class Meta:
        ordering = ["meeting_id", "agency__name", "level"]
        constraints = [
            # Rule: one row per agency and level; a second entry adds to the count.
            models.UniqueConstraint(
                fields=["meeting", "agency", "level"], name="collab_attendance_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="collab_attendance_count"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_level_display()}, {self.count})"


class Decision(models.Model):
    class Kind(models.TextChoices):
        CONSENSUS = "konsensus", _("Konsensus")
        DIRECTIVE = "arahan", _("Arahan")
        VOTE = "voting", _("Voting")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("keputusan"))
    kind = models.CharField(_("cara memutuskan"), max_length=10, choices=Kind.choices)
    proposed_by = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("diusulkan oleh")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting_id", "pk"]
        verbose_name = _("keputusan")
        verbose_name_plural = _("keputusan")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def audit_region_code(self) -> str:
        return self.meeting.forum.region_id


def _exactly_one_of(*fields: str) -> Q:
    options = [Q(**{f"{f}__isnull": f != chosen for f in fields}) for chosen in fields]
    condition = options[0]
    for option in options[1:]:
        condition |= option
    return condition


class DecisionLink(models.Model):
    """A programme object a decision concerns. Explicit nullable keys (one set per row), so
    the scorecard can ask "was this decree decided in the forum?" with a plain join."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links")
    decree = models.ForeignKey(
        "enrollment.Decree", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    allocation = models.ForeignKey(
        "budget.Allocation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quota = models.ForeignKey(
        "budget.NagariQuota", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreement = models.ForeignKey(
        "collaboration.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_basis = models.ForeignKey(
        "enrollment.LegalBasis", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            # Rule: a link points at exactly one object.
            models.CheckConstraint(
                condition=_exactly_one_of(
                    "decree", "allocation", "quota", "agreement", "legal_basis"
                ),
                name="collab_decision_link_one_target",
            ),
        ]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self) -> models.Model | None:
        return self.decree or self.allocation or self.quota or self.agreement or self.legal_basis

    @property
    def target_kind(self) -> str:
        for name in ("decree", "allocation", "quota", "agreement", "legal_basis"):
            if getattr(self, f"{name}_id"):
                return name
        return ""


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        DONE = "done", _("Selesai")
        DROPPED = "dropped", _("Dibatalkan")

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="action_items")
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="action_items"
    )
    title = models.CharField(_("tindak lanjut"), max_length=300)
    owner_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instansi penanggung jawab"),
    )
    owner_name = models.CharField(_("penanggung jawab"), max_length=150, blank=True)
    due_on = models.DateField(_("tenggat"))
    # Never changed: a moved due date is an audit event and keeps the first one here.
    original_due_on = models.DateField(_("tenggat awal"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    done_by = _user_fk()
    evidence_file = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_note = models.TextField(_("keterangan bukti"), blank=True)
    # First reminder or comment after going overdue (FL-4 "follow-through").
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        constraints = [
            # Rule: a done item has its time; an open one has none.
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False),
                name="collab_action_done_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return self.forum.region_id

    def overdue_on(self, day: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < day

    def done_on_time(self) -> bool:
        return (
            self.status == self.Status.DONE
            and self.done_at is not None
            and timezone.localdate(self.done_at) <= self.due_on
        )


class RequestKind(models.TextChoices):
    VERIFICATION = "verifikasi", _("Verifikasi")
    DATA = "data", _("Data")
    CLAIM = "klaim", _("Klaim")
    OUTREACH = "sosialisasi", _("Sosialisasi")
    LEGAL_BASIS = "dasar_hukum", _("Dasar hukum")
    OTHER = "lainnya", _("Lainnya")


class InterAgencyRequest(models.Model):
    """A request from one agency to another (the seed's "saling menerima")."""

    class Status(models.TextChoices):
        SENT = "sent", _("Terkirim")
        ACKNOWLEDGED = "acknowledged", _("Diterima")
        RESOLVED = "resolved", _("Selesai")

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="requests")
    from_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("dari")
    )
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("kepada")
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=RequestKind.choices)
    subject = models.CharField(_("perihal"), max_length=300)
    body = models.TextField(_("isi"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField(_("dikirim"), default=timezone.now)
    sent_by = _user_fk()
    acknowledged_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    acknowledged_by = _user_fk()
    resolved_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    resolved_by = _user_fk()
    outcome = models.TextField(_("hasil"), blank=True)
    # Copied from the obligation in force when sent; empty = "SLA belum disepakati".
    sla_days = models.PositiveSmallIntegerField(_("SLA (hari)"), null=True, blank=True)
    sla_obligation = models.ForeignKey(
        "collaboration.Obligation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("permintaan antarinstansi")
        verbose_name_plural = _("permintaan antarinstansi")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_agency=F("to_agency")), name="collab_request_two_agencies"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("sent_at")),
                name="collab_request_resolved_after_sent",
            ),
        ]
        indexes = [
            # Serves CP-3: requests of a forum resolved in a quarter.
            models.Index(fields=["forum", "resolved_at"], name="collab_request_resolved_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def audit_region_code(self) -> str:
        return self.forum.region_id

    @property
    def days_to_resolve(self) -> int | None:
        if self.resolved_at is None:
            return None
        return (timezone.localdate(self.resolved_at) - timezone.localdate(self.sent_at)).days

    def within_sla(self) -> bool | None:
        """None when no SLA is agreed or not resolved yet."""
        days = self.days_to_resolve
        if self.sla_days is None or days is None:
            return None
        return days <= self.sla_days


# --- Agreements ---------------------------------------------------------------------------


class Agreement(models.Model):
    """A PKS, addendum, pakta integritas or MoU. An addendum never edits its parent's rows:
    it closes the parent's obligations and opens its own (``agreement_amend``)."""

    class Kind(models.TextChoices):
        PKS = "pks", _("Perjanjian kerja sama")
        ADDENDUM = "adendum", _("Adendum")
        INTEGRITY_PACT = "pakta_integritas", _("Pakta integritas")
        MOU = "mou", _("Nota kesepahaman (MoU)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        IN_FORCE = "in_force", _("Berlaku")
        EXPIRED = "expired", _("Berakhir")
        SUPERSEDED = "superseded", _("Digantikan adendum")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=400)
    version = models.PositiveSmallIntegerField(_("versi"), default=1)
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("mengubah"),
    )
    signed_on = models.DateField(_("ditandatangani"), null=True, blank=True)
    effective_from = models.DateField(_("berlaku sejak"))
    effective_to = models.DateField(_("berlaku sampai"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_FORCE)
    legal_bases = models.ManyToManyField(
        "enrollment.LegalBasis", blank=True, related_name="+", verbose_name=_("dasar hukum")
    )
    document = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-pk"]
        verbose_name = _("perjanjian")
        verbose_name_plural = _("perjanjian")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="collab_agreement_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        numbers = " / ".join(p.party_number for p in self.parties.all() if p.party_number)
        return f"{self.get_kind_display()} {numbers}".strip()

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    def in_force_on(self, day: dt.date) -> bool:
        if self.status == self.Status.DRAFT or day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Each party numbers the same agreement in its own register.
    party_number = models.CharField(_("nomor pihak"), max_length=120, blank=True)
    signatory_name = models.CharField(_("penanda tangan"), max_length=150, blank=True)
    signatory_title = models.CharField(_("jabatan"), max_length=150, blank=True)

    class Meta:
        ordering = ["agreement_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "agency"], name="collab_party_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.party_number}".strip()


class Clause(models.Model):
    class Category(models.TextChoices):
        OBJECT = "objek", _("Objek")
        SCOPE = "ruang_lingkup", _("Ruang lingkup")
        PARTICIPANTS = "jumlah_peserta", _("Jumlah peserta")
        CARD = "kartu", _("Kartu peserta")
        CONTRIBUTION = "iuran", _("Iuran")
        PAYMENT = "pembayaran", _("Cara pembayaran")
        DUTIES = "hak_kewajiban", _("Hak dan kewajiban")
        PROCEDURE = "prosedur_layanan", _("Prosedur layanan")
        TERM = "jangka_waktu", _("Jangka waktu")
        FORCE_MAJEURE = "force_majeure", _("Keadaan kahar")
        ADDENDUM = "adendum", _("Adendum")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="clauses")
    number = models.CharField(_("pasal"), max_length=60, blank=True)
    heading = models.CharField(_("judul"), max_length=200)
    text = models.TextField(_("isi"), blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)

    class Meta:
        ordering = ["agreement_id", "pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}"


class Obligation(models.Model):
    """One party's duty under one agreement version (D1–D6, B1–B6 of the 2023 addendum)."""

    class Kind(models.TextChoices):
        RECURRING = "recurring", _("Berkala")
        PER_EVENT = "per_event", _("Per kejadian")
        ONE_OFF = "one_off", _("Sekali")

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("Triwulanan")
        YEARLY = "yearly", _("Tahunan")
        PER_DECREE = "per_decree", _("Per SK/pengajuan ke BPJS")
        PER_CLAIM = "per_claim", _("Per klaim")
        ONCE = "once", _("Sekali")

    class Evidence(models.TextChoices):
        """How fulfilment is judged: from the system's own records, else by upload."""

        BPJS_RESULT = "auto_bpjs_result", _("Otomatis: berkas hasil BPJS tiba dalam SLA")
        CLAIM_DECIDED = "auto_claim_decided", _("Otomatis: klaim diperiksa BPJS dalam SLA")
        CLAIM_PAID = "auto_claim_paid", _("Otomatis: klaim dibayar dalam SLA")
        CLAIM_SUBMITTED = "auto_claim_submitted", _("Otomatis: klaim diajukan dalam SLA")
        PROPOSALS = "auto_proposals", _("Otomatis: usulan peserta masuk pada periode")
        ALLOCATION = "auto_allocation", _("Otomatis: pagu ditetapkan pada tahun anggaran")
        EVALUATION = "auto_evaluation", _("Otomatis: rapat evaluasi pada periode")
        ATTENDANCE = "auto_attendance", _("Otomatis: hadir dalam rapat forum pada periode")
        DPRD_MEETING = "auto_dprd_meeting", _("Otomatis: rapat bersama DPRD pada periode")
        REPORT_PUBLISHED = (
            "auto_report_published",
            _("Otomatis: laporan bulanan kepada Bupati terbit (publikasi laporan)"),
        )
        OUTREACH_EVENT = (
            "auto_outreach_event",
            _("Otomatis: kegiatan sosialisasi pihak ini tercatat pada periode"),
        )
        UPLOAD = "upload", _("Bukti diunggah")

    AUTO = frozenset(Evidence.values) - {Evidence.UPLOAD.value}

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="obligations")
    clause = models.ForeignKey(
        Clause, on_delete=models.PROTECT, null=True, blank=True, related_name="obligations"
    )
    party = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("kode"), max_length=10)
    description = models.CharField(_("kewajiban"), max_length=400)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    frequency = models.CharField(_("frekuensi"), max_length=12, choices=Frequency.choices)
    due_rule = models.CharField(_("aturan tenggat"), max_length=200, blank=True)
    # Empty = not agreed; shown as "SLA belum disepakati", never invented.
    sla_days = models.PositiveSmallIntegerField(_("SLA (hari)"), null=True, blank=True)
    evidence_rule = models.CharField(_("bukti"), max_length=24, choices=Evidence.choices)
    # Requests of this kind sent to this party take their SLA from here.
    request_kind = models.CharField(max_length=12, choices=RequestKind.choices, blank=True)
    effective_from = models.DateField(_("berlaku sejak"))
    effective_to = models.DateField(_("berlaku sampai"), null=True, blank=True)

    class Meta:
        ordering = ["agreement_id", "code"]
        verbose_name = _("kewajiban")
        verbose_name_plural = _("kewajiban")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="collab_obligation_code"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="collab_obligation_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def audit_region_code(self) -> str:
        return self.agreement.region_id

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class ObligationInstance(models.Model):
    """One due occurrence of an obligation: a period (quarter, year) or an event (a decree
    sent to BPJS, a claim). Judged from records where the rule allows, else by evidence."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        FULFILLED = "fulfilled", _("Dipenuhi tepat waktu")
        LATE = "late", _("Dipenuhi terlambat")
        MISSED = "missed", _("Tidak dipenuhi")
        WAIVED = "waived", _("Dikecualikan")

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="instances")
    # "2023-Q3", "2023", "decree:12", "claim:40": one instance per obligation and key.
    key = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField(_("tenggat"))
    decree = models.ForeignKey(
        "enrollment.Decree", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    judged_by = _user_fk()  # empty: judged by the system from its records
    evidence_ref = models.CharField(_("rujukan bukti"), max_length=300, blank=True)
    evidence_file = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    waiver_reason = models.TextField(_("alasan pengecualian"), blank=True)
    waiver_requested_by = _user_fk()
    waiver_requested_at = models.DateTimeField(null=True, blank=True)
    waiver_approved_by = _user_fk()
    waiver_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "obligation__code", "pk"]
        verbose_name = _("kewajiban jatuh tempo")
        verbose_name_plural = _("kewajiban jatuh tempo")
        constraints = [
            # Rule: generating instances twice adds nothing (idempotent re-runs).
            models.UniqueConstraint(fields=["obligation", "key"], name="collab_instance_once"),
            # Rule: a waiver's checker is never its maker (maker-checker).
            models.CheckConstraint(
                condition=Q(waiver_approved_by__isnull=True)
                | ~Q(waiver_approved_by=F("waiver_requested_by")),
                name="collab_waiver_checker_not_maker",
            ),
            models.CheckConstraint(
                condition=~Q(status="waived")
                | (Q(waiver_approved_by__isnull=False) & ~Q(waiver_reason="")),
                name="collab_waiver_approved_with_reason",
            ),
        ]
        indexes = [
            # Serves CP-6: instances due in a quarter.
            models.Index(fields=["due_on", "status"], name="collab_instance_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.obligation.code} {self.key}"

    @property
    def audit_region_code(self) -> str:
        return self.obligation.agreement.region_id

    @property
    def waiver_pending(self) -> bool:
        return bool(self.waiver_requested_at) and self.status != self.Status.WAIVED


# --- Scorecard ----------------------------------------------------------------------------


class DefinitionSet(models.Model):
    """A version of the indicator catalogue. A change makes a new version; published
    snapshots keep the version they were computed with."""

    version = models.CharField(_("versi"), max_length=20, unique=True)
    valid_from = models.DateField(_("berlaku sejak"))
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]

    def __str__(self) -> str:
        return self.version


class IndicatorDefinition(models.Model):
    class Element(models.TextChoices):
        STARTING = "starting_conditions", _("Kondisi awal")
        DESIGN = "institutional_design", _("Desain kelembagaan")
        LEADERSHIP = "facilitative_leadership", _("Kepemimpinan fasilitatif")
        DIALOGUE = "face_to_face_dialogue", _("Dialog tatap muka")
        TRUST = "trust_building", _("Membangun kepercayaan")
        COMMITMENT = "commitment", _("Komitmen")
        UNDERSTANDING = "shared_understanding", _("Pemahaman bersama")
        OUTCOMES = "intermediate_outcomes", _("Hasil antara")

    definition_set = models.ForeignKey(
        DefinitionSet, on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(max_length=12)
    element = models.CharField(max_length=30, choices=Element.choices)
    name = models.CharField(max_length=200)
    formula = models.TextField()
    min_n = models.PositiveSmallIntegerField(default=0)
    # Lower edges (percent) of bands 4, 3, 2 ("Sangat baik", "Baik", "Cukup"); below the
    # last is band 1. Empty: a descriptive indicator, not banded.
    band_cuts = models.JSONField(default=list, blank=True)
    # Other figures of the formula (e.g. {"days": 7} for "minutes shared within 7 days").
    params = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["definition_set_id", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition_set", "code"], name="collab_indicator_code_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ScorecardSnapshot(models.Model):
    """A published scorecard: immutable once published, like an issued decree."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf (menunggu tanggapan)")
        PUBLISHED = "published", _("Diterbitkan")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=8)  # "2023-Q2"
    as_of = models.DateTimeField()
    definitions_version = models.CharField(max_length=20)
    data = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)
    published_by = _user_fk()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "-created_at"]
        constraints = [
            # Rule: one published scorecard per region and quarter.
            models.UniqueConstraint(
                fields=["region", "period"],
                condition=Q(status="published"),
                name="collab_snapshot_published_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.period}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Enforced here too, so that no code path (shell, admin) rewrites a published card.
        if self.pk is not None and not kwargs.get("force_insert"):
            stored = (
                ScorecardSnapshot.objects.filter(pk=self.pk)
                .values_list("status", flat=True)
                .first()
            )
            if stored == self.Status.PUBLISHED:
                raise InvalidTransition(
                    gettext("Rapor yang sudah diterbitkan tidak dapat diubah."),
                    code="snapshot_immutable",
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status == self.Status.PUBLISHED:
            raise InvalidTransition(
                gettext("Rapor yang sudah diterbitkan tidak dapat dihapus."),
                code="snapshot_immutable",
            )
        return super().delete(*args, **kwargs)

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class ScorecardReply(models.Model):
    """An agency's tanggapan (right of reply) to one indicator, before publication."""

    snapshot = models.ForeignKey(
        ScorecardSnapshot, on_delete=models.PROTECT, related_name="replies"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=12, blank=True)  # empty: the whole card
    text = models.TextField(_("tanggapan"))
    author = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["snapshot_id", "indicator", "pk"]

    def __str__(self) -> str:
        return f"{self.agency}: {self.text[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.snapshot.status == ScorecardSnapshot.Status.PUBLISHED:
            raise InvalidTransition(
                gettext("Tanggapan ditutup: rapor sudah diterbitkan."), code="snapshot_immutable"
            )
        super().save(*args, **kwargs)

    @property
    def audit_region_code(self) -> str:
        return self.snapshot.region_id

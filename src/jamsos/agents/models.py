"""Agen Perisai: the programme's hands in the nagari (design-governance.md §5).

``Agent`` is a registry person (so NIK rules apply) with a login (role ``agent``), an
institution that holds the agreement with BPJS, effective-dated nagari assignments
(``AgentAssignment``, as openIMIS ``OfficerVillage`` + validity), a substitute and
trainings. Status changes go through ``AgentStatusChange`` (maker-checker); the monthly
inactivity check only *proposes* one. Fees are ``FeeRule`` rows (data with their source,
never literals) and a monthly ``AgentStatement`` whose lines stamp the membership-month
they pay on: a unique constraint makes paying one twice impossible (the openIMIS
``ReportingCommissionID`` lesson). ``OfflineSubmission`` stores the phone's client-made
UUID, so a retried offline proposal never proposes a person twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.budget.models import PayerType, RegulationRow
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import month_field
from jamsos.regions.models import Region
from jamsos.registry.models import Person


def _user_fk(**kwargs: object) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        **kwargs,
    )


class AgentInstitution(models.Model):
    """The CV, foundation, cooperative or BUMNag an agent belongs to (agents cannot sign
    with BPJS on their own since 2017; design-governance.md §5.1)."""

    class Kind(models.TextChoices):
        KOPERASI = "koperasi", _("Koperasi")
        BUMNAG = "bumnag", _("BUMNag")
        YAYASAN = "yayasan", _("Yayasan")
        CV = "cv", _("CV")
        PT = "pt", _("PT")
        LAINNYA = "lainnya", _("Lainnya")

    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    # The kabupaten it works in: scopes who may see and use it.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota")
    )
    bpjs_agreement_number = models.CharField(
        _("nomor perjanjian dengan BPJS"), max_length=100, blank=True
    )
    contact = models.CharField(_("kontak"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("lembaga agen")
        verbose_name_plural = _("lembaga agen")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Agent(models.Model):
    """An Agen Perisai: a person of the registry with a login of role ``agent``."""

    class Status(models.TextChoices):
        CANDIDATE = "calon", _("Calon")
        ACTIVE = "aktif", _("Aktif")
        SUSPENDED = "diberhentikan_sementara", _("Diberhentikan sementara")
        ENDED = "berhenti", _("Berhenti")

    class EndReason(models.TextChoices):
        INACTIVE = "tidak_aktif", _("Tidak aktif (tanpa peserta baru dan iuran)")
        RESIGNED = "mengundurkan_diri", _("Mengundurkan diri")
        VIOLATION = "pelanggaran", _("Pelanggaran")
        OTHER = "lainnya", _("Lainnya")

    # Which status may follow which (the service refuses any other, InvalidTransition).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.CANDIDATE: frozenset({Status.ACTIVE, Status.ENDED}),
        Status.ACTIVE: frozenset({Status.SUSPENDED, Status.ENDED}),
        Status.SUSPENDED: frozenset({Status.ACTIVE, Status.ENDED}),
        Status.ENDED: frozenset({Status.CANDIDATE}),  # rejoin, after the waiting months
    }

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="agent", verbose_name=_("orang")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agent",
        verbose_name=_("akun"),
    )
    # The kabupaten whose Dinas and BPJS branch manage the agent (scope).
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota")
    )
    institution = models.ForeignKey(
        AgentInstitution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        verbose_name=_("lembaga"),
    )
    bpjs_code = models.CharField(_("kode agen BPJS"), max_length=40, blank=True)
    appointment_number = models.CharField(_("nomor SK/kontrak"), max_length=120, blank=True)
    appointment_date = models.DateField(_("tanggal SK/kontrak"), null=True, blank=True)
    appointment_document = models.FileField(
        _("dokumen penunjukan"), upload_to="agents/appointments/%Y/", blank=True
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.CANDIDATE
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    ended_on = models.DateField(_("berhenti sejak"), null=True, blank=True)
    end_reason = models.CharField(
        _("alasan berhenti"), max_length=20, choices=EndReason.choices, blank=True
    )
    rejoin_eligible_from = models.DateField(_("boleh bergabung lagi sejak"), null=True, blank=True)
    is_perangkat_nagari = models.BooleanField(_("perangkat nagari"), default=False)
    substitute = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substituting_for",
        verbose_name=_("agen pengganti"),
    )
    works_to = models.DateField(_("bertugas sampai"), null=True, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person__full_name", "pk"]
        verbose_name = _("agen Perisai")
        verbose_name_plural = _("agen Perisai")
        constraints = [
            # Rule: a BPJS agent code names one agent (blank until BPJS issues it).
            models.UniqueConstraint(
                fields=["bpjs_code"], condition=~Q(bpjs_code=""), name="agents_bpjs_code_unique"
            ),
            models.CheckConstraint(
                condition=~Q(substitute=F("pk")), name="agents_substitute_not_self"
            ),
            # Rule: an ended agent carries the date it ended.
            models.CheckConstraint(
                condition=~Q(status="berhenti") | Q(ended_on__isnull=False),
                name="agents_ended_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.person.full_name

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def may_propose(self) -> bool:
        """A suspended or ended agent proposes nobody (a candidate may, while on trial)."""
        return self.status in (self.Status.CANDIDATE, self.Status.ACTIVE)

    def may_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())


class AgentStatusChange(models.Model):
    """A requested status change, applied only when a second person approves it.

    The monthly inactivity check opens these too (``source=inactivity``): it proposes,
    a person decides.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("Menunggu persetujuan")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Diajukan petugas")
        INACTIVITY = "inactivity", _("Usulan pemeriksaan ketidakaktifan")

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=24, choices=Agent.Status.choices)
    to_status = models.CharField(_("status baru"), max_length=24, choices=Agent.Status.choices)
    end_reason = models.CharField(
        _("alasan berhenti"), max_length=20, choices=Agent.EndReason.choices, blank=True
    )
    note = models.TextField(_("catatan"), blank=True)
    effective_on = models.DateField(_("berlaku sejak"))
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    requested_by = _user_fk()
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = _user_fk()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("perubahan status agen")
        verbose_name_plural = _("perubahan status agen")
        constraints = [
            # Rule: one open request per agent; a second would race the first at approval.
            models.UniqueConstraint(
                fields=["agent"],
                condition=Q(decision="pending"),
                name="agents_one_pending_status_change",
            ),
            # Rule: the checker is never the maker (a system-proposed change has no maker).
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | Q(requested_by__isnull=True)
                | ~Q(decided_by=F("requested_by")),
                name="agents_status_change_checker_not_maker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.from_status} → {self.to_status}"

    @property
    def audit_region_code(self) -> str:
        return self.agent.region_id


class AgentAssignment(models.Model):
    """An agent's nagari from one date to another (``valid_to`` empty: still assigned)."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="assignments")
    nagari = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="agent_assignments", verbose_name=_("nagari")
    )
    valid_from = models.DateField(_("mulai"))
    valid_to = models.DateField(_("sampai"), null=True, blank=True)
    is_primary = models.BooleanField(_("nagari utama"), default=False)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agent_id", "-valid_from", "pk"]
        verbose_name = _("penugasan nagari")
        verbose_name_plural = _("penugasan nagari")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="agents_assignment_ordered",
            ),
        ]
        indexes = [
            # Serves "the agents of this nagari on a date" (scope, death follow-up).
            models.Index(fields=["nagari", "valid_from"], name="agents_assignment_nagari_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} @ {self.nagari}"

    @property
    def audit_region_code(self) -> str:
        return self.nagari_id

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class AgentTraining(models.Model):
    class Topic(models.TextChoices):
        MEMBERSHIP = "kepesertaan", _("Kepesertaan")
        CONTRIBUTIONS = "iuran", _("Iuran")
        CLAIMS = "klaim", _("Klaim")
        PRIVACY = "pdp", _("Pelindungan data pribadi")
        OTHER = "lainnya", _("Lainnya")

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="trainings")
    topic = models.CharField(_("topik"), max_length=12, choices=Topic.choices)
    title = models.CharField(_("judul"), max_length=200)
    held_on = models.DateField(_("tanggal"))
    provider = models.CharField(_("penyelenggara"), max_length=200, blank=True)
    certificate = models.FileField(_("sertifikat"), upload_to="agents/certificates/%Y/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agent_id", "-held_on", "pk"]
        verbose_name = _("pelatihan agen")
        verbose_name_plural = _("pelatihan agen")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"

    @property
    def audit_region_code(self) -> str:
        return self.agent.region_id


# --- Rules (data, with their source) -------------------------------------------------------


class FeeRule(RegulationRow):
    """How agents are paid, in force from a month: the percentage of the contributions of
    the members they recruited, an acquisition bonus for at least ``bonus_min_new`` new
    members in a month, which payer types earn a fee (default: self-paid only, since
    APBD-paid dues are not collected by agents) and the institution's share. The seeded
    2018 figures (7.5 %, Rp 500,000 for ≥ 50) are data with their source, unconfirmed.
    ``region`` empty: the rule of every kabupaten without its own."""

    class Basis(models.TextChoices):
        RECONCILED = "reconciled", _("Iuran yang sudah direkonsiliasi dengan BPJS")
        PAID = "paid", _("Iuran yang sudah lunas dibayar")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    percent_of_contributions = models.DecimalField(
        _("persen dari iuran"), max_digits=5, decimal_places=2
    )
    acquisition_bonus = models.PositiveBigIntegerField(_("bonus akuisisi (Rp)"), default=0)
    bonus_min_new = models.PositiveIntegerField(_("paling sedikit peserta baru sebulan"), default=0)
    eligible_payer_types = models.JSONField(
        _("jenis pembayar yang memberi fee"), default=list, blank=True
    )
    institution_share_percent = models.DecimalField(
        _("bagian lembaga (%)"), max_digits=5, decimal_places=2, default=0
    )
    basis = models.CharField(max_length=12, choices=Basis.choices, default=Basis.RECONCILED)

    class Meta:
        ordering = ["region_id", "-valid_from"]
        verbose_name = _("aturan fee agen")
        verbose_name_plural = _("aturan fee agen")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_of_contributions__gte=0)
                & Q(percent_of_contributions__lte=100)
                & Q(institution_share_percent__gte=0)
                & Q(institution_share_percent__lte=100),
                name="agents_fee_rule_percent_range",
            ),
        ]

    def __str__(self) -> str:
        bonus = self.acquisition_bonus
        return f"{self.percent_of_contributions}% / Rp {bonus} ({self.period_label()})"

    def overlap_key(self) -> Q:
        return Q(region=self.region)

    def earns(self, payer_type: str) -> bool:
        return payer_type in (self.eligible_payer_types or [PayerType.MANDIRI])


class InactivityRule(RegulationRow):
    """When an agent counts as inactive (no accepted recruit and no collection for
    ``inactive_months``), when it is warned, and how long it waits to rejoin."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    inactive_months = models.PositiveSmallIntegerField(_("bulan tanpa kegiatan"))
    warn_at_month = models.PositiveSmallIntegerField(_("diperingatkan pada bulan ke"))
    rejoin_after_months = models.PositiveSmallIntegerField(
        _("boleh bergabung lagi setelah (bulan)")
    )

    class Meta:
        ordering = ["region_id", "-valid_from"]
        verbose_name = _("aturan ketidakaktifan agen")
        verbose_name_plural = _("aturan ketidakaktifan agen")
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_at_month__lt=F("inactive_months")) & Q(inactive_months__gt=0),
                name="agents_inactivity_warn_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inactive_months} bulan ({self.period_label()})"

    def overlap_key(self) -> Q:
        return Q(region=self.region)


class InactivityCheck(models.Model):
    """What the monthly check found for one agent in one month (once per agent and month,
    so rerunning the check changes nothing)."""

    class Outcome(models.TextChoices):
        WARNED = "warned", _("Diperingatkan")
        PROPOSED = "proposed", _("Diusulkan berhenti")

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="inactivity_checks")
    month = month_field(_("bulan"))
    months_inactive = models.PositiveSmallIntegerField(_("bulan tanpa kegiatan"))
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rule = models.ForeignKey(InactivityRule, on_delete=models.PROTECT, related_name="+")
    status_change = models.ForeignKey(
        AgentStatusChange, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "agent_id"]
        constraints = [
            # Rule: one finding per agent and month: the check is idempotent.
            models.UniqueConstraint(fields=["agent", "month"], name="agents_inactivity_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.month:%Y-%m}: {self.outcome}"

    @property
    def audit_region_code(self) -> str:
        return self.agent.region_id


# --- Fees ----------------------------------------------------------------------------------


class AgentStatement(models.Model):
    """An agent's monthly fee statement; drafted by the Dinas, approved by a second person."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        APPROVED = "approved", _("Disetujui")

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="statements")
    month = month_field(_("bulan"))
    rule = models.ForeignKey(FeeRule, on_delete=models.PROTECT, related_name="statements")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    contributions_total = models.PositiveBigIntegerField(
        _("iuran yang menjadi dasar (Rp)"), default=0
    )
    contribution_fee = models.PositiveBigIntegerField(_("fee iuran (Rp)"), default=0)
    new_members = models.PositiveIntegerField(_("peserta baru"), default=0)
    bonus = models.PositiveBigIntegerField(_("bonus akuisisi (Rp)"), default=0)
    total = models.PositiveBigIntegerField(_("jumlah (Rp)"), default=0)
    institution_amount = models.PositiveBigIntegerField(_("bagian lembaga (Rp)"), default=0)
    agent_amount = models.PositiveBigIntegerField(_("bagian agen (Rp)"), default=0)
    created_by = _user_fk()
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = _user_fk()
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "agent_id"]
        verbose_name = _("rekap fee agen")
        verbose_name_plural = _("rekap fee agen")
        constraints = [
            # Rule: one statement per agent and month (a rerun refreshes the draft).
            models.UniqueConstraint(fields=["agent", "month"], name="agents_statement_once"),
            models.CheckConstraint(
                condition=Q(total=F("contribution_fee") + F("bonus"))
                & Q(total=F("institution_amount") + F("agent_amount")),
                name="agents_statement_sums",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="agents_statement_checker_not_maker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.month:%Y-%m}"

    @property
    def audit_region_code(self) -> str:
        return self.agent.region_id


class AgentStatementLine(models.Model):
    """One contribution (a membership-month) a statement pays a fee on, or its bonus."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Iuran")
        BONUS = "bonus", _("Bonus akuisisi")

    statement = models.ForeignKey(AgentStatement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    month = month_field(_("bulan iuran"), null=True, blank=True)
    amount = models.PositiveBigIntegerField(_("iuran/bonus (Rp)"))

    class Meta:
        ordering = ["statement_id", "kind", "month", "membership_id"]
        constraints = [
            # Rule: a membership-month's contribution earns a fee once, ever: the stamp.
            models.UniqueConstraint(
                fields=["membership", "month"],
                condition=Q(kind="contribution"),
                name="agents_fee_line_paid_once",
            ),
            models.UniqueConstraint(
                fields=["statement"], condition=Q(kind="bonus"), name="agents_bonus_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="bonus") | (Q(membership__isnull=False) & Q(month__isnull=False)),
                name="agents_fee_line_stamps_contribution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.kind} {self.amount}"


# --- Offline phone app ---------------------------------------------------------------------


class OfflineSubmission(models.Model):
    """A proposal the phone queued offline and sent later, under its client-made UUID.

    The UUID is the idempotency key: the same submission sent again (a retry after a
    lost answer) finds this row and gets the same answer; nothing is proposed twice.
    """

    class Outcome(models.TextChoices):
        PROPOSED = "proposed", _("Masuk usulan")
        INVALID = "invalid", _("Ditolak pemeriksaan data")

    client_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="offline_submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    row = models.ForeignKey(
        "intake.ProposalRow", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    message = models.TextField(blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)  # when the phone queued it
    received_at = models.DateTimeField(default=timezone.now)
    # Personal data: only the Dinas reviewers and the agent itself may open them.
    ktp_photo = models.FileField(upload_to="agents/photos/%Y/%m/", blank=True)
    kk_photo = models.FileField(upload_to="agents/photos/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return str(self.client_id)

    @property
    def audit_region_code(self) -> str:
        return self.user.region_id or ""

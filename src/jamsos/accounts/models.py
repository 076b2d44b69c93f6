from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.roles import ROLE_PERMISSIONS, ROLE_SCOPE_LEVELS, Role
from jamsos.regions.models import Region


class Agency(models.Model):
    """An organisation taking part in the programme, anchored in one region."""

    class Kind(models.TextChoices):
        DINAS = "dinas", _("Disnakertrans")
        BPJS_BRANCH = "bpjs_branch", _("Kantor Cabang BPJS Ketenagakerjaan")
        KECAMATAN_OFFICE = "kecamatan_office", _("Kantor Camat")
        NAGARI = "nagari", _("Pemerintah Nagari/Desa")
        DPRD = "dprd", _("DPRD")
        EXECUTIVE_OFFICE = "executive_office", _("Sekretariat Daerah / Bupati")
        KUA = "kua", _("Kantor Urusan Agama")
        BPP = "bpp", _("Balai Penyuluhan Pertanian")
        IT_OFFICE = "it_office", _("Pengelola sistem (Diskominfo)")

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("wilayah")
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in; every one has a role, an agency and a region scope."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("instansi"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("cakupan wilayah"),
    )

    # Set when an administrator chose the password (new account, reset): the user must
    # choose their own before doing anything else (``PasswordChangeRequiredMiddleware``).
    must_change_password = models.BooleanField(_("wajib ganti kata sandi"), default=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            # A normal user without a scope would fall through every scope filter.
            models.CheckConstraint(
                condition=models.Q(is_superuser=True)
                | (models.Q(region__isnull=False) & models.Q(agency__isnull=False)),
                name="user_scoped_unless_superuser",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.is_superuser:
            return
        if self.region_id is None or self.agency_id is None:
            raise ValidationError(_("Pengguna harus memiliki instansi dan cakupan wilayah."))
        allowed = ROLE_SCOPE_LEVELS.get(self.role, frozenset())
        if self.region and self.region.level not in allowed:
            levels = ", ".join(
                str(label) for value, label in Region.Level.choices if value in allowed
            )
            raise ValidationError(
                {
                    "region": _(
                        "Peran %(role)s harus bercakupan %(allowed)s, bukan %(level)s (%(region)s)."
                    )
                    % {
                        "role": self.get_role_display(),
                        "allowed": levels or "-",
                        "level": self.region.get_level_display(),
                        "region": self.region,
                    }
                }
            )

    def has_perm(self, perm: str, obj: object = None) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return perm in ROLE_PERMISSIONS.get(self.role, frozenset())

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_superuser:
            return True
        return any(p.startswith(app_label + ".") for p in ROLE_PERMISSIONS.get(self.role, ()))

    @property
    def scope_code(self) -> str | None:
        """The region code this user's data is limited to; None means the whole country."""
        return self.region_id


class ApiToken(models.Model):
    """A bearer token for machine clients. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def max_age() -> dt.timedelta:
        return dt.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + self.max_age()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "jms_" + secrets.token_urlsafe(32)


class RoleGrant(models.Model):
    """A role that sees personal data or approves, asked for by one person and granted by
    another (maker-checker, as for proposal batches).

    ``user_create``/``user_update`` open it instead of giving the role; the user keeps
    the old role (or, when new, stays inactive) until an approver who is not the maker
    approves (``role_grant_approve``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu persetujuan")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("pengguna")
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    # The scope that goes with the role (a Camat operator's kecamatan, …), given with it.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # The account was created for this role: approval also switches it on.
    activates = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_grants_requested"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("permohonan peran")
        verbose_name_plural = _("permohonan peran")
        constraints = [
            # One open request per user: a second would race the first at approval.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="role_grant_one_pending_per_user",
            ),
            # The checker is never the maker (also refused, with a message, in the service).
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="role_grant_checker_not_maker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.get_role_display()} ({self.get_status_display()})"

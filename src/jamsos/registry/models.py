from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.regions.models import Region


class Occupation(models.Model):
    """Reference list of occupations (petani, pedagang kaki lima, guru TPQ, imam, …)."""

    code = models.SlugField(_("kode"), max_length=40, primary_key=True)
    name = models.CharField(_("nama"), max_length=100, unique=True)
    # Other spellings people type in proposal files ("PKL", "guru ngaji", …), lower case.
    aliases = models.JSONField(default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("pekerjaan")
        verbose_name_plural = _("pekerjaan")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A worker known to the programme, identified by NIK."""

    class Sex(models.TextChoices):
        MALE = "L", _("Laki-laki")
        FEMALE = "P", _("Perempuan")

    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    birth_place = models.CharField(_("tempat lahir"), max_length=100, blank=True)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    mother_name = models.CharField(_("nama ibu kandung"), max_length=150, blank=True)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="persons", verbose_name=_("nagari/desa")
    )
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    occupation = models.ForeignKey(
        Occupation,
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("pekerjaan"),
    )
    # Declared monthly income in rupiah; None = the lowest BPU bracket (regulation data).
    declared_income = models.PositiveBigIntegerField(_("penghasilan"), null=True, blank=True)
    family_card_number = models.CharField(_("nomor KK"), max_length=16, blank=True)
    is_deceased = models.BooleanField(_("meninggal"), default=False)
    deceased_on = models.DateField(_("tanggal meninggal"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        indexes = [
            # Serves possible-duplicate search: same birth date, similar name.
            models.Index(fields=["birth_date", "sex"], name="person_birth_sex_idx"),
            # Serves the list's order: a page is an index range, not a sort of everyone.
            # (Name search has its own index per database: migration 0003.) The village
            # rides along (PostgreSQL INCLUDE) so the scope filter of a far page's
            # skipped rows is read from the index alone (an index-only scan), not from
            # one heap page per skipped person: page 2000 at 1M persons 0.97 s → 23 ms.
            models.Index(
                fields=["full_name", "id"], include=["village"], name="person_name_order_cover"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_deceased=True) | models.Q(deceased_on__isnull=True),
                name="person_deceased_date_only_if_deceased",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class Heir(models.Model):
    """An heir (ahli waris) of a person, recorded ahead of any claim."""

    class Relationship(models.TextChoices):
        SPOUSE = "spouse", _("Suami/Istri")
        CHILD = "child", _("Anak")
        PARENT = "parent", _("Orang tua")
        SIBLING = "sibling", _("Saudara kandung")
        GRANDCHILD = "grandchild", _("Cucu")
        OTHER = "other", _("Lainnya (wasiat)")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="heirs")
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    relationship = models.CharField(_("hubungan"), max_length=12, choices=Relationship.choices)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("nomor rekening"), max_length=30, blank=True)

    class Meta:
        ordering = ["person_id", "relationship", "full_name"]
        verbose_name = _("ahli waris")
        verbose_name_plural = _("ahli waris")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relationship_display()})"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One unit of the Kemendagri hierarchy, keyed by its dotted code (``13.03.03.2001``).

    The code is the primary key so that scope checks can compare code prefixes on a
    foreign-key column without a join (``village_id LIKE '13.03.%'``).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provinsi")
        REGENCY = "regency", _("Kabupaten/Kota")
        DISTRICT = "district", _("Kecamatan")
        VILLAGE = "village", _("Desa/Nagari/Kelurahan")

    class Kind(models.TextChoices):
        PROVINCE = "provinsi", _("Provinsi")
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan")
        DESA = "desa", _("Desa")
        NAGARI = "nagari", _("Nagari")
        DESA_ADAT = "desa_adat", _("Desa adat")

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Lower-cased name without the words Nagari/Desa/Kabupaten…: serves name look-ups.
    search_name = models.CharField(max_length=120, db_index=True)
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        indexes = [
            # Serves "villages of this kecamatan by name" look-ups in the intake pipeline.
            models.Index(fields=["parent", "search_name"], name="region_parent_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def label(self) -> str:
        """The name with its kind said once: ``Kecamatan Tanjung Gadang``,
        ``Nagari Timbulun``, ``Kabupaten Sijunjung`` (regency and province names in the
        register already carry the word, which must not be said twice)."""
        kind = str(self.get_kind_display())
        if self.name.lower().startswith(kind.lower()):
            return self.name
        return f"{kind} {self.name}"

    @property
    def nik_prefix(self) -> str:
        """The digits that begin a NIK issued here (6 for a kecamatan)."""
        return self.code.replace(".", "")[:6]

    def contains(self, other_code: str) -> bool:
        return other_code == self.code or other_code.startswith(self.code + ".")


class HistoricalCode(models.Model):
    """A province, regency or kecamatan code seen in any edition 2016–2025.

    NIKs keep the code of the kecamatan where they were issued, even after that kecamatan
    was renamed, split or renumbered (Papua 2022), so NIK checks accept these too.
    """

    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=10, choices=Region.Level.choices)
    first_seen = models.PositiveSmallIntegerField()
    last_seen = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code}, {self.first_seen}–{self.last_seen})"

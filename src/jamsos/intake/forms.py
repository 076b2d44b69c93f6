"""Forms of the intake pages. They only shape input; every rule lives in the services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import User
from jamsos.intake.codes import CODES
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.intake.reading import upload_size_check
from jamsos.lib.tabular import TableError, size_text
from jamsos.regions.models import Region
from jamsos.registry import selectors as registry_selectors

# Field keys of the intake ``values`` dicts (intake-contract.md), in form order.
PERSON_FIELDS = (
    "nik",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "mother_name",
    "address",
    "village",
    "occupation",
    "phone",
    "family_card_number",
    "declared_income",
)

# Header labels a validator may name in an issue's ``column``, mapped to field keys, so
# that each issue is shown under its own input.
_COLUMN_FIELDS = {
    "nik": "nik",
    "no ktp": "nik",
    "nomor induk kependudukan": "nik",
    "nama": "full_name",
    "nama lengkap": "full_name",
    "tempat lahir": "birth_place",
    "tanggal lahir": "birth_date",
    "tgl lahir": "birth_date",
    "jenis kelamin": "sex",
    "jk": "sex",
    "nama ibu kandung": "mother_name",
    "alamat": "address",
    "nagari": "village",
    "desa": "village",
    "kelurahan": "village",
    "nagari/desa": "village",
    "kecamatan": "district",
    "pekerjaan": "occupation",
    "no hp": "phone",
    "telepon": "phone",
    "nomor kk": "family_card_number",
    "penghasilan": "declared_income",
    "penghasilan per bulan": "declared_income",
}


def issue_field(issue: dict) -> str:
    """The form field an issue belongs to, or ``"__all__"`` for row-level issues."""
    for key in ("field", "column"):
        name = str(issue.get(key) or "").strip()
        if name in PERSON_FIELDS or name == "district":
            return name
        mapped = _COLUMN_FIELDS.get(name.lower())
        if mapped:
            return mapped
    return "__all__"


def issues_by_field(issues: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for issue in issues:
        grouped.setdefault(issue_field(issue), []).append(issue)
    return grouped


def proposable_regions(user: User) -> QuerySet[Region]:
    """Regions a user may propose a batch for: their own scope and the units just below.

    An agent gets its nagari; a Camat operator its kecamatan and its villages; the Dinas
    its kabupaten and its kecamatan.
    """
    if user.region_id is None:
        if user.is_superuser:
            return Region.objects.filter(level=Region.Level.REGENCY).order_by("code")
        return Region.objects.none()
    return Region.objects.filter(Q(pk=user.region_id) | Q(parent_id=user.region_id)).order_by(
        "code"
    )


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.label


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas usulan (.xlsx atau .csv)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".xlsx,.csv,text/csv"}
        ),
    )
    region = RegionChoiceField(
        label=_("Wilayah usulan"),
        queryset=Region.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(
        label=_("Judul (boleh kosong)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = proposable_regions(user)
        self.fields["region"].queryset = regions
        if user.region_id:
            self.fields["region"].initial = user.region_id
        limit = size_text(settings.INTAKE_UPLOAD_MAX_BYTES)
        self.fields["file"].help_text = _("Paling besar %(size)s.") % {"size": limit}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            upload_size_check(size=upload.size, file_name=upload.name)
        except TableError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload


class PersonForm(forms.Form):
    """One person: the agent's phone form and the operator's fix-in-place form."""

    nik = forms.CharField(
        label=_("NIK"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "16 angka"}
        ),
    )
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=100, required=False)
    birth_date = forms.CharField(
        label=_("Tanggal lahir"), max_length=40, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(
        label=_("Jenis kelamin"),
        choices=[("", "—"), ("L", _("Laki-laki")), ("P", _("Perempuan"))],
    )
    mother_name = forms.CharField(label=_("Nama ibu kandung"), max_length=150, required=False)
    address = forms.CharField(label=_("Alamat"), max_length=255, required=False)
    village = forms.ChoiceField(label=_("Nagari/desa"))
    occupation = forms.ChoiceField(label=_("Pekerjaan"))
    phone = forms.CharField(
        label=_("Nomor HP"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "08…"}),
    )
    family_card_number = forms.CharField(
        label=_("Nomor KK"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    declared_income = forms.CharField(
        label=_("Penghasilan per bulan (Rp)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    # Not a person field: the sosialisasi event's code (its QR opens this form with it).
    event_code = forms.CharField(
        label=_("Kode kegiatan sosialisasi"),
        max_length=20,
        required=False,
        help_text=_("Bila orang ini mendengar program dari sosialisasi, mis. SOS-00012."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "SOS-…"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        villages = registry_selectors.village_choices(viewer=user)
        village_choices = [(v.code, f"{v.name} · {v.parent.name}") for v in villages]
        self.fields["village"].choices = (
            village_choices if len(village_choices) == 1 else [("", "—"), *village_choices]
        )
        occupations = registry_selectors.occupation_list()
        self.fields["occupation"].choices = [("", "—")] + [(o.code, o.name) for o in occupations]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def raw_values(self) -> dict[str, str]:
        """The values as typed (the services normalise and validate them)."""
        data = self.data
        return {key: str(data.get(key, "")).strip() for key in PERSON_FIELDS}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class RowFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *ProposalRow.Status.choices],
    )
    # People pick a problem by its label; the code stays the value (and the API's filter).
    code = forms.ChoiceField(
        label=_("Masalah"),
        required=False,
        choices=[("", _("Semua masalah")), *((c.code, c.title) for c in CODES.values())],
    )
    possible_duplicate = forms.ChoiceField(
        label=_("Kemungkinan ganda"),
        required=False,
        choices=[("", _("Semua")), ("1", _("Kemungkinan ganda")), ("0", _("Bukan"))],
    )
    decision = forms.ChoiceField(
        label=_("Keputusan"),
        required=False,
        choices=[("", _("Semua keputusan")), *ProposalRow.Decision.choices],
    )
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Cari nama atau NIK"), "type": "search"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css + " form-control-sm")

    def selector_kwargs(self) -> dict[str, object]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        duplicate = {"1": True, "0": False}.get(data.get("possible_duplicate") or "")
        return {
            "status": data.get("status") or None,
            "code": data.get("code") or None,
            "possible_duplicate": duplicate,
            "decision": data.get("decision") or None,
            "search": data.get("q") or None,
        }


class BatchFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *ProposalBatch.Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

"""Forms of the enrollment pages. They only shape input; every rule lives in the services."""

from __future__ import annotations

import re

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.budget.forms import RupiahField
from jamsos.budget.models import Allocation, FiscalYear, RiskGroup
from jamsos.enrollment.models import Decree, DecreeLine, LegalBasis, Membership
from jamsos.enrollment.selectors import ReservationChoice
from jamsos.lib.dates import date_parse
from jamsos.lib.tabular import TableError, upload_size_check
from jamsos.regions.models import Region

_SPLIT = re.compile(r"[\s,;]+")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def lines_of(text: str) -> list[str]:
    """One item per line (menimbang, mengingat, memutuskan), blank lines dropped."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def niks_of(text: str) -> list[str]:
    """NIKs pasted from a spreadsheet: separated by lines, spaces, commas or semicolons."""
    return [item for item in _SPLIT.split(text or "") if item]


class DecreeCreateForm(forms.Form):
    MODE_NAMED = "named"
    MODE_AUTO = "auto"
    MODE_NIK = "nik"

    reservation = forms.TypedChoiceField(label=_("Reservasi anggaran"), coerce=int)
    mode = forms.ChoiceField(
        label=_("Penerima"),
        choices=[
            (MODE_NAMED, _("Semua peserta yang disebut reservasi")),
            (MODE_AUTO, _("Pilih otomatis dari registri (yang terdaftar lebih dulu)")),
            (MODE_NIK, _("Daftar NIK")),
        ],
        initial=MODE_AUTO,
        widget=forms.RadioSelect,
    )
    persons = forms.IntegerField(
        label=_("Jumlah orang (pilih otomatis)"), min_value=1, required=False
    )
    village = forms.ModelChoiceField(
        label=_("Dari wilayah (pilih otomatis)"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("Seluruh kabupaten"),
    )
    niks = forms.CharField(
        label=_("NIK penerima"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "1303031203850001\n…"}),
        help_text=_("Satu NIK per baris (boleh ditempel dari Excel)."),
    )
    title = forms.CharField(
        label=_("Judul SK"),
        required=False,
        max_length=300,
        help_text=_("Kosongkan untuk judul baku dari format SK."),
    )

    def __init__(
        self, *args, choices: list[ReservationChoice], regions: QuerySet[Region], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reservation"].choices = [(c.reservation.pk, c.label) for c in choices]
        self.fields["village"].queryset = regions

    def clean(self) -> dict:
        data = super().clean()
        mode = data.get("mode")
        if mode == self.MODE_AUTO and not data.get("persons"):
            self.add_error("persons", _("Sebutkan jumlah orang."))
        if mode == self.MODE_NIK and not niks_of(data.get("niks", "")):
            self.add_error("niks", _("Tempelkan paling sedikit satu NIK."))
        return data


class DecreeTextsForm(forms.Form):
    title = forms.CharField(label=_("Judul (TENTANG)"), max_length=300)
    considerations = forms.CharField(
        label=_("Menimbang"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Satu butir per baris; huruf a, b, c diberikan otomatis."),
    )
    legal_bases = forms.CharField(
        label=_("Mengingat"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Satu dasar hukum per baris; nomor diberikan otomatis."),
    )
    decisions = forms.CharField(
        label=_("Memutuskan"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Satu diktum per baris: KESATU, KEDUA, … diberikan otomatis."),
    )
    place = forms.CharField(label=_("Ditetapkan di"), max_length=100, required=False)
    signer_title = forms.CharField(label=_("Jabatan penanda tangan"), max_length=150)
    signer_name = forms.CharField(label=_("Nama penanda tangan"), max_length=150, required=False)

    @classmethod
    def for_decree(cls, decree: Decree, data=None) -> DecreeTextsForm:  # type: ignore[no-untyped-def]
        initial = {
            "title": decree.title,
            "considerations": "\n".join(decree.considerations),
            "legal_bases": "\n".join(decree.legal_bases),
            "decisions": "\n".join(decree.decisions),
            "place": decree.place,
            "signer_title": decree.signer_title,
            "signer_name": decree.signer_name,
        }
        return cls(data, initial=initial)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("considerations", "legal_bases", "decisions"):
            data[name] = lines_of(data[name])
        return data


class DecreeIssueForm(forms.Form):
    number = forms.CharField(label=_("Nomor SK"), max_length=120)
    decree_date = forms.DateField(label=_("Tanggal penetapan"), widget=DATE_WIDGET)

    def clean_decree_date(self):  # type: ignore[no-untyped-def]
        value = self.cleaned_data["decree_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal penetapan tidak boleh di masa depan."))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=500)


class DecreeAmendForm(forms.Form):
    add_niks = forms.CharField(
        label=_("NIK yang ditambahkan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    remove_niks = forms.CharField(
        label=_("NIK yang dicoret"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label=_("Hal yang diubah dan alasannya"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict:
        data = super().clean()
        if not niks_of(data.get("add_niks", "")) and not niks_of(data.get("remove_niks", "")):
            raise forms.ValidationError(_("Sebutkan NIK yang ditambahkan atau dicoret."))
        return data


class BpjsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas hasil dari BPJS (.xlsx atau .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        """The upload cap of every table import (``lib.tabular``), named in the error."""
        upload = self.cleaned_data["file"]
        try:
            upload_size_check(size=upload.size, file_name=upload.name)
        except TableError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload


class BpjsLineResultForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Hasil"),
        choices=[
            (DecreeLine.BpjsStatus.ACCEPTED, _("Diterima")),
            (DecreeLine.BpjsStatus.REJECTED, _("Ditolak")),
        ],
    )
    kpj_number = forms.CharField(label=_("Nomor KPJ"), max_length=20, required=False)
    coverage_start = forms.CharField(label=_("Mulai kepesertaan"), required=False)
    reason = forms.CharField(label=_("Alasan penolakan"), max_length=255, required=False)

    def clean_coverage_start(self):  # type: ignore[no-untyped-def]
        text = self.cleaned_data["coverage_start"].strip()
        if not text:
            return None
        value = date_parse(text)
        if value is None:
            raise forms.ValidationError(_("Tanggal tidak sah (contoh 01-03-2022)."))
        return value


class DecreeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua status")), *Decree.Status.choices]
    )


class MembershipFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari nama, NIK atau KPJ"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *Membership.Status.choices],
    )
    year = forms.IntegerField(label=_("Tahun"), required=False, min_value=2000, max_value=2100)


class RenewalProposeForm(forms.Form):
    fiscal_year = forms.ModelChoiceField(
        label=_("Tahun anggaran berikutnya"), queryset=FiscalYear.objects.none()
    )

    def __init__(self, *args, years: QuerySet[FiscalYear], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].queryset = years


class RenewalReserveForm(forms.Form):
    allocation = forms.ModelChoiceField(label=_("Pagu"), queryset=Allocation.objects.none())

    def __init__(self, *args, allocations: QuerySet[Allocation], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = allocations


class DecreeSettingForm(forms.Form):
    place = forms.CharField(label=_("Ditetapkan di"), max_length=100, required=False)
    signer_title = forms.CharField(
        label=_("Jabatan penanda tangan"), max_length=150, required=False
    )
    signer_name = forms.CharField(label=_("Nama penanda tangan"), max_length=150, required=False)
    number_format = forms.CharField(
        label=_("Pola nomor SK"),
        max_length=120,
        required=False,
        help_text=_("Contoh: 188.45/{seq}/KPTS-BPT-{year}"),
    )
    perbup = forms.CharField(
        label=_("Peraturan Bupati program ini"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ditambahkan ke dasar hukum setiap SK baru."),
    )
    legal_bases = forms.CharField(
        label=_("Dasar hukum tambahan (mengingat)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Satu per baris. Kosong = memakai teks baku."),
    )

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["legal_bases"] = lines_of(data["legal_bases"])
        return data


class LegalBasisForm(forms.ModelForm):
    """A regulation record cited under *Mengingat* (admins; ``reference.manage``)."""

    class Meta:
        model = LegalBasis
        fields = [
            "kind",
            "form",
            "number",
            "year",
            "title",
            "region",
            "amends",
            "in_force_from",
            "in_force_until",
            "confirmed",
            "source",
        ]
        widgets = {
            "in_force_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "in_force_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "source": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["region"].queryset = Region.objects.filter(
            level__in=[Region.Level.PROVINCE, Region.Level.REGENCY]
        ).order_by("code")
        self.fields["region"].help_text = _("Kosong: peraturan nasional.")
        self.fields["amends"].queryset = LegalBasis.objects.filter(amends__isnull=True)
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else ("form-select" if isinstance(field.widget, forms.Select) else "form-control")
            )
            field.widget.attrs.setdefault("class", css)

    def values(self) -> dict[str, object]:
        return dict(self.cleaned_data)


class MembershipWageForm(forms.Form):
    """A PU member's monthly wage and the employer's JKK risk group (the billing base)."""

    wage = RupiahField(label=_("Upah sebulan"))
    risk_group = forms.ChoiceField(
        label=_("Kelompok risiko (JKK)"), choices=[("", "—"), *RiskGroup.choices]
    )

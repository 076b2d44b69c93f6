"""Claim forms: the phone-friendly report, heirs, uploads, decisions and the calculator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.claims.models import (
    PAID_TO_HEIR_TYPES,
    BeasiswaOrigin,
    Claim,
    ClaimHeir,
    ClaimType,
    EducationLevel,
    PayoutMethod,
)
from jamsos.claims.selectors import ClaimFilters
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import rupiah_parse
from jamsos.regions.models import Region
from jamsos.registry.models import Heir


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(field.widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        field.widget.attrs.setdefault("class", css)


class RupiahField(forms.CharField):
    """An amount as people type it: ``Rp 1.500.000``, ``1500000``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            amount = rupiah_parse(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        if amount < 0:
            raise forms.ValidationError(_("Jumlah tidak boleh negatif."))
        return amount


class BaseForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ClaimReportForm(BaseForm):
    identifier = forms.CharField(
        label=_("NIK atau nomor KPJ peserta"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # No type is preselected: a living person's JKM claim was once filed by leaving the
    # first option as it was. The empty first option makes the choice explicit.
    claim_type = forms.ChoiceField(
        label=_("Jenis klaim"), choices=[("", _("— pilih jenis klaim —")), *ClaimType.choices]
    )
    origin = forms.ChoiceField(
        label=_("Dasar beasiswa (hanya beasiswa)"),
        required=False,
        choices=[("", "—"), *BeasiswaOrigin.choices],
    )
    event_date = forms.DateField(
        label=_("Tanggal kejadian / meninggal"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    event_time = forms.TimeField(
        label=_("Jam kejadian (kecelakaan kerja)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    event_place = forms.CharField(label=_("Tempat kejadian"), max_length=200, required=False)
    chronology = forms.CharField(
        label=_("Kronologi singkat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reporter_contact = forms.CharField(
        label=_("Kontak keluarga (nama, nomor HP)"), max_length=100, required=False
    )
    heir_name = forms.CharField(label=_("Nama ahli waris"), max_length=150, required=False)
    heir_relationship = forms.ChoiceField(
        label=_("Hubungan dengan peserta"),
        required=False,
        choices=[("", "—"), *Heir.Relationship.choices],
    )
    heir_nik = forms.CharField(
        label=_("NIK ahli waris"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    heir_phone = forms.CharField(
        label=_("Nomor HP ahli waris"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    heir_bank = forms.CharField(label=_("Bank"), max_length=60, required=False)
    heir_account = forms.CharField(
        label=_("Nomor rekening"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    stmb_days = forms.IntegerField(
        label=_("Hari tidak mampu bekerja (STMB)"), min_value=1, required=False
    )
    medical_costs = RupiahField(label=_("Biaya pengobatan (Rp)"), required=False)
    disability_code = forms.CharField(
        label=_("Jenis cacat (kode tabel)"), max_length=60, required=False
    )

    DETAIL_FIELDS = ("stmb_days", "medical_costs", "disability_code")

    def main_fields(self) -> list[forms.BoundField]:
        skip = {"identifier", *self.DETAIL_FIELDS}
        return [f for f in self if f.name not in skip and not f.name.startswith("heir_")]

    def heir_fields(self) -> list[forms.BoundField]:
        return [f for f in self if f.name.startswith("heir_")]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DETAIL_FIELDS]

    def clean_event_date(self) -> Any:
        value = self.cleaned_data["event_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal kejadian tidak boleh di masa depan."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("claim_type") == ClaimType.BEASISWA and not data.get("origin"):
            self.add_error("origin", _("Pilih dasar beasiswa."))
        if data.get("heir_name") and not data.get("heir_relationship"):
            self.add_error("heir_relationship", _("Pilih hubungan ahli waris."))
        return data


class HeirForm(BaseForm):
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    relationship = forms.ChoiceField(label=_("Hubungan"), choices=Heir.Relationship.choices)
    nik = forms.CharField(
        label=_("NIK"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    birth_date = forms.DateField(
        label=_("Tanggal lahir"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    phone = forms.CharField(label=_("Nomor HP"), max_length=16, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False)
    bank_account = forms.CharField(label=_("Nomor rekening"), max_length=30, required=False)
    account_holder = forms.CharField(
        label=_("Nama pemilik rekening"), max_length=150, required=False
    )
    is_payee = forms.BooleanField(label=_("Penerima pembayaran"), required=False)
    education_level = forms.ChoiceField(
        label=_("Jenjang pendidikan (beasiswa)"),
        required=False,
        choices=[("", "—"), *EducationLevel.choices],
    )
    school_name = forms.CharField(
        label=_("Sekolah/perguruan tinggi"), max_length=150, required=False
    )


class DocumentUploadForm(BaseForm):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("Berkas (PDF, JPG atau PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ReasonForm(BaseForm):
    reason = forms.CharField(
        label=_("Alasan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApproveForm(BaseForm):
    amount = RupiahField(label=_("Manfaat disetujui (kosongkan = perkiraan)"), required=False)
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False)


class PayoutForm(BaseForm):
    """The payout: amount, date, reference, and — never left to a default — who was paid
    and how. A death or scholarship benefit lists the claim's heirs, other JKK benefits
    the worker only."""

    WORKER = "worker"

    amount = RupiahField(label=_("Jumlah dibayar (Rp)"))
    paid_on = forms.DateField(
        label=_("Tanggal bayar"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    payee = forms.ChoiceField(label=_("Penerima pembayaran"))
    method = forms.ChoiceField(
        label=_("Cara bayar"),
        choices=[
            ("", _("— pilih cara bayar —")),
            *[(v, lbl) for v, lbl in PayoutMethod.choices if v != PayoutMethod.UNRECORDED],
        ],
    )
    bank = forms.CharField(label=_("Bank (transfer)"), max_length=60, required=False)
    account = forms.CharField(
        label=_("Nomor rekening (transfer; kosong = rekening ahli waris)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    reference = forms.CharField(label=_("Referensi pembayaran"), max_length=100)

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.claim = claim
        if claim.claim_type in PAID_TO_HEIR_TYPES:
            payees = [
                (str(h.pk), f"{h.full_name} ({h.get_relationship_display()})")
                for h in claim.heirs.all()
            ]
        else:
            payees = [(self.WORKER, _("Peserta: %(name)s") % {"name": claim.person.full_name})]
        self.fields["payee"].choices = [("", _("— pilih penerima —")), *payees]

    def payee_heir(self) -> ClaimHeir | None:
        value = self.cleaned_data["payee"]
        if value == self.WORKER:
            return None
        return next(h for h in self.claim.heirs.all() if str(h.pk) == value)


class ClaimFilterForm(BaseForm):
    q = forms.CharField(label=_("Cari"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua status")), *Claim.Status.choices]
    )
    claim_type = forms.ChoiceField(
        label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *ClaimType.choices]
    )
    district = forms.ChoiceField(label=_("Kecamatan"), required=False)

    def __init__(self, *args: Any, districts: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("Semua kecamatan"))] + [
            (d.code, d.name) for d in districts
        ]

    def filters(self) -> ClaimFilters:
        if not self.is_valid():
            return ClaimFilters()
        data = self.cleaned_data
        return ClaimFilters(
            status=data["status"],
            claim_type=data["claim_type"],
            district=data["district"],
            q=data["q"],
        )


class EstimateForm(BaseForm):
    benefit_type = forms.ChoiceField(label=_("Jenis manfaat"), choices=ClaimType.choices)
    event_date = forms.DateField(
        label=_("Tanggal kejadian"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    months_paid = forms.IntegerField(label=_("Masa iur (bulan)"), min_value=0, required=False)
    income = RupiahField(label=_("Penghasilan sebulan (kosong = terendah BPU)"), required=False)
    days = forms.IntegerField(label=_("Hari tidak mampu bekerja"), min_value=1, required=False)
    level = forms.ChoiceField(
        label=_("Jenjang beasiswa"),
        required=False,
        choices=[("", _("Semua jenjang")), *EducationLevel.choices],
    )
    years = forms.IntegerField(label=_("Tahun"), min_value=1, required=False)
    children = forms.IntegerField(label=_("Jumlah anak"), min_value=1, required=False)
    disability = forms.CharField(label=_("Kode cacat"), required=False, max_length=60)


class ConfirmRowForm(BaseForm):
    checked = forms.CharField(
        label=_("Yang diperiksa (peraturan, pasal, lampiran)"), max_length=500
    )

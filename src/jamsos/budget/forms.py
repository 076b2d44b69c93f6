"""Forms of the budget pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamsos.budget.models import (
    Allocation,
    FundingSource,
    PayerType,
    Phase,
    RiskGroup,
    Sector,
    Segment,
)
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import rupiah_parse
from jamsos.lib.periods import Month
from jamsos.regions.models import Region


class MonthField(forms.CharField):
    """``<input type="month">`` (``2025-05``) read as a ``Month``."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "TTTT-BB"})

    def to_python(self, value: Any) -> Month | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return Month.parse(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, Month) else value


class RupiahField(forms.CharField):
    """An amount typed as ``3053299200``, ``3.053.299.200`` or ``Rp 3.053.299.200``."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "Rp"})

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            amount = rupiah_parse(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        if amount <= 0:
            raise forms.ValidationError(_("Jumlah harus lebih dari 0."))
        return amount


class BootstrapForm(forms.Form):
    """Gives every widget Bootstrap's class, so templates render fields uniformly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def _blank(choices: Any, label: str = "—") -> list[tuple[str, str]]:
    return [("", label), *choices]


class EstimateForm(BootstrapForm):
    persons = forms.IntegerField(label=_("Jumlah orang"), min_value=1, max_value=10_000_000)
    months = forms.IntegerField(label=_("Jumlah bulan"), min_value=1, max_value=120)
    start = MonthField(label=_("Mulai bulan"))
    segment = forms.ChoiceField(label=_("Segmen"), choices=Segment.choices, initial=Segment.BPU)
    payer = forms.ChoiceField(label=_("Pembayar"), choices=PayerType.choices, initial="apbd")
    income = RupiahField(label=_("Nilai penghasilan BPU"), required=False)
    wage = RupiahField(label=_("Upah PU per bulan"), required=False)
    risk_group = forms.ChoiceField(
        label=_("Kelompok risiko PU"), choices=_blank(RiskGroup.choices), required=False
    )
    sector = forms.ChoiceField(
        label=_("Sektor"), choices=_blank(Sector.choices, "tidak disebut"), required=False
    )


class FiscalYearForm(BootstrapForm):
    region = forms.ModelChoiceField(label=_("Kabupaten/kota"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, regencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regencies
        if regencies.count() == 1:
            self.fields["region"].initial = regencies.first()


class FundingSourceForm(BootstrapForm):
    region = forms.ModelChoiceField(label=_("Kabupaten/kota"), queryset=Region.objects.none())
    kind = forms.ChoiceField(label=_("Jenis"), choices=FundingSource.Kind.choices)
    name = forms.CharField(label=_("Nama"), max_length=200)
    nagari = forms.ModelChoiceField(
        label=_("Nagari (APB Nagari)"), queryset=Region.objects.none(), required=False
    )
    dprd_member = forms.CharField(label=_("Anggota DPRD (pokir)"), required=False)
    company = forms.CharField(label=_("Perusahaan (CSR)"), required=False)

    def __init__(self, *args: Any, regencies: Any, nagari: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regencies
        if regencies.count() == 1:
            self.fields["region"].initial = regencies.first()
        self.fields["nagari"].queryset = nagari


class AllocationForm(BootstrapForm):
    source = forms.ModelChoiceField(label=_("Sumber dana"), queryset=FundingSource.objects.none())
    name = forms.CharField(label=_("Nama pagu"), max_length=200)
    pagu = RupiahField(label=_("Pagu (Rp)"))
    segment = forms.ChoiceField(label=_("Segmen"), choices=Segment.choices, initial=Segment.BPU)

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources


class PhaseForm(BootstrapForm):
    number = forms.IntegerField(label=_("Tahap ke-"), min_value=1, max_value=50)
    name = forms.CharField(label=_("Nama"), max_length=100, required=False)
    first_month = MonthField(label=_("Mulai bulan"))
    months = forms.IntegerField(label=_("Lama (bulan)"), min_value=1, max_value=12)
    allocation = forms.ModelChoiceField(
        label=_("Pagu"), queryset=Allocation.objects.none(), required=False
    )
    planned_persons = forms.IntegerField(label=_("Rencana orang"), min_value=1, required=False)
    decree_reference = forms.CharField(label=_("Nomor SK"), max_length=120, required=False)

    def __init__(self, *args: Any, allocations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = allocations


class QuotaForm(BootstrapForm):
    nagari = forms.ModelChoiceField(label=_("Nagari"), queryset=Region.objects.none())
    persons = forms.IntegerField(label=_("Target (orang)"), min_value=1, initial=100)
    note = forms.CharField(label=_("Catatan"), max_length=200, required=False)

    def __init__(self, *args: Any, nagari: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nagari"].queryset = nagari


class ReservationForm(BootstrapForm):
    persons = forms.IntegerField(label=_("Jumlah orang"), min_value=1)
    phase = forms.ModelChoiceField(label=_("Tahap"), queryset=Phase.objects.none(), required=False)
    first_month = MonthField(label=_("Mulai bulan"), required=False)
    months = forms.IntegerField(label=_("Lama (bulan)"), min_value=1, max_value=12, required=False)
    nagari = forms.ModelChoiceField(
        label=_("Nagari (target)"), queryset=Region.objects.none(), required=False
    )
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)

    def __init__(self, *args: Any, phases: Any, nagari: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = phases
        self.fields["nagari"].queryset = nagari

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("phase") and not data.get("first_month"):
            raise forms.ValidationError(_("Pilih tahap atau isi bulan mulai."))
        return data


class CapacityForm(BootstrapForm):
    start = MonthField(label=_("Mulai bulan"))


class IncomeBracketForm(BootstrapForm):
    declared_income = RupiahField(label=_("Nilai penghasilan (Rp)"))
    valid_from = MonthField(label=_("Berlaku mulai"))
    legal_basis = forms.CharField(label=_("Dasar hukum"), max_length=500)
    note = forms.CharField(label=_("Catatan/sumber"), required=False)


class ConfirmRowForm(BootstrapForm):
    legal_basis = forms.CharField(label=_("Dasar hukum yang diperiksa"), max_length=500)

"""Forms of the contributions pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamsos.budget.forms import BootstrapForm, MonthField, RupiahField
from jamsos.budget.models import FundingSource
from jamsos.contributions.models import Bill
from jamsos.contributions.services import prepayment_choices
from jamsos.lib.errors import DomainError
from jamsos.lib.periods import Month
from jamsos.lib.tabular import TableError, upload_size_check
from jamsos.regions.models import Region


class _RegencyForm(BootstrapForm):
    """A kabupaten picker, hidden when the user works in exactly one."""

    regency = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Kabupaten/kota"))

    def __init__(self, *args: Any, regencies: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["regency"]
        field.queryset = regencies  # type: ignore[attr-defined]
        if len(regencies) == 1:
            field.initial = regencies[0]
            field.widget = forms.HiddenInput()


class BillingRunForm(_RegencyForm):
    month = MonthField(label=_("Bulan tagihan"))
    # Choices come from the prepayment rule valid this month (regulation data); the
    # billing run checks the month actually billed again.
    months = forms.TypedChoiceField(label=_("Lama tagihan"), coerce=int, initial=1)
    source = forms.ModelChoiceField(
        queryset=FundingSource.objects.none(),
        label=_("Sumber dana"),
        required=False,
        empty_label=_("Semua sumber dana"),
    )

    def __init__(self, *args: Any, sources: QuerySet[FundingSource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
        try:
            choices = prepayment_choices(Month.current())
        except DomainError:
            choices = (1,)
        self.fields["months"].choices = [  # type: ignore[attr-defined]
            (m, _("1 bulan") if m == 1 else _("%(n)s bulan (bayar di muka)") % {"n": m})
            for m in choices
        ]


class BillFilterForm(BootstrapForm):
    month = MonthField(label=_("Bulan"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Semua status")), *Bill.Status.choices], required=False
    )


class PaymentForm(BootstrapForm):
    sp2d_number = forms.CharField(label=_("Nomor SP2D"), max_length=80)
    paid_on = forms.DateField(
        label=_("Tanggal SP2D"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = RupiahField(label=_("Jumlah (Rp)"))
    treasury_account = forms.CharField(
        label=_("Rekening kas daerah"),
        max_length=120,
        initial=_("Rekening Kas Umum Daerah"),
    )
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class StatementUploadForm(_RegencyForm):
    file = forms.FileField(
        label=_("Rekening iuran dari BPJS (.xlsx atau .csv)"),
        help_text=_("Kolom: KPJ, Nama, Bulan dibayar (mis. 2025-01 s.d. 2025-03), Jumlah."),
    )
    first_month = MonthField(label=_("Periode mulai (opsional)"), required=False)
    last_month = MonthField(label=_("Periode sampai (opsional)"), required=False)

    def clean_file(self):  # type: ignore[no-untyped-def]
        """The upload cap of every table import (``lib.tabular``), named in the error."""
        upload = self.cleaned_data["file"]
        try:
            upload_size_check(size=upload.size, file_name=upload.name)
        except TableError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload


class ResolveForm(BootstrapForm):
    note = forms.CharField(
        label=_("Penyelesaian"),
        max_length=2000,
        widget=forms.TextInput(
            attrs={"placeholder": _("mis. SP2D susulan 900/123, atau KPJ dikoreksi BPJS")}
        ),
    )


class ReactivateForm(BootstrapForm):
    first_month = MonthField(label=_("Mulai bulan"))
    last_month = MonthField(label=_("Sampai bulan (kosong: Desember)"), required=False)
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)


class TransparencyForm(_RegencyForm):
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)


class ArrearsForm(_RegencyForm):
    as_of = MonthField(label=_("Per bulan"))

"""Forms of the outbox pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jamsos.messaging.models import Consent


class ConsentForm(forms.Form):
    address = forms.CharField(
        label=_("Nomor HP atau e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )
    status = forms.ChoiceField(
        label=_("Keputusan"),
        choices=Consent.Status.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    source = forms.ChoiceField(
        label=_("Sumber"),
        choices=Consent.Source.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    given_on = forms.DateField(
        label=_("Tanggal"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
    )
    note = forms.CharField(
        label=_("Catatan"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=255)

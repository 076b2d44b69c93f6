from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class NikCheckForm(forms.Form):
    """The Cek NIK page (its inputs are written out in ``regions/nik_check.html`` for the
    htmx attributes): a NIK as operators type it, and optionally what the person
    declared. The NIK's own shape is the checker's job, not the form's."""

    nik = forms.CharField(label=_("NIK"), max_length=64, required=False)
    birth_date = forms.DateField(
        label=_("Tanggal lahir yang diisi"),
        required=False,
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={"invalid": _("Tanggal lahir harus berbentuk HH-BB-TTTT.")},
    )
    sex = forms.ChoiceField(
        label=_("Jenis kelamin yang diisi"),
        required=False,
        choices=[("", _("— tidak diisi —")), ("L", _("Laki-laki")), ("P", _("Perempuan"))],
        error_messages={"invalid_choice": _("Jenis kelamin harus L atau P.")},
    )

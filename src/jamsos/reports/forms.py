from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from jamsos.lib.tabular import TableError, upload_size_check
from jamsos.reports.models import Publication

MONTHS = [
    (1, _("Januari")),
    (2, _("Februari")),
    (3, _("Maret")),
    (4, _("April")),
    (5, _("Mei")),
    (6, _("Juni")),
    (7, _("Juli")),
    (8, _("Agustus")),
    (9, _("September")),
    (10, _("Oktober")),
    (11, _("November")),
    (12, _("Desember")),
]


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(
        label=_("Bulan"), choices=MONTHS, coerce=int, required=False, empty_value=None
    )


class TargetUploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas sasaran (.xlsx atau .csv)"))

    def clean_file(self):  # type: ignore[no-untyped-def]
        """An .xlsx or .csv within the upload cap of every table import
        (``lib.tabular``), named in the error."""
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Unggah berkas .xlsx atau .csv."))
        try:
            upload_size_check(size=upload.size, file_name=upload.name)
        except TableError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload


class PublishForm(forms.Form):
    kind = forms.ChoiceField(label=_("Laporan"), choices=Publication.Kind.choices)
    format = forms.ChoiceField(label=_("Format"), choices=Publication.Format.choices)
    period = forms.CharField(
        label=_("Periode (TTTT-BB; tahunan: TTTT)"),
        max_length=7,
        help_text=_("Lampiran tahunan LKPJ/LPPD/LKjIP: tahunnya saja (TTTT-BB juga diterima)."),
    )

    def clean(self):
        data = super().clean()
        period, kind = data.get("period"), data.get("kind")
        if period is None or kind is None:
            return data
        if kind in Publication.YEARLY_KINDS:
            if not re.fullmatch(r"20\d\d(-(0[1-9]|1[0-2]))?", period):
                self.add_error("period", _("Tulis periode sebagai TTTT."))
            else:
                data["period"] = period[:4]
        elif not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", period):
            self.add_error("period", _("Tulis periode sebagai TTTT-BB."))
        return data

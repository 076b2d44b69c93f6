from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamsos.audit.selectors import AuditEventFilters, audit_action_choices


class AuditFilterForm(forms.Form):
    """The filter bar of the audit page (GET). Empty fields mean "any"."""

    action = forms.ChoiceField(label=_("Aksi"), required=False)
    actor = forms.CharField(label=_("Pelaku"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Jenis objek"), required=False, max_length=80)
    q = forms.CharField(label=_("Objek (teks atau ID)"), required=False, max_length=200)
    date_from = forms.DateField(
        label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read at construction: apps register their codes in AppConfig.ready.
        self.fields["action"].choices = [("", _("Semua aksi")), *audit_action_choices()]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")
        self.fields["object_type"].widget.attrs["list"] = "audit-object-types"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                _("Tanggal akhir (%(end)s) lebih awal dari tanggal mulai (%(start)s).")
                % {"end": end.isoformat(), "start": start.isoformat()},
            )
        return data

    def filters(self) -> AuditEventFilters:
        data = self.cleaned_data
        return AuditEventFilters(
            action=data.get("action") or "",
            actor=data.get("actor") or "",
            object_type=data.get("object_type") or "",
            object_text=data.get("q") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class AccessLogSearchForm(forms.Form):
    """The NIK a citizen asked about. Sent by POST, so the NIK stays out of URLs and logs."""

    nik = forms.CharField(
        label=_("NIK warga"),
        max_length=30,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

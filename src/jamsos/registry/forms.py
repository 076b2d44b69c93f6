"""Forms of the registry pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import User
from jamsos.registry import selectors


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False, max_length=100)
    # Any region code (a kecamatan narrows to its villages); the list offers villages.
    village = forms.CharField(
        label=_("Nagari/desa"), required=False, max_length=13, widget=forms.Select
    )
    occupation = forms.ChoiceField(label=_("Pekerjaan"), required=False)

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("nama atau NIK")
        self.fields["village"].widget.choices = [("", _("Semua nagari/desa"))] + [
            (v.code, f"{v.name} · {v.parent.name}" if v.parent else v.name)
            for v in selectors.village_choices(viewer=viewer)
        ]
        self.fields["occupation"].choices = [("", _("Semua pekerjaan"))] + [
            (o.code, o.name) for o in selectors.occupation_list()
        ]

    def filters(self) -> selectors.PersonFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.PersonFilters(
            search=data.get("q", ""),
            village=data.get("village", ""),
            occupation=data.get("occupation", ""),
        )

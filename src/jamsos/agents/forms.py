"""Forms of the agents pages. They only shape input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.access import region_q
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.agents.models import Agent, AgentInstitution, AgentTraining
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _villages(user: User):
    return (
        Region.objects.filter(_village_q(user))
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def _village_q(user: User):
    from django.db.models import Q

    if user.is_superuser:
        return Q(level=Region.Level.VILLAGE)
    code = user.region_id or "-"
    return Q(level=Region.Level.VILLAGE) & (Q(code=code) | Q(code__startswith=code + "."))


class _Bootstrap:
    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class AgentForm(_Bootstrap, forms.Form):
    nik = forms.CharField(label=_("NIK"), max_length=32)
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150, required=False)
    birth_date = forms.DateField(label=_("Tanggal lahir"), required=False, widget=DATE)
    sex = forms.ChoiceField(
        label=_("Jenis kelamin"), choices=[("", "—"), *Person.Sex.choices], required=False
    )
    village = forms.ModelChoiceField(
        label=_("Nagari tempat tinggal"), queryset=Region.objects.none(), required=False
    )
    phone = forms.CharField(label=_("Nomor HP"), max_length=16, required=False)
    institution = forms.ModelChoiceField(
        label=_("Lembaga"), queryset=AgentInstitution.objects.none(), required=False
    )
    bpjs_code = forms.CharField(label=_("Kode agen BPJS"), max_length=40, required=False)
    appointment_number = forms.CharField(
        label=_("Nomor SK/kontrak"), max_length=120, required=False
    )
    appointment_date = forms.DateField(label=_("Tanggal SK/kontrak"), required=False, widget=DATE)
    appointment_document = forms.FileField(label=_("Dokumen penunjukan (PDF)"), required=False)
    is_perangkat_nagari = forms.BooleanField(label=_("Perangkat nagari"), required=False)
    user = forms.ModelChoiceField(
        label=_("Akun Agen Perisai"), queryset=User.objects.none(), required=False
    )
    substitute = forms.ModelChoiceField(
        label=_("Agen pengganti"), queryset=Agent.objects.none(), required=False
    )
    works_to = forms.DateField(label=_("Bertugas sampai"), required=False, widget=DATE)

    def __init__(self, *args, viewer: User, agent: Agent | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(viewer)
        self.fields["institution"].queryset = AgentInstitution.objects.filter(
            region_q(viewer, "region"), is_active=True
        )
        users = User.objects.filter(region_q(viewer, "region"), role=Role.AGENT, is_active=True)
        taken = Agent.objects.filter(user__isnull=False)
        if agent is not None:
            taken = taken.exclude(pk=agent.pk)
        self.fields["user"].queryset = users.exclude(pk__in=taken.values("user_id"))
        others = Agent.objects.filter(region_q(viewer, "region")).select_related("person")
        if agent is not None:
            others = others.exclude(pk=agent.pk)
            for name in ("nik", "full_name", "birth_date", "sex", "village", "phone"):
                del self.fields[name]
        self.fields["substitute"].queryset = others
        self._style()

    def person_fields(self) -> dict:
        return {
            k: self.cleaned_data.get(k) for k in ("nik", "full_name", "birth_date", "sex", "phone")
        } | {"village": self.cleaned_data["village"].pk if self.cleaned_data.get("village") else ""}

    def agent_fields(self) -> dict:
        names = (
            "institution",
            "bpjs_code",
            "appointment_number",
            "appointment_date",
            "appointment_document",
            "is_perangkat_nagari",
            "user",
            "substitute",
            "works_to",
        )
        return {k: self.cleaned_data.get(k) for k in names if k in self.cleaned_data}


class InstitutionForm(_Bootstrap, forms.ModelForm):
    class Meta:
        model = AgentInstitution
        fields = ["name", "kind", "bpjs_agreement_number", "contact"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class StatusRequestForm(_Bootstrap, forms.Form):
    to_status = forms.ChoiceField(label=_("Status baru"), choices=Agent.Status.choices)
    end_reason = forms.ChoiceField(
        label=_("Alasan berhenti"), choices=[("", "—"), *Agent.EndReason.choices], required=False
    )
    effective_on = forms.DateField(label=_("Berlaku sejak"), widget=DATE)
    note = forms.CharField(
        label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, agent: Agent | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if agent is not None:
            self.fields["to_status"].choices = [
                (value, label) for value, label in Agent.Status.choices if agent.may_become(value)
            ]
        self._style()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(required=False, max_length=500)


class AssignmentForm(_Bootstrap, forms.Form):
    nagari = forms.ModelChoiceField(label=_("Nagari"), queryset=Region.objects.none())
    valid_from = forms.DateField(label=_("Mulai"), widget=DATE)
    valid_to = forms.DateField(label=_("Sampai"), required=False, widget=DATE)
    is_primary = forms.BooleanField(label=_("Nagari utama"), required=False)

    def __init__(self, *args, viewer: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nagari"].queryset = _villages(viewer)
        self._style()


class TrainingForm(_Bootstrap, forms.Form):
    topic = forms.ChoiceField(label=_("Topik"), choices=AgentTraining.Topic.choices)
    title = forms.CharField(label=_("Judul"), max_length=200)
    held_on = forms.DateField(label=_("Tanggal"), widget=DATE)
    provider = forms.CharField(label=_("Penyelenggara"), max_length=200, required=False)
    certificate = forms.FileField(label=_("Sertifikat"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class MonthForm(_Bootstrap, forms.Form):
    month = forms.CharField(
        label=_("Bulan"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class PhoneProposalForm(forms.Form):
    """The phone app's form: the intake field keys, plus photos. Never posted as a form:
    the page's script queues it in IndexedDB and sends it to the API."""

    nik = forms.CharField(label=_("NIK"), max_length=20)
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=DATE)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=[("", "—"), *Person.Sex.choices])
    mother_name = forms.CharField(label=_("Nama ibu kandung"), max_length=150, required=False)
    address = forms.CharField(label=_("Alamat"), max_length=255, required=False)
    village = forms.ChoiceField(label=_("Nagari"), choices=[])
    occupation = forms.ChoiceField(label=_("Pekerjaan"), choices=[])
    phone = forms.CharField(label=_("Nomor HP"), max_length=16, required=False)
    family_card_number = forms.CharField(label=_("Nomor KK"), max_length=16, required=False)
    ktp_photo = forms.ImageField(label=_("Foto KTP"), required=False)
    kk_photo = forms.ImageField(label=_("Foto KK"), required=False)

    def __init__(self, *args, villages: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = villages
        self.fields["occupation"].choices = [
            ("", "—"),
            *Occupation.objects.filter(is_active=True).values_list("code", "name"),
        ]
        for name, field in self.fields.items():
            widget = field.widget
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control"
            )
            widget.attrs["data-testid"] = f"phone-{name}"
            if name in ("ktp_photo", "kk_photo"):
                widget.attrs["accept"] = "image/*"
                widget.attrs["capture"] = "environment"
        self.fields["nik"].widget.attrs.update(inputmode="numeric", autocomplete="off")

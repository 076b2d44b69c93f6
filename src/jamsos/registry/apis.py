"""REST API of the registry: scoped persons with masked NIK, read-only.

Scope and permissions are the UI's (``registry.selectors.person_list``,
``registry.access.access_person``); DPRD and the executive get 403 on the list and 404 on
a person. Full NIKs never leave through the API.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jamsos.api.schemas import (
    READ_ERRORS,
    Id,
    KeysetPageIn,
    KeysetPageMetaOut,
    errors,
    paginate_keyset,
)
from jamsos.audit.services import personal_data_access_log
from jamsos.lib.nik import nik_mask
from jamsos.registry import selectors
from jamsos.registry.access import access_person
from jamsos.registry.models import Person

router = Router(tags=["registry"])


def _phone_mask(phone: str) -> str:
    """``+6281234567890`` → ``+628*********90``: enough to recognise, not to call."""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 6) + phone[-2:]


class PersonListIn(KeysetPageIn):
    q: str = Field("", max_length=100, description="Nama (sebagian) atau NIK (awal/lengkap)")
    village: str = Field("", max_length=13, description="Kode nagari/desa atau wilayah di atasnya")
    occupation: str = Field("", max_length=40, description="Kode pekerjaan")


class PersonOut(Schema):
    id: int
    nik_masked: str
    full_name: str
    sex: str
    birth_date: dt.date
    village_code: str
    village_name: str
    district_name: str
    occupation_code: str
    occupation_name: str
    is_deceased: bool

    @staticmethod
    def from_person(person: Person) -> dict[str, object]:
        village = person.village
        return {
            "id": person.pk,
            "nik_masked": nik_mask(person.nik),
            "full_name": person.full_name,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "village_code": village.code,
            "village_name": village.name,
            "district_name": village.parent.name if village.parent else "",
            "occupation_code": person.occupation.code,
            "occupation_name": person.occupation.name,
            "is_deceased": person.is_deceased,
        }


class PersonDetailOut(PersonOut):
    birth_place: str
    address: str
    phone_masked: str
    declared_income: int | None
    heirs: int

    @staticmethod
    def from_person(person: Person) -> dict[str, object]:
        data = PersonOut.from_person(person)
        data.update(
            birth_place=person.birth_place,
            address=person.address,
            phone_masked=_phone_mask(person.phone),
            declared_income=person.declared_income,
            heirs=person.heirs.count(),
        )
        return data


class PersonPageOut(KeysetPageMetaOut):
    items: list[PersonOut]


@router.get(
    "/persons",
    response={200: PersonPageOut, **READ_ERRORS},
    summary="Daftar peserta (NIK disamarkan, sesuai wilayah)",
)
def person_list(request: HttpRequest, filters: Query[PersonListIn]) -> dict[str, object]:
    persons = selectors.person_list(
        viewer=request.user,
        filters=selectors.PersonFilters(
            search=filters.q, village=filters.village, occupation=filters.occupation
        ),
    )
    meta, items = paginate_keyset(persons, filters, order=selectors.PERSON_ORDER)
    return {**meta.model_dump(), "items": [PersonOut.from_person(p) for p in items]}


@router.get(
    "/persons/{person_id}",
    response={200: PersonDetailOut, **READ_ERRORS, **errors(404)},
    summary="Satu peserta (NIK disamarkan)",
)
def person_detail(request: HttpRequest, person_id: Id) -> dict[str, object]:
    person = access_person(request.user, person_id)
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(person.pk, person.nik)],
        purpose="api:registry.person_detail",
        fields=[f for f in PersonDetailOut.model_fields if f != "id"],
        path=request.path,
    )
    return PersonDetailOut.from_person(person)

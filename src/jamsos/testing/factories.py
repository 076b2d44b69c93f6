"""factory-boy factories. Regions come from the migration-loaded Kemendagri data."""

from __future__ import annotations

import datetime as dt

import factory

from jamsos.accounts.models import Agency, User
from jamsos.accounts.roles import Role
from jamsos.lib.nik import nik_build
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation, Person

SIJUNJUNG = "13.03"
TANJUNG_GADANG = "13.03.03"
SIJUNJUNG_KEC = "13.03.04"


def region(code: str) -> Region:
    return Region.objects.get(pk=code)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Instansi {n}")
    kind = Agency.Kind.DINAS
    region = factory.LazyFunction(lambda: region(SIJUNJUNG))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="id_ID")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    role = Role.DINAS_OPERATOR
    agency = factory.SubFactory(AgencyFactory)
    region = factory.LazyAttribute(lambda o: o.agency.region)
    password = factory.PostGenerationMethodCall("set_password", "sandi-uji-yang-panjang")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OccupationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occupation
        django_get_or_create = ("code",)

    code = "petani"
    name = "Petani"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Faker("name", locale="id_ID")
    # Adults of working age whatever the sequence number: 1962-01-01 … about 2001.
    birth_date = factory.Sequence(
        lambda n: dt.date(1962, 1, 1) + dt.timedelta(days=(n * 37) % (40 * 365))
    )
    sex = Person.Sex.MALE
    village = factory.LazyFunction(lambda: region("13.03.03.2001"))
    occupation = factory.LazyFunction(
        lambda: Occupation.objects.filter(code="petani").first() or OccupationFactory()
    )
    nik = factory.LazyAttributeSequence(
        lambda o, n: nik_build(o.village.parent_id, o.birth_date, o.sex, n % 9999 + 1)
    )

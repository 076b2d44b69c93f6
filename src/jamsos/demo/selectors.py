from __future__ import annotations

from dataclasses import dataclass

from jamsos.accounts.models import Agency, User
from jamsos.demo.catalogue import DEMO_PASSWORD, DEMO_USERS
from jamsos.regions.models import Region
from jamsos.registry.models import Person


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    role_label: str
    scope: str
    password: str


def demo_database_is_empty() -> bool:
    """True when nobody has set anything up yet: regions and occupations come from
    migrations, so only agencies, users and persons tell that a database is in use."""
    return not (User.objects.exists() or Agency.objects.exists() or Person.objects.exists())


def demo_logins() -> list[DemoLogin]:
    """The demo accounts that exist in this database, in ``DEMO_USERS`` order.

    Read from the database rather than the catalogue, so a database that was never a demo
    (or whose demo users were removed) shows no password for accounts it does not have.
    """
    wanted = {user.username: user.role for user in DEMO_USERS}
    found = {
        user.username: user
        for user in User.objects.filter(username__in=wanted, is_active=True).select_related(
            "region"
        )
        if user.role == wanted[user.username]
    }
    return [
        DemoLogin(
            username=username,
            role=user.role,
            role_label=str(user.get_role_display()),
            scope=_region_label(user.region) if user.region else "",
            password=DEMO_PASSWORD,
        )
        for username in wanted
        if (user := found.get(username)) is not None
    ]


def _region_label(region: Region) -> str:
    """``Kecamatan Tanjung Gadang``, ``Nagari Timbulun``; regencies already say ``Kabupaten``."""
    kind = str(region.get_kind_display())
    if region.level in (Region.Level.DISTRICT, Region.Level.VILLAGE) and not (
        region.name.lower().startswith(kind.lower())
    ):
        return f"{kind} {region.name}"
    return region.name

"""The shared cast of every permission test (STYLE.md 36).

A Dinas operator and head and a BPJS officer scoped to Kabupaten Sijunjung; a Camat
operator of Tanjung Gadang; an agent of one nagari there; an executive and a DPRD member;
an admin; and an outsider: a Dinas operator of another kabupaten (Kota Padang).
"""

from __future__ import annotations

from dataclasses import dataclass

from jamsos.accounts.models import Agency, User
from jamsos.accounts.roles import Role
from jamsos.testing.factories import AgencyFactory, UserFactory, region

AGENT_NAGARI = "13.03.03.2001"
OUTSIDER_REGENCY = "13.71"  # Kota Padang


@dataclass
class Personas:
    dinas_operator: User
    dinas_head: User
    bpjs_officer: User
    kecamatan_operator: User
    agent: User
    executive: User
    dprd: User
    admin: User
    outsider: User

    def all(self) -> dict[str, User]:
        return dict(self.__dict__)


def make_personas() -> Personas:
    sij = region("13.03")
    dinas = AgencyFactory(
        code="disnakertrans-sijunjung",
        name="Disnakertrans Sijunjung",
        kind=Agency.Kind.DINAS,
        region=sij,
    )
    bpjs = AgencyFactory(
        code="bpjs-solok",
        name="BPJS Ketenagakerjaan Cabang Solok",
        kind=Agency.Kind.BPJS_BRANCH,
        region=sij,
    )
    camat = AgencyFactory(
        code="camat-tanjung-gadang",
        name="Kantor Camat Tanjung Gadang",
        kind=Agency.Kind.KECAMATAN_OFFICE,
        region=region("13.03.03"),
    )
    nagari = AgencyFactory(
        code="nagari-13-03-03-2001",
        name="Pemerintah Nagari",
        kind=Agency.Kind.NAGARI,
        region=region(AGENT_NAGARI),
    )
    bupati = AgencyFactory(
        code="setda-sijunjung",
        name="Sekretariat Daerah Sijunjung",
        kind=Agency.Kind.EXECUTIVE_OFFICE,
        region=sij,
    )
    dprd = AgencyFactory(
        code="dprd-sijunjung", name="DPRD Sijunjung", kind=Agency.Kind.DPRD, region=sij
    )
    it = AgencyFactory(
        code="diskominfo-sijunjung",
        name="Diskominfo Sijunjung",
        kind=Agency.Kind.IT_OFFICE,
        region=sij,
    )
    padang = AgencyFactory(
        code="disnaker-padang",
        name="Disnaker Kota Padang",
        kind=Agency.Kind.DINAS,
        region=region(OUTSIDER_REGENCY),
    )
    return Personas(
        dinas_operator=UserFactory(username="p_operator", role=Role.DINAS_OPERATOR, agency=dinas),
        dinas_head=UserFactory(username="p_head", role=Role.DINAS_HEAD, agency=dinas),
        bpjs_officer=UserFactory(username="p_bpjs", role=Role.BPJS_OFFICER, agency=bpjs),
        kecamatan_operator=UserFactory(
            username="p_camat", role=Role.KECAMATAN_OPERATOR, agency=camat
        ),
        agent=UserFactory(username="p_agent", role=Role.AGENT, agency=nagari),
        executive=UserFactory(username="p_bupati", role=Role.EXECUTIVE, agency=bupati),
        dprd=UserFactory(username="p_dprd", role=Role.DPRD, agency=dprd),
        admin=UserFactory(username="p_admin", role=Role.ADMIN, agency=it),
        outsider=UserFactory(username="p_outsider", role=Role.DINAS_OPERATOR, agency=padang),
    )

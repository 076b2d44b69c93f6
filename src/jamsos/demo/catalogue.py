"""What the demo is made of: Kabupaten Sijunjung's agencies, one login per role, and the
word lists that synthetic persons are drawn from. Pure data, no database, so browser tests
can import the logins (``from jamsos.demo.catalogue import DEMO_PASSWORD, DEMO_USERS``).
"""

from __future__ import annotations

from typing import NamedTuple

from jamsos.accounts.roles import Role

REGENCY = "13.03"  # Kabupaten Sijunjung
REGENCY_NAME = "Kabupaten Sijunjung"

# One password for every demo login, documented in the README. It is public on purpose:
# `jamsos demo` refuses to run on a database that already holds users or persons, so
# these accounts only ever exist in demo and test databases.
DEMO_PASSWORD = "demo-jamsos-2025"  # noqa: S105


class DemoUser(NamedTuple):
    username: str
    role: str
    full_name: str
    region_code: str


class DemoAgency(NamedTuple):
    code: str
    name: str
    kind: str
    region_code: str


AGENT_NAGARI = "13.03.03.2001"  # Nagari Timbulun, Kecamatan Tanjung Gadang
CAMAT_DISTRICT = "13.03.03"  # Kecamatan Tanjung Gadang

# Regency-wide agencies; the 8 kantor camat and the 62 pemerintah nagari are added from
# the region table (see ``district_agency`` and ``village_agency``).
REGENCY_AGENCIES: list[DemoAgency] = [
    DemoAgency("disnakertrans-sijunjung", "Disnakertrans Kabupaten Sijunjung", "dinas", REGENCY),
    # The branch office is in Kota Solok and serves several regencies; in this deployment
    # it is anchored where it works, so Sijunjung's admins can manage its users.
    DemoAgency(
        "bpjs-cabang-solok",
        "BPJS Ketenagakerjaan Kantor Cabang Solok",
        "bpjs_branch",
        REGENCY,
    ),
    DemoAgency("dprd-sijunjung", "DPRD Kabupaten Sijunjung", "dprd", REGENCY),
    DemoAgency(
        "setda-sijunjung",
        "Sekretariat Daerah / Bupati Sijunjung",
        "executive_office",
        REGENCY,
    ),
    DemoAgency(
        "diskominfo-sijunjung",
        "Diskominfo Kabupaten Sijunjung",
        "it_office",
        REGENCY,
    ),
]


def district_agency_code(district_code: str) -> str:
    return "camat-" + district_code.replace(".", "-")


def village_agency_code(village_code: str) -> str:
    return "nagari-" + village_code.replace(".", "-")


# One login per role. Usernames are stable: tests, docs and the README rely on them.
DEMO_USERS: list[DemoUser] = [
    DemoUser("operator", Role.DINAS_OPERATOR, "Rini Yulianti", REGENCY),
    DemoUser("kadis", Role.DINAS_HEAD, "Hendri Yuzal Datuak Rajo Batuah", REGENCY),
    DemoUser("bpjs", Role.BPJS_OFFICER, "Fitri Handayani", REGENCY),
    DemoUser("camat", Role.KECAMATAN_OPERATOR, "Syafrizal Sutan Mudo", CAMAT_DISTRICT),
    DemoUser("agen", Role.AGENT, "Desmawati", AGENT_NAGARI),
    DemoUser("bupati", Role.EXECUTIVE, "Irwan Sutan Pangeran", REGENCY),
    DemoUser("dprd", Role.DPRD, "Yusnimar Chaniago", REGENCY),
    DemoUser("admin", Role.ADMIN, "Ramadhan Putra", REGENCY),
]

# The agency each demo user works for.
DEMO_USER_AGENCY: dict[str, str] = {
    "operator": "disnakertrans-sijunjung",
    "kadis": "disnakertrans-sijunjung",
    "bpjs": "bpjs-cabang-solok",
    "camat": district_agency_code(CAMAT_DISTRICT),
    "agen": village_agency_code(AGENT_NAGARI),
    "bupati": "setda-sijunjung",
    "dprd": "dprd-sijunjung",
    "admin": "diskominfo-sijunjung",
}

# --- Word lists for synthetic persons ---------------------------------------------------
# Minangkabau naming: a given name (often one word, often ending -rizal, -wati, -nimar),
# for some men a gelar adat after it ("Sutan Marajo", "Datuak Bandaro"), and for some
# people a second name that reads like a family name. Suku (clan) names are not family
# names in Minang custom, but a few (Chaniago, Piliang, Koto, …) are used as such.
MALE_GIVEN = [
    "Rajo", "Buyung", "Ujang", "Zulkifli", "Syafrizal", "Afrizal", "Yusrizal", "Hendri",
    "Irwan", "Ramadhan", "Yulizar", "Asrul", "Darmawan", "Efendi", "Firdaus", "Gusrizal",
    "Harmaini", "Indra", "Jasman", "Khairul", "Lukman", "Masrizal", "Nofrizal", "Oktaviandi",
    "Putra", "Rahmat", "Syamsul", "Taufik", "Usman", "Wendi", "Yondri", "Zainal", "Amril",
    "Busra", "Dasril", "Elfis", "Fauzan", "Hasnul", "Jonrizal", "Kasman", "Mardius",
    "Nasrul", "Rusdi", "Suardi", "Yuhendri", "Alfian", "Rizki", "Fadli", "Dedi", "Arif",
]  # fmt: skip
FEMALE_GIVEN = [
    "Upiak", "Nurhayati", "Rosmaniar", "Yusnimar", "Ernawati", "Fitriani", "Desmawati",
    "Yulidarti", "Misnawati", "Rosnida", "Nurlela", "Asmidar", "Syamsinar", "Yenni",
    "Elvi", "Darnis", "Gusniarti", "Hasnidar", "Irawati", "Jusmaniar", "Kartini", "Lismawati",
    "Mardiana", "Nelvi", "Oktavia", "Rahmawati", "Suryani", "Triana", "Wirdani", "Yusmaini",
    "Zuraida", "Afrida", "Deswita", "Eliza", "Febriyanti", "Helmawati", "Nofita", "Rini",
    "Silvia", "Yelni", "Aisyah", "Nadia", "Putri", "Rahmi", "Suci",
]  # fmt: skip
# Second names that read like family names, by sex, and clan names used as such by both.
SECOND_NAMES_MALE = ["Saputra", "Putra", "Hidayat", "Effendi", "Syahputra", "Rahman", "Yuzal"]
SECOND_NAMES_FEMALE = ["Sari", "Yanti", "Putri", "Marlina", "Susanti", "Rahmadani"]
CLAN_NAMES = ["Chaniago", "Piliang", "Sikumbang", "Tanjung", "Koto", "Jambak", "Melayu"]
# A gelar adat is given at marriage: "Sutan Marajo", "Datuak Bandaro" (a penghulu's).
GELAR_PREFIXES = ["Sutan", "Bagindo", "Datuak", "Malin", "Sidi"]
GELAR_NAMES = [
    "Marajo", "Mudo", "Bandaro", "Sati", "Pamenan", "Mangkuto", "Rajo Batuah", "Basa",
    "Nan Kayo", "Palimo", "Majo Indo", "Rajo Lelo",
]  # fmt: skip
MOTHER_NAMES = [
    "Siti Aminah", "Rosna", "Nurmi", "Jusni", "Saniah", "Ramaini", "Nursiah", "Upik",
    "Rosmawati", "Salmah", "Syamsidar", "Darmis", "Ermi", "Nurbaya", "Maimunah", "Rukiah",
    "Asniar", "Baidar", "Djusma", "Erlina", "Fatimah", "Hamidah", "Jamilah", "Khadijah",
    "Lenggogeni", "Murni", "Nurjanah", "Rabiah", "Sawiyah", "Zaitun", "Yusnidar", "Mariani",
]  # fmt: skip
# Jorong (hamlet) names common across the nagari of Sijunjung.
JORONG_NAMES = [
    "Koto Tuo", "Pasar", "Kampung Tangah", "Sawah Lawe", "Balai Gadang", "Koto Baru",
    "Padang Batuang", "Sungai Dareh", "Lubuak", "Bukik Gadang", "Ampang Kualo", "Taratak",
    "Kampung Baru", "Pulau Punjuang", "Tanjung Ampalu", "Batu Gadang", "Sungai Tambang",
    "Kapalo Koto", "Ujung Tanjung", "Sialang", "Padang Ambacang", "Lubuak Jantan",
]  # fmt: skip
# Where people here were born besides their own nagari.
OTHER_BIRTH_PLACES = [
    "Sijunjung", "Muaro Sijunjung", "Solok", "Sawahlunto", "Padang", "Bukittinggi",
    "Payakumbuh", "Batusangkar", "Dharmasraya", "Pekanbaru",
]  # fmt: skip
# Indonesian mobile prefixes (Telkomsel, Indosat, XL, Tri, Smartfren), Telkomsel first:
# it dominates in rural Sumatera Barat.
PHONE_PREFIXES = [
    "812", "813", "821", "822", "823", "852", "853", "811",
    "815", "816", "857", "858", "817", "818", "819", "877", "878", "895", "896", "881",
]  # fmt: skip

# Occupation codes (registry migration 0002) with weights per sex. Farming dominates the
# informal economy of Sijunjung; imam, khatib and garin are men's posts; most guru TPQ are
# women. Weights are relative, not percentages.
OCCUPATION_WEIGHTS: dict[str, dict[str, int]] = {
    "L": {
        "petani": 30, "pekebun": 13, "pedagang_kaki_lima": 10, "buruh_harian": 11,
        "peternak": 4, "imam": 3, "khatib": 2, "garin": 3, "nelayan": 3, "guru_tpq": 2,
        "tukang_ojek": 5, "sopir": 3, "tukang": 4, "penambang": 3, "pengrajin": 1,
        "lainnya": 1,
    },
    "P": {
        "petani": 30, "pekebun": 10, "pedagang_kaki_lima": 22, "buruh_harian": 9,
        "peternak": 3, "guru_tpq": 10, "nelayan": 1, "pengrajin": 5,
        "asisten_rumah_tangga": 4, "lainnya": 2,
    },
}  # fmt: skip
# Share of women among the programme's informal workers (a design guess: farming and
# small trade employ many women, the religious posts none).
FEMALE_SHARE = 0.35

"""What each role sees, declared as data: the navbar MENU, the home page's CARDS and the
tabs above each app's pages (TABS).

Every entry names the permission that gates it (``User.has_perm`` answers from
``accounts/roles.py``); a tuple means any one of them suffices. Menu entries whose page is
not built yet (no URL) are left out; home cards stay, marked "segera tersedia", so each
role learns what the system will let it do.

Design goal: a page never offers a link, tab or button its viewer may not use. Whether a
user may open a page is answered in one place, ``may_open(user, url_name)``, from
``PAGE_GATES`` (the same rule the page's view enforces); menus, cards and tabs all ask it,
and ``web/tests/test_persona_crawl.py`` follows every offered link as every persona.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.access import may_see_persons
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role

# A page's gate: a permission, any one of several, a rule of its own, or open to all users.
Gate = str | tuple[str, ...] | Callable[[User], bool] | None


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | tuple[str, ...] | None  # a tuple: any one of them suffices
    icon: str = "circle"

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU: list[NavItem] = [
    NavItem(_("Beranda"), "web:home", None, "house"),
    NavItem(_("Pengguna"), "accounts:user_list", "accounts.manage_users", "people"),
    NavItem(_("Instansi"), "accounts:agency_list", "accounts.manage_users", "building"),
    NavItem(_("Jejak audit"), "audit:event_list", "audit.view_events", "journal-text"),
    NavItem(
        _("Permohonan peran"),
        "accounts:role_grant_list",
        "accounts.approve_role_grant",
        "person-check",
    ),
    NavItem(_("Siapa melihat data"), "audit:access_log", "audit.view_access_log", "eye"),
    NavItem(_("Cek NIK"), "regions:nik_check", "intake.propose", "person-vcard"),
    NavItem(_("Usulan"), "intake:batch_list", ("intake.propose", "intake.review_batch"), "inboxes"),
    NavItem(_("Usulkan satu orang"), "intake:person_propose", "intake.propose", "person-plus"),
    NavItem(_("Registri peserta"), "registry:person_list", "registry.view_persons", "people-fill"),
    NavItem(_("Ditolak BPJS"), "enrollment:rejection_list", "intake.propose", "x-octagon"),
    NavItem(_("Laporan"), "reports:index", "reports.view_aggregates", "bar-chart-line"),
    NavItem(_("Anggaran"), "budget:year_list", "budget.view_budget", "cash-coin"),
    NavItem(
        _("SK & kepesertaan"),
        "enrollment:decree_list",
        ("enrollment.view_decrees", "enrollment.view_memberships"),
        "file-earmark-text",
    ),
    NavItem(
        _("Iuran"),
        "contributions:index",
        ("contributions.view_bills", "contributions.view_transparency"),
        "receipt",
    ),
    NavItem(
        _("Klaim"),
        "claims:claim_list",
        ("claims.view_claims", "reports.view_aggregates"),
        "heart-pulse",
    ),
    NavItem(_("Agen Perisai"), "agents:agent_list", "agents.view_agents", "person-badge"),
    NavItem(_("Aplikasi agen"), "agents:phone", "agents.use_agent_app", "phone"),
    NavItem(_("Tabel tarif"), "budget:rate_list", "reference.manage", "table"),
]


def allowed(user: User, permission: Gate) -> bool:
    if callable(permission):
        return permission(user)
    perms = (permission,) if isinstance(permission, str) else permission
    return perms is None or any(user.has_perm(p) for p in perms)


def _sees_rejections(user: User) -> bool:
    # enrollment.views.rejection_list: proposers, or those who see decrees and persons.
    return user.has_perm("intake.propose") or (
        user.has_perm("enrollment.view_decrees") and may_see_persons(user)
    )


def _sees_batches(user: User) -> bool:
    from jamsos.intake.access import may_view_batches

    return may_view_batches(user)


def _sees_statements(user: User) -> bool:
    # contributions.views.statement_list: BPJS statements name persons.
    return user.has_perm("contributions.view_bills") and may_see_persons(user)


def _sees_bills(user: User) -> bool:
    # contributions.views.bill_list. A user scoped below the kabupaten (an agent) only has
    # bills when its nagari pays from its APB Nagari; it is not offered an empty list.
    from jamsos.contributions.selectors import bills_visible

    return user.has_perm("contributions.view_bills") and bills_visible(viewer=user)


def _uses_agent_app(user: User) -> bool:
    # agents.views.phone: the agent role, and an agent record linked to the account.
    from jamsos.agents.selectors import agent_of_user

    return user.has_perm("agents.use_agent_app") and agent_of_user(user) is not None


def _sees_contributions(user: User) -> bool:
    # contributions.views.index redirects to the bills or the transparency page.
    return _sees_bills(user) or user.has_perm("contributions.view_transparency")


# Who may open each page a menu, card or tab links to: the rule its view enforces.
# ``web/tests/test_navigation.py`` holds each gate to its view for every persona.
PAGE_GATES: dict[str, Gate] = {
    "web:home": None,
    "accounts:user_list": "accounts.manage_users",
    "accounts:agency_list": "accounts.manage_users",
    "audit:event_list": "audit.view_events",
    "regions:nik_check": "intake.propose",
    "intake:batch_list": _sees_batches,
    "intake:person_propose": "intake.propose",
    "registry:person_list": "registry.view_persons",
    "reports:index": "reports.view_aggregates",
    "reference:index": "reference.manage",
    "budget:year_list": "budget.view_budget",
    "budget:source_list": "budget.view_budget",
    "budget:estimate": "budget.view_budget",
    "budget:rate_list": ("budget.view_budget", "reference.manage"),
    "enrollment:decree_list": "enrollment.view_decrees",
    "enrollment:membership_list": "enrollment.view_memberships",
    "enrollment:rejection_list": _sees_rejections,
    "enrollment:renewal_list": "enrollment.view_decrees",
    "enrollment:decree_setting": "enrollment.draft_decree",
    "enrollment:nagari_minimum": "enrollment.view_memberships",
    "enrollment:legal_basis_list": ("reference.manage", "enrollment.draft_decree"),
    "contributions:index": _sees_contributions,
    "contributions:bill_list": _sees_bills,
    "contributions:transparency": "contributions.view_transparency",
    "contributions:statement_list": _sees_statements,
    "contributions:arrears": "contributions.manage_arrears",
    "claims:claim_list": ("claims.view_claims", "reports.view_aggregates"),
    "claims:claim_report": "claims.report_claim",
    "claims:dashboard": ("claims.view_claims", "reports.view_aggregates"),
    "claims:rules": ("claims.view_claims", "reports.view_aggregates", "reference.manage"),
    "agents:agent_list": "agents.view_agents",
    "agents:agent_create": "agents.manage_agents",
    "agents:institution_list": "agents.view_agents",
    "agents:statement_list": "agents.view_agents",
    "agents:phone": _uses_agent_app,
}


def may_open(user: User, url_name: str) -> bool:
    """May ``user`` open the page ``url_name``? Pages without a gate here are not offered."""
    if not user.is_authenticated or url_name not in PAGE_GATES:
        return False
    return allowed(user, PAGE_GATES[url_name])


def url_or_none(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:  # the page is not built yet
        return None


@dataclass(frozen=True)
class NavSection:
    label: str
    icon: str
    items: list[NavItem]


# The navbar groups items by the app they lead to, so the menu fits one row on a 1280 px
# screen however many apps a role can use. A section with one item shows as a plain link.
SECTIONS: dict[str, tuple[str, str]] = {
    "regions": (_("Peserta"), "people"),
    "intake": (_("Peserta"), "people"),
    "registry": (_("Peserta"), "people"),
    "enrollment:rejection_list": (_("Peserta"), "people"),
    "budget": (_("Program"), "briefcase"),
    "enrollment": (_("Program"), "briefcase"),
    "contributions": (_("Program"), "briefcase"),
    "claims": (_("Program"), "briefcase"),
    "reports": (_("Laporan"), "bar-chart-line"),
    "accounts": (_("Administrasi"), "gear"),
    "audit": (_("Administrasi"), "gear"),
    "budget:rate_list": (_("Administrasi"), "gear"),
    "agents": (_("Program"), "briefcase"),
}


def section_of(item: NavItem) -> tuple[str, str] | None:
    return SECTIONS.get(item.url_name) or SECTIONS.get(item.url_name.split(":", 1)[0])


def menu_sections_for(user: User) -> list[NavItem | NavSection]:
    """The user's menu as the navbar shows it: loose items and sections, in MENU order
    (a section sits where its first item would)."""
    entries: list[NavItem | NavSection] = []
    by_label: dict[str, NavSection] = {}
    for item in menu_for(user):
        section = section_of(item)
        if section is None:
            entries.append(item)
            continue
        label, icon = str(section[0]), section[1]
        if label not in by_label:
            by_label[label] = NavSection(label=label, icon=icon, items=[])
            entries.append(by_label[label])
        by_label[label].items.append(item)
    return [e.items[0] if isinstance(e, NavSection) and len(e.items) == 1 else e for e in entries]


def navbar_order(entries: list[NavItem | NavSection]) -> list[NavItem]:
    """The pages in the order the navbar shows them, sections opened."""
    return [
        item
        for entry in entries
        for item in (entry.items if isinstance(entry, NavSection) else [entry])
    ]


def menu_for(user: User) -> list[NavItem]:
    return [
        item
        for item in MENU
        if allowed(user, item.permission)
        and may_open(user, item.url_name)
        and url_or_none(item.url_name) is not None
    ]


@dataclass(frozen=True)
class HomeCard:
    title: str
    text: str
    url_name: str
    permission: str | tuple[str, ...]
    icon: str

    @property
    def url(self) -> str | None:
        return url_or_none(self.url_name)


CARDS: list[HomeCard] = [
    HomeCard(
        _("Usulkan pekerja"),
        _(
            "Ajukan pekerja rentan dari wilayah Anda untuk dilindungi, satu per satu lewat "
            "ponsel atau sekaligus dengan berkas Excel, lalu pantau statusnya."
        ),
        "intake:batch_list",
        "intake.propose",
        "person-plus",
    ),
    HomeCard(
        _("Periksa usulan"),
        _("Periksa NIK, data ganda dan kelengkapan usulan yang masuk sebelum diajukan."),
        "intake:batch_list",
        "intake.review_batch",
        "clipboard-check",
    ),
    HomeCard(
        _("Setujui usulan"),
        _("Sebagai pemeriksa kedua, setujui atau kembalikan usulan yang sudah diperiksa operator."),
        "intake:batch_list",
        "intake.approve_batch",
        "check2-square",
    ),
    HomeCard(
        _("Registri peserta"),
        _("Cari pekerja yang terdaftar di wilayah Anda dan lihat status kepesertaannya."),
        "registry:person_list",
        "registry.view_persons",
        "people-fill",
    ),
    HomeCard(
        _("Cek NIK"),
        _("Periksa apakah NIK sah: kode wilayah, tanggal lahir, jenis kelamin dan nomor urut."),
        "regions:nik_check",
        "intake.propose",
        "person-vcard",
    ),
    HomeCard(
        _("Klaim JKK dan JKM"),
        _(
            "Laporkan kematian atau kecelakaan kerja peserta, lengkapi dokumen ahli waris, "
            "dan pantau klaim sampai manfaat dibayar."
        ),
        "claims:claim_list",
        "claims.view_claims",
        "heart-pulse",
    ),
    HomeCard(
        _("Aplikasi agen"),
        _(
            "Usulkan pekerja dari ponsel walau tanpa sinyal: usulan disimpan dan dikirim "
            "saat jaringan kembali. Lihat hasil usulan dan kinerja Anda."
        ),
        "agents:phone",
        "agents.use_agent_app",
        "phone",
    ),
    HomeCard(
        _("Agen Perisai"),
        _("Kelola agen, penugasan nagari, status, kinerja dan rekap fee bulanan."),
        "agents:agent_list",
        "agents.view_agents",
        "person-badge",
    ),
    HomeCard(
        _("Laporan agregat"),
        _(
            "Jumlah peserta, anggaran, iuran dan klaim per kecamatan dan nagari, "
            "tanpa data pribadi."
        ),
        "reports:index",
        "reports.view_aggregates",
        "bar-chart-line",
    ),
    HomeCard(
        _("Pengguna"),
        _("Buat dan kelola akun: peran, instansi dan cakupan wilayah setiap pengguna."),
        "accounts:user_list",
        "accounts.manage_users",
        "people",
    ),
    HomeCard(
        _("Jejak audit"),
        _("Telusuri siapa mengubah apa, kapan, dan siapa melihat NIK lengkap."),
        "audit:event_list",
        "audit.view_events",
        "journal-text",
    ),
    HomeCard(
        _("Data referensi"),
        _("Kelola tarif iuran, besaran manfaat, daftar pekerjaan dan data wilayah."),
        "reference:index",
        "reference.manage",
        "sliders",
    ),
]

# One line per role on the home page: what this role is for (DESIGN.md "Who uses it").
ROLE_INTROS: dict[str, str] = {
    Role.DINAS_OPERATOR: _(
        "Anda menyiapkan pemeriksaan usulan, anggaran, rancangan SK, pengecekan tagihan "
        "dan berkas klaim."
    ),
    Role.DINAS_HEAD: _(
        "Anda menyetujui usulan, SK dan pengajuan klaim yang disiapkan operator (pemeriksa kedua)."
    ),
    Role.BPJS_OFFICER: _(
        "Anda memverifikasi kepesertaan, menerbitkan tagihan iuran, serta mencatat keputusan "
        "dan pembayaran klaim."
    ),
    Role.KECAMATAN_OPERATOR: _(
        "Anda mengusulkan pekerja rentan di kecamatan Anda dan memantau status mereka."
    ),
    Role.AGENT: _(
        "Anda mengusulkan pekerja dari nagari Anda lewat ponsel dan melihat usulan Anda sendiri."
    ),
    Role.EXECUTIVE: _("Anda memantau program lewat dasbor dan laporan agregat."),
    Role.DPRD: _("Anda melihat laporan agregat program. Data pribadi peserta tidak ditampilkan."),
    Role.ADMIN: _("Anda mengelola pengguna, data referensi dan tarif."),
}


def cards_for(user: User) -> list[HomeCard]:
    # A card whose page is not built yet stays ("segera tersedia"); one that is built shows
    # only to those who may open it.
    return [
        card
        for card in CARDS
        if allowed(user, card.permission) and (card.url is None or may_open(user, card.url_name))
    ]


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str
    permission: Gate = None  # whom the tab is for, beyond who may open its page

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# The tabs above each app's pages (``{% page_tabs "budget" active %}``).
TABS: dict[str, list[Tab]] = {
    "budget": [
        Tab("years", _("Tahun anggaran"), "budget:year_list"),
        Tab("sources", _("Sumber dana"), "budget:source_list"),
        Tab("estimate", _("Hitung biaya"), "budget:estimate"),
        Tab("rates", _("Tabel tarif"), "budget:rate_list"),
    ],
    "claims": [
        # Aggregate roles opening the list land on the dashboard: no tab for them.
        Tab("list", _("Daftar klaim"), "claims:claim_list", "claims.view_claims"),
        Tab("report", _("Lapor klaim"), "claims:claim_report"),
        Tab("dashboard", _("Dasbor klaim"), "claims:dashboard"),
        Tab("rules", _("Aturan manfaat"), "claims:rules"),
    ],
    "contributions": [
        Tab("bills", _("Tagihan"), "contributions:bill_list"),
        Tab("transparency", _("Transparansi"), "contributions:transparency"),
        Tab(
            "reconciliation",
            _("Rekonsiliasi"),
            "contributions:statement_list",
            "contributions.reconcile",
        ),
        Tab("arrears", _("Tunggakan"), "contributions:arrears"),
    ],
    "enrollment": [
        Tab("decrees", _("SK penetapan"), "enrollment:decree_list"),
        Tab("members", _("Kepesertaan"), "enrollment:membership_list"),
        Tab("rejected", _("Ditolak BPJS"), "enrollment:rejection_list"),
        Tab("renewal", _("Perpanjangan"), "enrollment:renewal_list"),
        Tab("nagari", _("Minimum nagari"), "enrollment:nagari_minimum"),
        Tab("setting", _("Format SK"), "enrollment:decree_setting"),
        Tab("legal", _("Dasar hukum"), "enrollment:legal_basis_list"),
    ],
    "agents": [
        Tab("agents", _("Agen"), "agents:agent_list"),
        Tab("institutions", _("Lembaga"), "agents:institution_list"),
        Tab("fees", _("Rekap fee"), "agents:statement_list"),
    ],
}


def tabs_for(user: User, group: str) -> list[Tab]:
    return [
        tab for tab in TABS[group] if may_open(user, tab.url_name) and allowed(user, tab.permission)
    ]

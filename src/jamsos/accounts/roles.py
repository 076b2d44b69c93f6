"""Roles and the named permissions each one holds.

Roles are fixed by the programme's organisation (DESIGN.md "Who uses it"), so they live
in code, not in editable permission tables; a view declares the permission it needs
(``permission_required = "intake.review_batch"``) and ``User.has_perm`` answers from here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DINAS_OPERATOR = "dinas_operator", _("Operator Disnakertrans")
    DINAS_HEAD = "dinas_head", _("Kepala Disnakertrans")
    BPJS_OFFICER = "bpjs_officer", _("Petugas BPJS Ketenagakerjaan")
    KECAMATAN_OPERATOR = "kecamatan_operator", _("Operator Kecamatan")
    AGENT = "agent", _("Agen Perisai")
    EXECUTIVE = "executive", _("Bupati / Sekda")
    DPRD = "dprd", _("Anggota DPRD")
    ADMIN = "admin", _("Administrator sistem")


# Named permissions, "<app>.<verb>_<noun>". Keep this table the single source of truth.
PERMISSIONS: dict[str, str] = {
    "accounts.manage_users": _("Kelola pengguna"),
    # Maker-checker on roles that see personal data or approve (GRANT_REVIEWED_ROLES).
    "accounts.approve_role_grant": _("Setujui pemberian peran"),
    # "Who looked at my data": the citizen's request, answered by the Dinas (UU PDP).
    "audit.view_access_log": _("Lihat log akses data pribadi"),
    "audit.view_events": _("Lihat jejak audit"),
    # Events tied to no region (failed logins with unknown names, system jobs).
    "audit.view_system_events": _("Lihat peristiwa sistem tanpa wilayah"),
    "registry.view_persons": _("Lihat data peserta"),
    "registry.view_full_nik": _("Lihat NIK lengkap"),
    "registry.change_person": _("Ubah data peserta"),
    "intake.propose": _("Usulkan pekerja"),
    "intake.review_batch": _("Periksa usulan"),
    "intake.approve_batch": _("Setujui usulan"),
    "reports.view_aggregates": _("Lihat laporan agregat"),
    "reports.manage_targets": _("Impor sasaran (penyebut cakupan)"),
    "reports.publish": _("Buat dan terbitkan laporan program"),
    "reference.manage": _("Kelola data referensi"),
    # Budget: DPRD and the executive see totals only (never persons named in reservations).
    "budget.view_budget": _("Lihat anggaran"),
    "budget.manage_budget": _("Kelola tahun anggaran, pagu, tahap dan kuota"),
    "budget.reserve": _("Reservasi anggaran dari pagu"),
    "budget.approve": _("Tetapkan pagu"),
    # Enrollment: the operator drafts an SK, the head approves (maker-checker), BPJS records
    # its verification; DPRD and the executive see decree and membership totals only.
    "enrollment.view_decrees": _("Lihat SK penetapan"),
    "enrollment.draft_decree": _("Susun rancangan SK penetapan dan perpanjangan"),
    "enrollment.approve_decree": _("Setujui SK penetapan"),
    "enrollment.issue_decree": _("Catat nomor dan tanggal SK yang ditetapkan"),
    "enrollment.export_bpjs": _("Unduh berkas pendaftaran kolektif BPJS"),
    "enrollment.record_bpjs_result": _("Catat hasil verifikasi BPJS"),
    "enrollment.view_memberships": _("Lihat kepesertaan"),
    # Claims: maker-checker at the Dinas; only BPJS decides and pays.
    "claims.view_claims": _("Lihat klaim"),
    "claims.report_claim": _("Laporkan klaim dan unggah dokumen"),
    "claims.prepare_submission": _("Periksa berkas dan siapkan pengajuan klaim"),
    "claims.approve_submission": _("Setujui pengajuan klaim ke BPJS"),
    "claims.decide_claim": _("Catat pemeriksaan dan keputusan klaim"),
    "claims.record_payout": _("Catat pembayaran klaim"),
    "claims.view_bank_accounts": _("Lihat rekening ahli waris"),
    # Contributions: BPJS issues bills, the Dinas records the treasury's SP2D payments;
    # an agent sees its own nagari's APB Nagari bills (scope), DPRD/executive totals only.
    "contributions.view_bills": _("Lihat tagihan iuran"),
    "contributions.run_billing": _("Hitung tagihan iuran bulanan"),
    "contributions.issue_bill": _("Terbitkan tagihan iuran"),
    "contributions.record_payment": _("Catat pembayaran iuran (SP2D)"),
    "contributions.reconcile": _("Rekonsiliasi iuran dengan rekening BPJS"),
    "contributions.manage_arrears": _("Kelola tunggakan dan pengaktifan kembali"),
    "contributions.view_transparency": _("Lihat transparansi iuran"),
    # Agen Perisai: the Dinas and BPJS manage agents (maker-checker on status and fees);
    # an agent uses its own phone app and sees only its own recruits, never claim amounts.
    "agents.view_agents": _("Lihat agen Perisai"),
    "agents.manage_agents": _("Kelola agen Perisai"),
    "agents.approve_agent_status": _("Setujui perubahan status agen"),
    "agents.prepare_statement": _("Susun rekap fee agen"),
    "agents.approve_statement": _("Setujui rekap fee agen"),
    "agents.use_agent_app": _("Gunakan aplikasi agen"),
    "agents.view_proposal_photos": _("Lihat foto KTP/KK usulan agen"),
    # Messages: the outbox page (bodies name persons) and the recipients' consent.
    "messaging.view_messages": _("Lihat kotak keluar pesan"),
    "messaging.manage_messages": _("Kirim ulang atau batalkan pesan"),
    "messaging.manage_consent": _("Catat persetujuan/penolakan menerima pesan"),
    # Outreach: sosialisasi events (no persons) and the JKM follow-up of deaths.
    "outreach.view_events": _("Lihat kegiatan sosialisasi"),
    "outreach.manage_events": _("Catat kegiatan sosialisasi"),
    "outreach.view_followups": _("Lihat tindak lanjut kematian peserta"),
    "outreach.report_death": _("Laporkan kematian peserta / tutup tindak lanjut"),
    "outreach.import_deaths": _("Impor daftar kematian Dukcapil"),
    "outreach.confirm_death": _("Konfirmasi laporan kematian agen (pemeriksa kedua)"),
    # Portal: citizens' self-nominations land with the nagari's agent and the Camat
    # operator (scope by village), who call back and propose them.
    "portal.view_leads": _("Lihat calon peserta dari portal"),
    "portal.follow_up_leads": _("Tindak lanjuti calon peserta dari portal"),
    # Collaboration: the forum's records. DPRD and the executive read minutes and the
    # scorecard; each agency records its own side (acknowledges requests, closes its items).
    "collaboration.view_forum": _("Lihat forum, rapat dan notulen"),
    "collaboration.manage_forum": _("Catat rapat, kehadiran, keputusan dan tindak lanjut"),
    "collaboration.respond": _("Kirim dan jawab permintaan; selesaikan tindak lanjut instansi"),
    "collaboration.view_agreements": _("Lihat perjanjian kerja sama dan kewajiban"),
    "collaboration.manage_agreements": _("Catat perjanjian, adendum dan kewajiban"),
    "collaboration.approve_waiver": _("Setujui pengecualian kewajiban (pemeriksa kedua)"),
    "collaboration.view_scorecard": _("Lihat rapor kolaborasi"),
    "collaboration.publish_scorecard": _("Terbitkan rapor kolaborasi"),
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DINAS_OPERATOR: frozenset(
        {
            "agents.view_agents",
            "agents.manage_agents",
            "agents.prepare_statement",
            "agents.view_proposal_photos",
            "messaging.view_messages",
            "messaging.manage_messages",
            "messaging.manage_consent",
            "outreach.view_events",
            "outreach.manage_events",
            "outreach.view_followups",
            "outreach.report_death",
            "outreach.import_deaths",
            "outreach.confirm_death",
            "collaboration.view_forum",
            "collaboration.manage_forum",
            "collaboration.respond",
            "collaboration.view_agreements",
            "collaboration.manage_agreements",
            "collaboration.view_scorecard",
            "registry.view_persons",
            "registry.view_full_nik",
            "registry.change_person",
            "intake.propose",
            "intake.review_batch",
            "reports.view_aggregates",
            "reports.manage_targets",
            "reports.publish",
            "budget.view_budget",
            "budget.manage_budget",
            "budget.reserve",
            "enrollment.view_decrees",
            "enrollment.draft_decree",
            "enrollment.issue_decree",
            "enrollment.export_bpjs",
            "enrollment.view_memberships",
            "claims.view_claims",
            "claims.report_claim",
            "claims.prepare_submission",
            "claims.view_bank_accounts",
            "contributions.view_bills",
            "contributions.run_billing",
            "contributions.record_payment",
            "contributions.reconcile",
            "contributions.manage_arrears",
            "contributions.view_transparency",
            "portal.view_leads",
            "portal.follow_up_leads",
        }
    ),
    Role.DINAS_HEAD: frozenset(
        {
            "agents.view_agents",
            "agents.approve_agent_status",
            "agents.approve_statement",
            "agents.view_proposal_photos",
            "outreach.confirm_death",
            "messaging.view_messages",
            "outreach.view_events",
            "outreach.view_followups",
            "collaboration.view_forum",
            "collaboration.respond",
            "collaboration.view_agreements",
            "collaboration.approve_waiver",
            "collaboration.view_scorecard",
            "collaboration.publish_scorecard",
            "registry.view_persons",
            "registry.view_full_nik",
            "intake.review_batch",
            "intake.approve_batch",
            "accounts.approve_role_grant",
            "audit.view_events",
            "audit.view_access_log",
            "reports.view_aggregates",
            "reports.manage_targets",
            "reports.publish",
            "budget.view_budget",
            "budget.approve",
            "enrollment.view_decrees",
            "enrollment.approve_decree",
            "enrollment.issue_decree",
            "enrollment.view_memberships",
            "claims.view_claims",
            "claims.approve_submission",
            "claims.view_bank_accounts",
            "contributions.view_bills",
            "contributions.view_transparency",
        }
    ),
    Role.BPJS_OFFICER: frozenset(
        {
            "agents.view_agents",
            "agents.manage_agents",
            "agents.approve_agent_status",
            "agents.prepare_statement",
            "agents.view_proposal_photos",
            "messaging.view_messages",
            "outreach.view_events",
            "outreach.manage_events",
            "outreach.view_followups",
            "collaboration.view_forum",
            "collaboration.respond",
            "collaboration.view_agreements",
            "collaboration.view_scorecard",
            "registry.view_persons",
            "registry.view_full_nik",
            "reports.view_aggregates",
            "budget.view_budget",
            "enrollment.view_decrees",
            "enrollment.export_bpjs",
            "enrollment.record_bpjs_result",
            "enrollment.view_memberships",
            "claims.view_claims",
            "claims.decide_claim",
            "claims.record_payout",
            "claims.view_bank_accounts",
            "contributions.view_bills",
            "contributions.run_billing",
            "contributions.issue_bill",
            "contributions.reconcile",
            "contributions.manage_arrears",
            "contributions.view_transparency",
        }
    ),
    Role.KECAMATAN_OPERATOR: frozenset(
        {
            "messaging.manage_consent",
            "outreach.view_events",
            "outreach.manage_events",
            "outreach.view_followups",
            "outreach.report_death",
            "collaboration.view_forum",
            "collaboration.manage_forum",
            "collaboration.respond",
            "registry.view_persons",
            "intake.propose",
            "enrollment.view_decrees",
            "enrollment.view_memberships",
            "claims.view_claims",
            "claims.report_claim",
            "portal.view_leads",
            "portal.follow_up_leads",
        }
    ),
    Role.AGENT: frozenset(
        {
            "intake.propose",
            "claims.view_claims",
            "claims.report_claim",
            "contributions.view_bills",
            "agents.use_agent_app",
            "messaging.manage_consent",
            "outreach.view_events",
            "outreach.manage_events",
            "outreach.view_followups",
            "outreach.report_death",
            "portal.view_leads",
            "portal.follow_up_leads",
        }
    ),
    Role.EXECUTIVE: frozenset(
        {
            "outreach.view_events",
            "collaboration.view_forum",
            "collaboration.view_agreements",
            "collaboration.view_scorecard",
            "reports.view_aggregates",
            "budget.view_budget",
            "enrollment.view_decrees",
            "enrollment.view_memberships",
            "contributions.view_transparency",
        }
    ),
    Role.DPRD: frozenset(
        {
            "outreach.view_events",
            "collaboration.view_forum",
            "collaboration.view_agreements",
            "collaboration.view_scorecard",
            "reports.view_aggregates",
            "budget.view_budget",
            "enrollment.view_decrees",
            "enrollment.view_memberships",
            "contributions.view_transparency",
        }
    ),
    Role.ADMIN: frozenset(
        {
            "messaging.view_messages",
            "messaging.manage_messages",
            "accounts.manage_users",
            "accounts.approve_role_grant",
            "audit.view_events",
            "audit.view_system_events",
            "reference.manage",
            "reports.view_aggregates",
        }
    ),
}

# Region levels a role's scope may be set at; the narrowest is where proposals come from.
ROLE_SCOPE_LEVELS: dict[str, frozenset[str]] = {
    Role.DINAS_OPERATOR: frozenset({"regency", "province"}),
    Role.DINAS_HEAD: frozenset({"regency", "province"}),
    Role.BPJS_OFFICER: frozenset({"regency", "province"}),
    Role.KECAMATAN_OPERATOR: frozenset({"district"}),
    Role.AGENT: frozenset({"village"}),
    Role.EXECUTIVE: frozenset({"regency", "province"}),
    Role.DPRD: frozenset({"regency", "province"}),
    Role.ADMIN: frozenset({"regency", "province"}),
}

# Roles that never see a person, only totals (DESIGN.md: DPRD and public views).
AGGREGATE_ONLY_ROLES = frozenset({Role.DPRD, Role.EXECUTIVE})

# Permissions that see persons or decide about money and membership. Granting a role that
# holds one (or the admin role, which makes users) needs a second person (RoleGrant).
SENSITIVE_PERMISSIONS = frozenset(
    {
        "registry.view_persons",
        "registry.view_full_nik",
        # An agent sees its nagari's claims: the worker, the death or accident, the heirs.
        # An admin who resets an agent's password could read them as the agent.
        "claims.view_claims",
        "claims.view_bank_accounts",
        "audit.view_access_log",
        "intake.approve_batch",
        "budget.approve",
        "enrollment.approve_decree",
        "claims.approve_submission",
        "claims.decide_claim",
        "claims.record_payout",
        "accounts.manage_users",
        "agents.approve_agent_status",
        "agents.approve_statement",
        "agents.view_proposal_photos",
        "outreach.confirm_death",
    }
)
GRANT_REVIEWED_ROLES = frozenset(
    role for role, perms in ROLE_PERMISSIONS.items() if perms & SENSITIVE_PERMISSIONS
)

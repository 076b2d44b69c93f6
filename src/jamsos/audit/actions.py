"""Every audit action code, with the text people read. Register new codes here.

Codes are ``<app>.<entity>.<past-tense verb>``. ``audit_record`` refuses unknown codes, so a
typo fails in tests instead of writing an event nobody can find.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, str] = {
    "accounts.user.created": _("Pengguna dibuat"),
    "accounts.user.updated": _("Pengguna diubah"),
    "accounts.user.deactivated": _("Pengguna dinonaktifkan"),
    "accounts.user.reactivated": _("Pengguna diaktifkan kembali"),
    "accounts.user.password_set": _("Kata sandi pengguna diganti"),
    "accounts.user.logged_in": _("Masuk ke sistem"),
    "accounts.user.logged_out": _("Keluar dari sistem"),
    "accounts.user.login_failed": _("Gagal masuk"),
    "accounts.user.locked_out": _("Akun dikunci setelah gagal masuk berulang"),
    "accounts.role_grant.requested": _("Pemberian peran diajukan (menunggu orang kedua)"),
    "accounts.role_grant.approved": _("Pemberian peran disetujui"),
    "accounts.role_grant.rejected": _("Pemberian peran ditolak"),
    "accounts.agency.created": _("Instansi dibuat"),
    "accounts.api_token.created": _("Token API dibuat"),
    "accounts.api_token.revoked": _("Token API dicabut"),
    "registry.person.created": _("Peserta didaftarkan"),
    "registry.person.batch_created": _("Peserta didaftarkan sekaligus dari usulan"),
    "registry.person.updated": _("Data peserta diubah"),
    "registry.person.nik_viewed": _("NIK lengkap ditampilkan"),
    "demo.data.loaded": _("Data demo dimuat"),
    "audit.access_log.searched": _("Log akses data pribadi dicari menurut NIK"),
}


def register_actions(actions: dict[str, str]) -> None:
    """Let an app register its codes from its ``AppConfig.ready``."""
    for code in actions:
        if code in ACTIONS:
            raise ValueError(f"audit action {code!r} registered twice")
    ACTIONS.update(actions)


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))

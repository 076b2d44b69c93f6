"""Delete what the portal keeps past its retention (privacy notice): membership-check
logs older than PORTAL_LOOKUP_LOG_RETENTION_DAYS and closed leads older than
PORTAL_LEAD_RETENTION_DAYS. Run daily from cron or a systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jamsos.portal import services


class Command(BaseCommand):
    help = "Hapus log cek kepesertaan dan calon peserta yang melewati masa simpan."

    def handle(self, *args: Any, **options: Any) -> None:
        logs = services.lookup_log_purge()
        leads = services.lead_purge()
        self.stdout.write(f"log cek kepesertaan dihapus: {logs}; calon peserta dihapus: {leads}")

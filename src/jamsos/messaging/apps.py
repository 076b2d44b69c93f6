from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "jamsos.messaging"
    verbose_name = "Pesan"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions
        from jamsos.messaging import events  # noqa: F401  (registers the message routes)

        register_actions(
            {
                "messaging.template.saved": _("Templat pesan disimpan"),
                "messaging.consent.recorded": _("Persetujuan menerima pesan dicatat"),
                "messaging.consent.opted_out": _("Penolakan menerima pesan dicatat"),
                "messaging.message.queued": _("Pesan masuk antrean"),
                "messaging.message.sent": _("Pesan terkirim"),
                "messaging.message.failed": _("Pesan gagal terkirim"),
                "messaging.message.retried": _("Pesan dikirim ulang"),
                "messaging.message.cancelled": _("Pesan dibatalkan"),
            }
        )

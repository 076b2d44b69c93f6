from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "jamsos.collaboration"
    verbose_name = "Kolaborasi"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions

        register_actions(
            {
                "collaboration.forum.created": _("Forum dibentuk"),
                "collaboration.forum.member_added": _("Instansi ditambahkan ke forum"),
                "collaboration.meeting.recorded": _("Rapat forum dicatat"),
                "collaboration.meeting.agenda_added": _("Agenda rapat dicatat"),
                "collaboration.meeting.attendance_recorded": _("Kehadiran rapat dicatat"),
                "collaboration.meeting.minutes_published": _("Notulen rapat dibagikan"),
                "collaboration.decision.recorded": _("Keputusan rapat dicatat"),
                "collaboration.decision.linked": _("Keputusan dikaitkan dengan objek program"),
                "collaboration.action_item.assigned": _("Tindak lanjut ditugaskan"),
                "collaboration.action_item.due_changed": _("Tenggat tindak lanjut diubah"),
                "collaboration.action_item.completed": _("Tindak lanjut diselesaikan dengan bukti"),
                "collaboration.action_item.dropped": _("Tindak lanjut dibatalkan"),
                "collaboration.action_item.escalated": _("Tindak lanjut terlambat diingatkan"),
                "collaboration.request.sent": _("Permintaan antarinstansi dikirim"),
                "collaboration.request.acknowledged": _("Permintaan antarinstansi diterima"),
                "collaboration.request.resolved": _("Permintaan antarinstansi diselesaikan"),
                "collaboration.agreement.recorded": _("Perjanjian kerja sama dicatat"),
                "collaboration.agreement.amended": _("Adendum perjanjian dicatat"),
                "collaboration.clause.added": _("Pasal perjanjian dicatat"),
                "collaboration.obligation.added": _("Kewajiban perjanjian dicatat"),
                "collaboration.obligation.instances_generated": _("Kewajiban jatuh tempo dibuat"),
                "collaboration.obligation.judged": _("Pemenuhan kewajiban dinilai dari data"),
                "collaboration.obligation.evidence_recorded": _(
                    "Bukti pemenuhan kewajiban diunggah"
                ),
                "collaboration.obligation.waiver_requested": _("Pengecualian kewajiban diajukan"),
                "collaboration.obligation.waived": _("Pengecualian kewajiban disetujui"),
                "collaboration.scorecard.drafted": _("Rapor kolaborasi disusun"),
                "collaboration.scorecard.replied": _("Tanggapan instansi atas rapor dicatat"),
                "collaboration.scorecard.published": _("Rapor kolaborasi diterbitkan"),
            }
        )

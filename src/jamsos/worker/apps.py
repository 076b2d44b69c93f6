from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    """Task worker plumbing around django-tasks-db: leases, the sweep, lock back-off, and
    the files any app has built in the background (``GeneratedFile``).

    Listed before ``django_tasks_db`` in INSTALLED_APPS so its ``db_worker`` command (the
    upstream worker with a lease and a sweep) is the one ``jamsos db_worker`` runs.
    """

    name = "jamsos.worker"
    label = "worker"
    verbose_name = "Pekerja tugas"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions
        from jamsos.worker import tasks  # noqa: F401 - connects the task_finished receiver

        register_actions(
            {
                "worker.generated_file.requested": _("Berkas diminta (dibuat di latar)"),
                "worker.generated_file.retried": _("Pembuatan berkas diulang"),
                "worker.generated_files.swept": _(
                    "Berkas lama dihapus dan berkas macet ditandai gagal"
                ),
                "worker.tasks.swept": _("Tugas latar dari pekerja yang mati diantrekan ulang"),
            }
        )

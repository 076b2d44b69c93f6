from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """Task worker plumbing around django-tasks-db: leases, the sweep, lock back-off.

    Listed before ``django_tasks_db`` in INSTALLED_APPS so its ``db_worker`` command (the
    upstream worker with a lease and a sweep) is the one ``jamsos db_worker`` runs.
    """

    name = "jamsos.worker"
    label = "worker"
    verbose_name = "Pekerja tugas"

"""Background work of the agents app (django-tasks). Periodic runs are the management
commands (cron / systemd timer); the task lets a page or another job enqueue one."""

from __future__ import annotations

from django_tasks import task

from jamsos.agents import services
from jamsos.lib.periods import Month


@task()
def agent_inactivity_check_task(month: str, region: str | None = None) -> dict:
    """Propose (never enforce) ending inactive agents for ``month`` (``YYYY-MM``)."""
    return services.inactivity_check_run(month=Month.parse(month), region=region).as_dict()

"""canvassing's background tasks (django-tasks), queued by the scheduler (`core.scheduling`)."""

import time
from datetime import timedelta

from django_tasks import task

from groundgame.core import scheduling

from . import import_views, services


@scheduling.periodic(every=timedelta(days=1), name="canvassing.register_deletion")
@task()
def register_deletion_daily() -> dict:
    """Delete register copies past their delete-by date that an earlier run reported; report those due within a
    week (services.register_deletion_scheduled_run). Returns the report: copy ids and counts only."""
    return services.register_deletion_scheduled_run().as_dict()


@scheduling.periodic(every=timedelta(hours=1), name="canvassing.import_uploads")
@task()
def remove_stale_register_uploads() -> int:
    """Delete register uploads abandoned for more than a day (they hold the register)."""
    return import_views.remove_stale_uploads(time.time())

"""people's background tasks (django-tasks), queued by the scheduler (`core.scheduling`)."""

import time
from datetime import timedelta

from django_tasks import task

from groundgame.core import scheduling

from . import import_views


@scheduling.periodic(every=timedelta(hours=1), name="people.import_uploads")
@task()
def remove_stale_import_uploads() -> int:
    """Delete member-import uploads abandoned for more than a day (they hold personal data)."""
    return import_views.remove_stale_uploads(time.time())

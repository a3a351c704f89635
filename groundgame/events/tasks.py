"""events' background tasks (django-tasks), queued by the scheduler (`core.scheduling`)."""

from datetime import timedelta

from django_tasks import task

from groundgame.core import scheduling

from . import reminders


@scheduling.periodic(every=timedelta(minutes=5), name="events.reminders")
@task()
def send_reminders() -> dict:
    """Send the booking reminders now due (day before, morning of, an hour before); see events.reminders."""
    return reminders.reminders_send_due()

"""democracy's background tasks (django-tasks), queued by the scheduler (`core.scheduling`)."""

from datetime import timedelta

from django_tasks import task

from groundgame.core import scheduling

from . import services


@scheduling.periodic(every=timedelta(minutes=1), name="democracy.ballots")
@task()
def ballots_open_and_close() -> dict:
    """Open draft ballots whose opening time has come and close open ballots whose closing time has passed
    (storing each result); see services.ballots_due_run. Returns the ballot ids."""
    return services.ballots_due_run()


@scheduling.periodic(every=timedelta(hours=1), name="democracy.motions_lapse")
@task()
def motions_lapse() -> list[int]:
    """Lapse motions that did not gather their supporters within their body's period."""
    return services.motions_lapse_due()

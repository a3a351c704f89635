"""core's background tasks (django-tasks), queued by the scheduler (`core.scheduling`)."""

from datetime import timedelta

from django_tasks import task

from . import privacy, scheduling


@scheduling.periodic(every=timedelta(days=1), name="core.retention")
@task()
def retention_daily() -> dict:
    """Write the retention dry-run report; erase what an earlier report listed (see privacy.retention_scheduled_run)."""
    runs = privacy.retention_scheduled_run()
    return {run.kind: run.total for run in runs}


@task()
def webhooks_deliver(delivery_ids: list[int]) -> dict:
    """Post the deliveries `webhooks.emit` recorded (queued when the emitting transaction commits)."""
    from . import webhooks

    return webhooks.deliver(delivery_ids)


@scheduling.periodic(every=timedelta(minutes=1), name="core.webhooks")
@task()
def webhooks_retry() -> dict:
    """Retry the webhook deliveries whose next attempt is due."""
    from . import webhooks

    return webhooks.deliver_due()

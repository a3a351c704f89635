"""Periodic work, from one place.

Apps declare periodic tasks in their `tasks.py` (imported by their AppConfig.ready):

    @scheduling.periodic(every=timedelta(days=1))
    @task()
    def retention_daily() -> dict: ...

`groundgame scheduler` (a long-running process, or `--once` from cron) calls `enqueue_due()`, which queues each
task whose interval has passed on the django-tasks backend (`TASKS`: the database backend, run by
`groundgame db_worker`). A `PeriodicJob` row per task records when it was last queued; the row is updated with a
compare-and-set, so two schedulers running by mistake still queue each task once per interval. See
docs/deployment.md.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from .models import PeriodicJob


@dataclass(frozen=True)
class Periodic:
    name: str
    every: datetime.timedelta
    task: Task


_registry: dict[str, Periodic] = {}


def periodic(*, every: datetime.timedelta, name: str | None = None) -> Callable[[Task], Task]:
    """Declare `task` periodic: queued by the scheduler once per `every` (named after its module path)."""

    def declare(task: Task) -> Task:
        if not isinstance(task, Task):
            raise TypeError("@periodic goes above @task(): it schedules a django-tasks Task")
        key = name or task.module_path
        existing = _registry.get(key)
        if existing is not None and existing.task.module_path != task.module_path:
            raise ValueError(f"two periodic tasks are named {key!r}")
        _registry[key] = Periodic(name=key, every=every, task=task)
        return task

    return declare


def periodic_tasks() -> list[Periodic]:
    return sorted(_registry.values(), key=lambda p: p.name)


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Queue every periodic task whose interval has passed since it was last queued; return their names."""
    now = now or timezone.now()
    queued = []
    for item in periodic_tasks():
        job, _created = PeriodicJob.objects.get_or_create(name=item.name)
        last = job.last_enqueued_at
        if last is not None and now - last < item.every:
            continue
        with transaction.atomic():
            claimed = PeriodicJob.objects.filter(name=item.name, last_enqueued_at=last)
            if last is None:
                claimed = PeriodicJob.objects.filter(name=item.name, last_enqueued_at__isnull=True)
            if claimed.update(last_enqueued_at=now) != 1:
                continue  # another scheduler claimed it first
            item.task.enqueue()
        queued.append(item.name)
    return queued

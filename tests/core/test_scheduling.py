"""Periodic work: the scheduler queues each periodic task once per interval, the database worker runs it, and the
daily retention task reports first and erases only what an earlier report listed, after the grace period."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from groundgame.core import privacy, scheduling
from groundgame.core.models import MessageDelivery, PeriodicJob, RetentionRun

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def only_deliveries(monkeypatch):
    """The registry reduced to core's message log, so the tests count only the rows they make."""
    monkeypatch.setattr(privacy, "_registry", {MessageDelivery: privacy.entry_for(MessageDelivery)})


def delivery(*, days_ago: float, now=None) -> MessageDelivery:
    now = now or timezone.now()
    return MessageDelivery.objects.create(
        recipient_id=1,
        channel="email",
        purpose="email_updates",
        status="sent",
        basis="consent",
        created_at=now - timedelta(days=days_ago),
    )


def test_core_declares_the_daily_retention_task():
    declared = {p.name: p for p in scheduling.periodic_tasks()}
    assert declared["core.retention"].every == timedelta(days=1)


def test_a_due_task_is_queued_once_per_interval(only_deliveries):
    now = timezone.now()

    assert "core.retention" in scheduling.enqueue_due(now)
    assert "core.retention" not in scheduling.enqueue_due(now + timedelta(hours=23))
    assert "core.retention" in scheduling.enqueue_due(now + timedelta(days=1))
    # The immediate backend (test settings) ran it each time it was queued: two reports.
    assert RetentionRun.objects.filter(kind="report").count() == 2
    assert PeriodicJob.objects.get(name="core.retention").last_enqueued_at == now + timedelta(days=1)


def test_a_task_another_scheduler_claimed_is_not_queued_again(only_deliveries, monkeypatch):
    """The scheduler read the job before another one queued it: its compare-and-set finds the row changed."""
    now = timezone.now()
    PeriodicJob.objects.create(name="core.retention", last_enqueued_at=now)
    stale = PeriodicJob(name="core.retention", last_enqueued_at=now - timedelta(days=2))
    monkeypatch.setattr(PeriodicJob.objects, "get_or_create", lambda **kw: (stale, False))

    assert scheduling.enqueue_due(now + timedelta(minutes=1)) == []
    assert not RetentionRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_command_queues_in_the_database_and_the_worker_runs_it(only_deliveries):
    delivery(days_ago=800)
    out = StringIO()
    with override_settings(TASKS=DATABASE_TASKS):
        call_command("scheduler", "--once", stdout=out)
        assert "queued core.retention" in out.getvalue()
        queued = DBTaskResult.objects.filter(task_path="groundgame.core.tasks.retention_daily")
        assert queued.count() == 1
        assert not RetentionRun.objects.exists()  # queued, not yet run

        call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())

        result = queued.get()
        assert result.status == "SUCCESSFUL", result.traceback
        assert result.return_value == {"report": 1}
    assert RetentionRun.objects.get().total == 1
    assert MessageDelivery.objects.count() == 1  # the first run only reports


def test_retention_reports_first_then_erases_what_a_report_listed_after_the_grace_period(only_deliveries):
    start = timezone.now()
    listed = delivery(days_ago=800, now=start)
    later = delivery(days_ago=729, now=start)  # passes its two years two days after the first report

    first = privacy.retention_scheduled_run(start)
    assert [(r.kind, r.total, r.counts) for r in first] == [("report", 1, {"core.messagedelivery": 1})]
    assert MessageDelivery.objects.count() == 2

    within_grace = privacy.retention_scheduled_run(start + timedelta(days=6))
    assert [r.kind for r in within_grace] == ["report"]
    assert within_grace[0].total == 2  # both now past retention, neither erased yet
    assert MessageDelivery.objects.count() == 2

    after_grace = privacy.retention_scheduled_run(start + timedelta(days=7))
    enforce = after_grace[-1]
    assert (enforce.kind, enforce.as_of, enforce.total) == ("enforce", start, 1)
    assert not MessageDelivery.objects.filter(pk=listed.pk).exists()
    assert MessageDelivery.objects.filter(pk=later.pk).exists()  # not in the reviewed report: kept for now

    privacy.retention_scheduled_run(start + timedelta(days=13))  # the day-6 report has now had its week
    assert not MessageDelivery.objects.exists()


@override_settings(GROUNDGAME_RETENTION_ENFORCE=False)
def test_retention_only_reports_when_enforcement_is_off(only_deliveries):
    start = timezone.now()
    delivery(days_ago=800, now=start)
    privacy.retention_scheduled_run(start)

    runs = privacy.retention_scheduled_run(start + timedelta(days=30))

    assert [r.kind for r in runs] == ["report"]
    assert MessageDelivery.objects.count() == 1

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from ... import scheduling


class Command(BaseCommand):
    help = (
        "Queue the periodic tasks that are due (retention, reminders...) for `groundgame db_worker` to run. "
        "Runs until stopped, checking every --interval seconds; --once checks once (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="queue what is due now, then exit")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between checks (default 60)")

    def handle(self, *args, once: bool, interval: float, **options):
        if once:
            self._tick()
            return
        running = True

        def stop(signum, frame):
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(f"{p.name} (every {p.every})" for p in scheduling.periodic_tasks())
        self.stdout.write(f"Scheduler: {names}")
        while running:
            self._tick()
            slept = 0.0
            while running and slept < interval:
                time.sleep(min(1.0, interval))
                slept += 1.0

    def _tick(self):
        close_old_connections()
        for name in scheduling.enqueue_due():
            self.stdout.write(f"queued {name}")

"""Many writers at once: book people onto one shift from many threads, each with its own database connection, all
released together by a barrier. Used by test_concurrency.py in process (PostgreSQL, or a SQLite file test database)
and, for SQLite, in a subprocess against a fresh SQLite file configured as in production:

    GROUNDGAME_HOME=/tmp/x DJANGO_SETTINGS_MODULE=groundgame.settings.test python -m tests.events.contention

migrates the file database, runs the same contention with the real service and with a booking made without the
lock (the control), and prints both outcomes as JSON.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

REQUESTS = 200
CAPACITY = 50
# Concurrent connections making the 200 bookings, 5 each. PostgreSQL allows 100 connections (tests on two xdist
# workers share them); on SQLite, writers that all start at one instant poll the write lock in step (SQLite's busy
# handler sleeps on a fixed schedule), so 200 threads take 5-10 s for what 40 do in about 3.
WORKERS = 40


@dataclass
class Outcome:
    confirmed: int
    waitlisted: int
    errors: list[str] = field(default_factory=list)
    most_in_flight: int = 0  # how many bookings were under way at the same moment
    seconds: float = 0.0


def setup_shift(*, requests: int = REQUESTS, capacity: int = CAPACITY) -> tuple[int, int, list[int]]:
    """An approved event with one shift of `capacity` places, and `requests` people to book it: (event id, shift id,
    person ids)."""
    from groundgame.people.models import Person

    from .factories import EventFactory, ShiftFactory

    shift = ShiftFactory(capacity=capacity, event=EventFactory(capacity=None))
    people = Person.objects.bulk_create(
        Person(first_name=f"Volunteer {i}", email=f"volunteer{i}.shift{shift.pk}@example.org") for i in range(requests)
    )
    return shift.event_id, shift.pk, [p.pk for p in people]


def book_with_service(event_id: int, shift_id: int, person_id: int) -> Callable[[], None]:
    """Load the rows first (outside the contention), then book through the service."""
    from groundgame.events import services
    from groundgame.events.models import Event, Shift
    from groundgame.people.models import Person

    event, shift, person = (
        Event.objects.get(pk=event_id),
        Shift.objects.get(pk=shift_id),
        Person.objects.get(pk=person_id),
    )
    return lambda: services.rsvp_create(event=event, shift=shift, person=person, acting=None)


def book_without_lock(event_id: int, shift_id: int, person_id: int) -> Callable[[], None]:
    """The control: count, think for a moment, insert; no transaction and no lock. It must over-book, or the
    harness is not running writers concurrently."""
    from groundgame.events.models import Rsvp

    def book():
        taken = Rsvp.objects.filter(shift_id=shift_id, status="confirmed").count()
        time.sleep(0.02)
        status = "confirmed" if taken < CAPACITY else "waitlisted"
        Rsvp.objects.create(event_id=event_id, shift_id=shift_id, person_id=person_id, status=status)

    return book


def contend(event_id: int, shift_id: int, person_ids: list[int], *, workers: int, booker) -> Outcome:
    """Book every person from `workers` threads (each its own connection) started together; count the result."""
    from django.db import connections

    from groundgame.events.models import Rsvp

    barrier = threading.Barrier(workers)
    lock = threading.Lock()
    state = {"in_flight": 0, "most": 0}
    errors: list[str] = []

    def work(ids: list[int]) -> None:
        try:
            bookings = [booker(event_id, shift_id, pk) for pk in ids]
            barrier.wait(timeout=60)
            for book in bookings:
                with lock:
                    state["in_flight"] += 1
                    state["most"] = max(state["most"], state["in_flight"])
                try:
                    book()
                except Exception as error:  # noqa: BLE001 - reported by the test
                    errors.append(f"{type(error).__name__}: {error}")
                finally:
                    with lock:
                        state["in_flight"] -= 1
        except Exception as error:  # noqa: BLE001
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()  # this thread's connections

    slices = [person_ids[i::workers] for i in range(workers)]
    threads = [threading.Thread(target=work, args=(ids,)) for ids in slices]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    rsvps = Rsvp.objects.filter(shift_id=shift_id)
    return Outcome(
        confirmed=rsvps.filter(status="confirmed").count(),
        waitlisted=rsvps.filter(status="waitlisted").count(),
        errors=errors[:5],
        most_in_flight=state["most"],
        seconds=round(seconds, 2),
    )


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    results = {"vendor": connection.vendor, "database": str(connection.settings_dict["NAME"])}
    results["options"] = connection.settings_dict.get("OPTIONS", {})
    for name, booker in (("service", book_with_service), ("without_lock", book_without_lock)):
        event_id, shift_id, person_ids = setup_shift()
        results[name] = asdict(contend(event_id, shift_id, person_ids, workers=WORKERS, booker=booker))
    connection.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()

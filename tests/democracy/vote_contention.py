"""One member, many simultaneous vote submissions: threads, each with its own database connection, released together
by a barrier. Used by test_vote_concurrency.py in process (PostgreSQL, or a SQLite file test database) and, for
SQLite, in a subprocess against a fresh SQLite file configured as in production:

    GROUNDGAME_HOME=/tmp/x DJANGO_SETTINGS_MODULE=groundgame.settings.test python -m tests.democracy.vote_contention

migrates the file database, runs the submissions through the real service and through a control that checks and
then writes without the transaction and conditional update, and prints both outcomes as JSON.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

SUBMISSIONS = 100
# Threads making the 100 submissions (see tests/events/contention.py for why not one connection per submission).
WORKERS = 40


@dataclass
class Outcome:
    accepted: int  # submissions that returned a receipt
    refused: int  # submissions refused as "already voted"
    box: int  # ballots in the box afterwards
    voted: bool  # the member's roll entry says they voted
    errors: list[str] = field(default_factory=list)
    most_in_flight: int = 0
    seconds: float = 0.0


def setup_ballot() -> tuple[int, int]:
    """An open yes/no/abstain ballot with one member on its roll: (ballot id, person id)."""
    from .factories import BodyFactory, members_of, open_ballot

    body = BodyFactory()
    (member,) = members_of(body, 1)
    ballot = open_ballot(body)
    return ballot.pk, member.pk


def vote_with_service(ballot_id: int, person_id: int) -> Callable[[], str]:
    from groundgame.democracy import services
    from groundgame.democracy.models import Ballot
    from groundgame.people.models import Person

    ballot, person = Ballot.objects.get(pk=ballot_id), Person.objects.get(pk=person_id)
    return lambda: services.vote_cast(ballot=ballot, person=person, choices=[1])


def vote_without_guard(ballot_id: int, person_id: int) -> Callable[[], str]:
    """The control: look at the roll, think for a moment, then write; no transaction, no conditional update. It must
    let more than one ballot in, or the harness is not running the submissions concurrently."""
    from django.core.exceptions import ValidationError

    from groundgame.democracy.models import CastBallot, RollEntry
    from groundgame.democracy.receipts import receipt_code_new, receipt_hash

    def vote() -> str:
        if RollEntry.objects.get(ballot_id=ballot_id, person_id=person_id).voted:
            raise ValidationError("already voted", code="already_voted")
        time.sleep(0.02)
        code = receipt_code_new()
        CastBallot.objects.create(
            ballot_id=ballot_id, receipt_hash=receipt_hash(ballot_id=ballot_id, code=code), choices=[1]
        )
        RollEntry.objects.filter(ballot_id=ballot_id, person_id=person_id).update(voted=True)
        return code

    return vote


def contend(ballot_id: int, person_id: int, *, workers: int, voter, submissions: int = SUBMISSIONS) -> Outcome:
    from django.core.exceptions import ValidationError
    from django.db import connections

    from groundgame.democracy.models import CastBallot, RollEntry

    barrier = threading.Barrier(workers)
    lock = threading.Lock()
    state = {"in_flight": 0, "most": 0, "accepted": 0, "refused": 0}
    errors: list[str] = []

    def work(count: int) -> None:
        try:
            votes = [voter(ballot_id, person_id) for _ in range(count)]
            barrier.wait(timeout=60)
            for vote in votes:
                with lock:
                    state["in_flight"] += 1
                    state["most"] = max(state["most"], state["in_flight"])
                try:
                    vote()
                    with lock:
                        state["accepted"] += 1
                except ValidationError as error:
                    if error.code == "already_voted":
                        with lock:
                            state["refused"] += 1
                    else:
                        errors.append(f"ValidationError: {error}")
                except Exception as error:  # noqa: BLE001 - reported by the test
                    errors.append(f"{type(error).__name__}: {error}")
                finally:
                    with lock:
                        state["in_flight"] -= 1
        except Exception as error:  # noqa: BLE001
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()  # this thread's connections

    shares = [submissions // workers + (1 if i < submissions % workers else 0) for i in range(workers)]
    threads = [threading.Thread(target=work, args=(n,)) for n in shares]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Outcome(
        accepted=state["accepted"],
        refused=state["refused"],
        box=CastBallot.objects.filter(ballot_id=ballot_id).count(),
        voted=RollEntry.objects.get(ballot_id=ballot_id, person_id=person_id).voted,
        errors=errors[:5],
        most_in_flight=state["most"],
        seconds=round(time.monotonic() - started, 2),
    )


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    results = {"vendor": connection.vendor, "database": str(connection.settings_dict["NAME"])}
    results["options"] = connection.settings_dict.get("OPTIONS", {})
    for name, voter in (("service", vote_with_service), ("without_guard", vote_without_guard)):
        ballot_id, person_id = setup_ballot()
        results[name] = asdict(contend(ballot_id, person_id, workers=WORKERS, voter=voter))
    connection.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()

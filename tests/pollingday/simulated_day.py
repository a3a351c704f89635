"""A scaled-down polling day against a running server, in a process of its own: a SQLite file database with the
project's settings, a threaded WSGI server on 127.0.0.1, the simulation's tellers and knockers as HTTP clients.
Prints a JSON summary; tests/pollingday/test_simulation.py runs it (`python -m tests.pollingday.simulated_day`).
"""

import json
import sys
import threading


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from groundgame.pollingday import simulation

    from .world import build

    call_command("migrate", verbosity=0)
    electors, entries = (int(a) for a in argv[:2]) if len(argv) >= 2 else (1200, 600)
    world = build(districts=4, electors=electors, volunteers=24, seed=7)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):  # noqa: D102
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.daemon_threads = True
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        if argv[2:3] == ["--command"]:  # the rehearsal command, as an organiser would run it
            from io import StringIO

            from groundgame.people.models import Person

            out = StringIO()
            call_command(
                "pollingday_rehearse", world.campaign.slug, "--url", base_url, "--organiser", world.organiser.email,
                "--tellers", "6", "--knockers", "4", "--entries", str(entries), "--rounds", "1", stdout=out,
            )  # fmt: skip
            print(json.dumps({"output": out.getvalue(), "people": Person.objects.count()}))
            return
        cast = simulation.prepare(
            world.plan, tellers=world.volunteers[:12], knockers=world.volunteers[12:], organiser=world.organiser
        )
        scale = simulation.Scale(tellers=12, knockers=12, entries=entries, workers=8, seed=11)
        outcome = simulation.run(base_url, world.plan, cast, scale)
        problems = simulation.check(world.plan, outcome)
        expected = simulation.recount(world.plan, outcome.ledger)
    finally:
        server.shutdown()
    ledger = outcome.ledger
    print(
        json.dumps(
            {
                "problems": problems,
                "errors": ledger.errors[:10],
                "promises": world.promises,
                "told": len(ledger.told),
                "undone": len(ledger.undone),
                "unknown": len(ledger.flagged_unknown),
                "marks": len(ledger.marks),
                "resent_batches": ledger.resent_batches,
                "duplicated_batches": ledger.duplicated_batches,
                "requests": ledger.requests,
                "dashboard_total": outcome.dashboard["total"],
                "recount_total": expected["total"],
                "seconds": outcome.seconds,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])

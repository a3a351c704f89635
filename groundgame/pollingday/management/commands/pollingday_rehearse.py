"""Rehearse polling day: synthetic tellers and knockers play the day against a running server while the committee
rooms watch the dashboard and trainees take part on their own phones (groundgame/pollingday/simulation.py).

    groundgame pollingday_rehearse <campaign slug> --url http://127.0.0.1:8000 --organiser organiser@example.org \\
        [--tellers 20] [--knockers 20] [--entries 2000] [--rounds 2]

Only while the campaign's polling day is in rehearsal: everything it enters is marked as rehearsal and deleted when
the day goes live. Tellers' passes belong to nobody; knock-up marks are made by one synthetic volunteer, given
register access for the run and deleted afterwards (their marks stay, as anonymous rehearsal rows). At the end it
prints the recount and whether the dashboard matched it.
"""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError

from groundgame.canvassing.models import Campaign
from groundgame.people.models import Membership, Person

from ... import simulation
from ...models import PollingDayPlan


class Command(BaseCommand):
    help = "Play a polling day with synthetic tellers and knockers against a running server (rehearsal only)."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("--url", required=True, help="the running server, e.g. http://127.0.0.1:8000")
        parser.add_argument("--organiser", required=True, help="email of an organiser of the campaign")
        parser.add_argument("--tellers", type=int, default=20)
        parser.add_argument("--knockers", type=int, default=20)
        parser.add_argument("--entries", type=int, default=2000)
        parser.add_argument("--rounds", type=int, default=2)
        parser.add_argument("--seed", type=int, default=2029)

    def handle(self, *args, **options):
        plan = PollingDayPlan.objects.select_related("campaign").filter(campaign__slug=options["campaign"]).first()
        if plan is None:
            raise CommandError("No polling day for that campaign: set it up on its polling day page first.")
        if not plan.rehearsal:
            raise CommandError("Polling day is live: a rehearsal would count. Go back to rehearsal first.")
        organiser = Person.objects.filter(email__iexact=options["organiser"], user__isnull=False).first()
        if organiser is None or not organiser.user.has_perm("pollingday.run", plan.campaign):
            raise CommandError("That person does not run this campaign.")
        volunteer = self._synthetic_volunteer(plan.campaign)
        cast = None
        try:
            cast = simulation.prepare(
                plan,
                tellers=[None] * options["tellers"],
                knockers=[volunteer] * options["knockers"],
                organiser=organiser,
            )
            scale = simulation.Scale(
                tellers=options["tellers"], knockers=options["knockers"], entries=options["entries"],
                rounds=options["rounds"], seed=options["seed"],
            )  # fmt: skip
            outcome = simulation.run(options["url"].rstrip("/"), plan, cast, scale)
            problems = simulation.check(plan, outcome)
        finally:
            if cast is not None:  # only the sessions this rehearsal made; real users stay signed in
                Session.objects.filter(session_key__in=[*cast.knockers, cast.organiser]).delete()
            user = volunteer.user
            volunteer.delete()
            user.delete()
        ledger = outcome.ledger
        total = outcome.dashboard["total"]
        self.stdout.write(
            f"{len(ledger.told):,} numbers taken ({len(ledger.undone):,} undone, {len(ledger.flagged_unknown):,} "
            f"misread and flagged), {len(ledger.marks):,} knock-up marks, in {outcome.seconds:.1f} s.\n"
            f"Dashboard: {total['voted']:,} of {total['promises']:,} promises voted, {total['knocked']:,} knocked, "
            f"{total['pending_lifts']:,} lifts waiting."
        )
        if problems or ledger.errors:
            for line in [*ledger.errors[:10], *problems]:
                self.stderr.write(line)
            raise CommandError("The dashboard does not match the recount (see above).")
        self.stdout.write(self.style.SUCCESS("The dashboard matches the recount; nothing was lost."))

    def _synthetic_volunteer(self, campaign: Campaign) -> Person:
        user = get_user_model().objects.create(username=f"rehearsal-{campaign.slug}"[:150], email="")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        person = Person.objects.create(user=user, first_name="Rehearsal", last_name="volunteer", email="")
        Membership.objects.create(person=person, group=campaign.host, status=Membership.Status.ACTIVE)
        return person

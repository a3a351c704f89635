"""Demo seed for polling day: the canvassing demo's campaign gets a polling day plan in rehearsal (promises: the
first party on the ballot, certainty 4 or 5), its districts split between two committee rooms, the promises worked
out and a first knock-up round in each room, so the dashboard, the telling app and knock-up lists can be tried at
once. `groundgame pollingday_rehearse` then plays tellers and knockers against the running demo.

Called by `core.demo.seed_demo` after the canvassing seed; idempotent (a campaign with a plan is left alone).
"""

from groundgame.canvassing.models import Campaign

from . import services
from .models import CommitteeRoom, DistrictArrangement, PollingDayPlan


def seed() -> PollingDayPlan | None:
    campaign = Campaign.objects.filter(register_copies__supplier__startswith="Demo Electoral Services").first()
    if campaign is None:
        return None
    plan = PollingDayPlan.objects.filter(campaign=campaign).first()
    if plan is not None:
        return plan
    ours = (campaign.parties or [{"code": "Lab"}])[0]["code"]
    plan = services.plan_create(campaign=campaign, acting=None, promise_intentions=[ours], promise_min_certainty=4)
    first = plan.committee_rooms.get()
    first.name, first.address = "Committee room: Trades Hall", "Trades Hall, Main Street"
    first.save(update_fields=["name", "address"])
    second = services.place_create(plan=plan, acting=None, kind="room", name="Committee room: St Mark's Church Hall")
    for i, arrangement in enumerate(DistrictArrangement.objects.filter(plan=plan).order_by("district__code")):
        if i % 2:
            services.arrangement_set(
                arrangement=arrangement, acting=None, station=arrangement.station, committee_room=second
            )
    services.promises_refresh(plan=plan, acting=None)
    for room in CommitteeRoom.objects.filter(plan=plan):
        services.knock_up_round_create(committee_room=room, acting=None)
    return plan


def seed_demo_lines(*, password: str) -> list[str]:
    del password
    plan = seed()
    if plan is None:
        return ["Polling day demo: skipped (no demo campaign)"]
    return [
        f"Polling day (rehearsal): /pollingday/{plan.campaign.slug}/ — {plan.promises.count():,} promises, "
        f"dashboard at /pollingday/{plan.campaign.slug}/dashboard/"
    ]

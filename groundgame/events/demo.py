"""Demo seed for events: for each demo local group, campaign sessions in its seat over the next four weeks, and a
few rallies, socials and trainings; some bookings by the group's members (a couple of sessions full, with a waiting
list) and one volunteer's proposal waiting for approval. Deterministic; idempotent (skipped when events exist).

Venues are located at the group's constituency centroid (or a real postcode of the seat when the table has one),
so "Find where you're needed" lists the sessions in each target seat and /events/ finds them near a postcode.
"""

import datetime
import random
import zoneinfo

from django.db import transaction
from django.utils import timezone

from groundgame.people.models import LocalGroup, Membership
from groundgame.places.models import PostcodeDistrict, PostcodePlacement

from .models import Event, Rsvp

LONDON = zoneinfo.ZoneInfo("Europe/London")
SEED = 2017
VENUES = ["Community centre", "Trades hall", "Library meeting room", "Miners' welfare", "Church hall", "The Crown"]
SOCIALS = ["Quiz night", "Ceilidh", "Curry and canvass debrief", "Folk night", "Family picnic"]


def _postcode_in(seat, districts: list[tuple[str, float, float]]) -> str:
    """A real postcode placed in the seat when the postcode table has one, else the postcode district nearest the
    seat's centroid (the venue is then located at the centroid)."""
    placement = PostcodePlacement.objects.filter(constituency=seat).select_related("postcode").first()
    if placement is not None:
        return placement.postcode.postcode
    lat, lon = seat.centroid_lat, seat.centroid_lon
    nearest = min(districts, key=lambda d: (d[1] - lat) ** 2 + ((d[2] - lon) * 0.6) ** 2, default=None)
    return nearest[0] if nearest else "?"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@transaction.atomic
def seed() -> int:
    if Event.objects.exists():
        return 0
    rng = random.Random(SEED)
    today = timezone.localdate()
    groups = LocalGroup.objects.filter(level=LocalGroup.Level.LOCAL).prefetch_related("constituencies")
    districts = list(PostcodeDistrict.objects.values_list("outcode", "latitude", "longitude"))
    created = 0
    for group in groups.order_by("slug"):
        seat = next(iter(group.constituencies.all()), None)
        if seat is None or seat.centroid_lat is None:
            continue
        members = [m.person for m in Membership.objects.filter(group=group, status="active").select_related("person")]
        place = {"latitude": seat.centroid_lat, "longitude": seat.centroid_lon}
        postcode = _postcode_in(seat, districts)
        plans = []
        for week in range(4):
            saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 7 * week)
            plans.append(("canvassing", f"Saturday doors in {seat.name}", _at(saturday, 10), 3, 20))
            wednesday = saturday - datetime.timedelta(days=3)
            if wednesday > today:
                plans.append(("phonebank", f"Phone bank for {seat.name}", _at(wednesday, 18), 3, 12))
        social_day = today + datetime.timedelta(days=rng.randint(6, 20))
        plans.append(("social", f"{rng.choice(SOCIALS)}, {group.name}", _at(social_day, 19, 30), 3, None))
        if rng.random() < 0.3:
            training_day = today + datetime.timedelta(days=rng.randint(3, 15))
            plans.append(
                ("training", "Doorstep conversations: training for new canvassers", _at(training_day, 14), 2, 25)
            )
        for kind, title, starts, hours, capacity in plans:
            where = (
                {"online_url": "https://meet.example.org/groundgame"}
                if kind == "phonebank"
                else {"venue_name": rng.choice(VENUES), "venue_postcode": postcode, **place}
            )
            event = Event.objects.create(
                kind=kind,
                status=Event.Status.APPROVED,
                visibility=Event.Visibility.PUBLIC,
                host=group,
                title=title,
                description="All welcome, no experience needed: we pair new people with someone who has done it.",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=hours),
                target_seat=seat if kind in Event.CAMPAIGN_KINDS else None,
                capacity=capacity,
                accessibility="Step-free access; accessible toilet.",
                approved_at=timezone.now(),
                **where,
            )
            created += 1
            if capacity and members:
                for person in rng.sample(members, min(len(members), rng.randint(2, capacity + 3))):
                    confirmed = Rsvp.objects.filter(event=event, status="confirmed").count()
                    status = "confirmed" if confirmed < capacity else "waitlisted"
                    Rsvp.objects.create(event=event, person=person, status=status)
        if members:
            proposer = rng.choice(members)
            day = today + datetime.timedelta(days=rng.randint(8, 25))
            Event.objects.create(
                kind="social", status=Event.Status.PROPOSED, host=group, title=f"Bring-and-share lunch, {group.name}",
                starts_at=_at(day, 12), ends_at=_at(day, 14), venue_name="My back garden",
                venue_postcode="", online_url="https://example.org/ask-for-the-address", proposed_by=proposer,
                organiser_contact=proposer,
            )  # fmt: skip
            created += 1
    return created


def seed_demo_lines(*, password: str) -> list[str]:
    """The hook `core.demo.seed_demo` calls: seed, then the lines to print."""
    del password
    created = seed()
    total = Event.objects.count()
    sessions = Event.objects.filter(kind__in=Event.CAMPAIGN_KINDS).count()
    return [f"Demo events: {total:,} ({sessions:,} campaign sessions in the groups' seats; {created:,} new)"]

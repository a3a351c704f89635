"""A campaign ready for polling day, at any scale: polling districts of located households, electors, canvass records
that make some of them promises (a share of them postal voters), volunteers, an organiser with two-factor, and a plan
with two committee rooms and its promises worked out. Rows are bulk-inserted (100,000 electors in seconds).

Used by the polling-day tests, the simulation (tests/pollingday/simulated_day.py) and bench/polling_day.py.
"""

import datetime
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from groundgame.canvassing.models import Address, Campaign, ContactRecord, Elector, PollingDistrict, Survey
from groundgame.people.models import LocalGroup, Membership, Person
from groundgame.pollingday import services
from groundgame.pollingday.models import CommitteeRoom, DistrictArrangement, PollingDayPlan
from tests.canvassing.factories import PARTIES, STREETS, CampaignFactory, RegisterCopyFactory, default_questions
from tests.people.factories import GroupFactory

FIRST = ["Amina", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Harry", "Isla", "Jack", "Kiran", "Leah", "Mo"]
LAST = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fisher", "Green", "Hughes", "Iqbal", "Jones", "Khan"]


@dataclass
class World:
    campaign: Campaign
    plan: PollingDayPlan
    group: LocalGroup
    organiser: Person
    volunteers: list[Person]
    promises: int
    electors: int


def _people(group: LocalGroup, count: int, prefix: str, role: str = Membership.Role.VOLUNTEER) -> list[Person]:
    user_model = get_user_model()
    tag = uuid.uuid4().hex[:8]
    users = [user_model(username=f"{prefix}-{tag}-{i}", email=f"{prefix}-{tag}-{i}@example.org") for i in range(count)]
    for user in users:
        user.set_unusable_password()
    users = user_model.objects.bulk_create(users, batch_size=2000)
    people = Person.objects.bulk_create(
        [
            Person(user=u, first_name=FIRST[i % len(FIRST)], last_name=LAST[i % len(LAST)], email=u.email)
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(person=p, group=group, role=role, status=Membership.Status.ACTIVE) for p in people], batch_size=2000
    )
    return people


def build(
    *,
    districts: int = 4,
    electors: int = 800,
    promise_share: float = 0.4,
    postal_share: float = 0.1,
    volunteers: int = 20,
    rooms: int = 2,
    seed: int = 1,
) -> World:
    rng = random.Random(seed)
    group = GroupFactory()
    campaign = CampaignFactory(host=group, parties=[dict(p) for p in PARTIES])
    copy = RegisterCopyFactory(campaign=campaign)
    survey = Survey.objects.create(campaign=campaign, version=1, questions=default_questions(campaign.parties))
    codes = [f"{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}{1 + i // 676}" for i in range(districts)]
    district_rows = PollingDistrict.objects.bulk_create(
        [PollingDistrict(campaign=campaign, code=code, name=f"Ward {code}") for code in codes]
    )
    per_district = electors // districts
    addresses, elector_rows = [], []
    for d, district in enumerate(district_rows):
        lat0, lon0 = 52.90 + 0.01 * d, -1.50 + 0.01 * d
        for i in range(0, per_district, 2):
            street = STREETS[(i // 60) % len(STREETS)]
            house = i // 2 % 30 * 2 + 1 + (i // 60 % 2)
            addresses.append(
                Address(
                    campaign=campaign,
                    polling_district=district,
                    register_copy=copy,
                    key=f"{district.code}|{i}|{street}".upper(),
                    house_number=house,
                    street=street,
                    town="Derby",
                    postcode="DE22 1AA",
                    latitude=lat0 + (i // 60) * 0.0006,
                    longitude=lon0 + (i % 60) * 0.00005,
                    location_quality=Address.LocationQuality.POSTCODE,
                )  # fmt: skip
            )
    Address.objects.bulk_create(addresses, batch_size=2000)
    addresses = list(Address.objects.filter(campaign=campaign).order_by("pk"))
    number: dict[int, int] = defaultdict(int)
    for address in addresses:
        for _ in range(2):
            district_id = address.polling_district_id
            number[district_id] += 1
            elector_rows.append(
                Elector(
                    campaign=campaign,
                    polling_district_id=district_id,
                    register_copy=copy,
                    address=address,
                    number=number[district_id],
                    suffix=1 if rng.random() < 0.02 else 0,
                    first_names=rng.choice(FIRST),
                    surname=rng.choice(LAST),
                    postal_voter=rng.random() < postal_share,
                )  # fmt: skip
            )
    Elector.objects.bulk_create(elector_rows, batch_size=2000)
    now = timezone.now() - datetime.timedelta(days=3)
    records = []
    promised = 0
    for elector_id, address_id, district_id in Elector.objects.filter(campaign=campaign).values_list(
        "pk", "address_id", "polling_district_id"
    ):
        roll = rng.random()
        if roll < promise_share:
            intention, certainty = "Lab", rng.choice([4, 5])
            promised += 1
        elif roll < promise_share + 0.1:
            intention, certainty = "Lab", 2  # leaning, not a promise
        else:
            intention, certainty = rng.choice(["Con", "LD", "Green", "RUK", "undecided"]), 3
        records.append(
            ContactRecord(
                id=uuid.uuid4(),
                campaign=campaign,
                address_id=address_id,
                elector_id=elector_id,
                polling_district_id=district_id,
                survey=survey,
                recorded_at=now,
                outcome="spoke",
                intention=intention,
                certainty=certainty,
            )  # fmt: skip
        )
    ContactRecord.objects.bulk_create(records, batch_size=2000)
    if connection.vendor == "postgresql":  # as autovacuum would after a register import: plans see the new rows
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE canvassing_address, canvassing_elector, canvassing_contactrecord")
    organiser = _people(group, 1, "organiser", role=Membership.Role.ORGANISER)[0]
    TOTP.activate(organiser.user, generate_totp_secret())
    people = _people(group, volunteers, "volunteer")
    plan = services.plan_create(
        campaign=campaign, acting=organiser.user, promise_intentions=["Lab"], promise_min_certainty=4
    )
    names = ["Second committee room", *(f"Committee room {n}" for n in range(3, rooms + 1))]
    all_rooms = [plan.committee_rooms.get()] + [
        CommitteeRoom.objects.create(plan=plan, name=n) for n in names[: rooms - 1]
    ]
    for i, arrangement in enumerate(DistrictArrangement.objects.filter(plan=plan).order_by("district__code")):
        if i % rooms:
            arrangement.committee_room = all_rooms[i % rooms]
            arrangement.save(update_fields=["committee_room"])
    counts = services.promises_refresh(plan=plan, acting=organiser.user)
    plan.refresh_from_db()
    return World(campaign, plan, group, organiser, people, counts["total"], len(elector_rows))

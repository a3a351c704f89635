"""Demo seed for people: a national group, the 12 UK nations and regions, local groups in 40 real constituencies,
3,000 plausible synthetic people with memberships, roles, skills and consent histories, and demo accounts with
known logins. Called by `core.demo.seed_demo` (`groundgame demo`).

Deterministic: the same seed and the same reference data give the same people. Idempotent: groups are found by
slug, people by email, accounts by email; people that already exist are left alone (with their memberships and
consent history), so a second run adds nothing. Everything is bulk inserted in one transaction (about 2 s).

Where people live:
- local groups are in the constituencies where the postcode table holds at least 50 real postcodes (the shared
  sample: Derby, Manchester, Leeds; at most 10), then in the target seats of the latest election (targeting
  maths on the imported results, without organisers' overrides so the choice depends on reference data only),
  taken in turn from each region, most marginal first, until there are 40 (any constituencies if no results
  are imported);
- a person's postcode is a real one placed in their group's constituency when the table has such postcodes;
  otherwise it is in one of the three real postcode districts nearest the constituency's centroid, with a
  made-up inward code whose letters are drawn from C, K, M and V. Royal Mail never uses C, I, K, M, O or V in an
  inward code (shared/data/postcodes/POSTCODE_FORMAT.md), so such a postcode is marked synthetic by its form
  and can never be anyone's real address (see `is_synthetic_postcode`).

Names come from the lists below (common in the UK today), not from Faker: Faker is only a test dependency
(through factory-boy) and `groundgame demo` runs on the plain install. Emails are @example.org, .com and .net
(reserved for examples, RFC 2606); phone numbers are Ofcom's ranges kept for drama (never allocated).
"""

import datetime
import math
import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from groundgame.core.audit import audit_record, audit_record_many
from groundgame.core.messaging import contact_hash
from groundgame.core.models import Channel
from groundgame.places.models import (
    BoundarySet,
    Constituency,
    ConstituencyResult,
    Election,
    PostcodeDistrict,
    PostcodePlacement,
)
from groundgame.places.targeting import is_target, standing

from .models import ConsentEvent, ConsentWording, LocalGroup, Membership, Person, Purpose, Skill, StaffRole
from .services import normalise_phone

DEMO_SEED = 2024
PEOPLE = 3000
LOCAL_GROUPS = 40
REAL_POSTCODE_SEATS = 10
REAL_POSTCODES_NEEDED = 50
NEAREST_DISTRICTS = 3
DISTRICT_RADIUS_KM = 30.0
REASON = "demo seed"
# Fixed, so the seed does not change with the calendar.
JOINED_FROM = datetime.date(2019, 1, 1)
JOINED_TO = datetime.date(2025, 6, 30)

NATIONAL = ("national", "National")
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
    "Scotland",
    "Northern Ireland",
)
"""The 12 nations and regions of the UK, as the constituency data names them."""

FIRST_NAMES = (
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie", "Jacob", "Thomas",
    "Henry", "William", "Alfie", "Joshua", "Freddie", "Archie", "Theo", "James", "Isaac", "Ethan", "Samuel", "Daniel",
    "Joseph", "Max", "Lucas", "Adam", "Ryan", "Dylan", "Callum", "Lewis", "Rhys", "Owen", "Gareth", "Dafydd", "Iwan",
    "Euan", "Fraser", "Hamish", "Ciaran", "Declan", "Aidan", "Connor", "Kwame", "Tunde", "Chinedu", "Imran", "Bilal",
    "Hamza", "Yusuf", "Arjun", "Rohan", "Vikram", "Sanjay", "Tomasz", "Piotr", "Andrei", "Mark", "Paul", "David",
    "Olivia", "Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence", "Mia", "Willow", "Rosie", "Sophia",
    "Isabella", "Grace", "Evie", "Poppy", "Ella", "Emily", "Charlotte", "Ruby", "Sienna", "Chloe", "Hannah", "Jessica",
    "Lucy", "Megan", "Rebecca", "Sarah", "Emma", "Laura", "Nia", "Cerys", "Ffion", "Seren", "Eilidh", "Morag",
    "Catriona", "Siobhan", "Niamh", "Aoife", "Orla", "Aisha", "Fatima", "Zainab", "Maryam", "Amina", "Priya", "Anjali",
    "Simran", "Harpreet", "Sunita", "Nadia", "Yasmin", "Chioma", "Adaeze", "Abena", "Zofia", "Agnieszka", "Ioana",
    "Maria", "Helen", "Susan", "Karen", "Joanne", "Claire", "Nicola", "Gemma", "Bethany", "Jade", "Leanne", "Shauna",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark",
    "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker",
    "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
    "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson",
    "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason",
    "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson",
    "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott", "Reynolds", "Saunders",
    "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence", "Cole", "Atkinson", "Bradley", "Spencer",
    "Gill", "Dawson", "Ball", "Burton", "O'Brien", "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells",
    "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory",
    "Carr", "Lowe", "Page", "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland",
    "Hawkins", "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird", "Gardner",
    "Shah", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop", "Walton", "Burns", "Nicholson",
    "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls", "Hamilton", "Byrne", "Sutton", "McDonald",
    "Yates", "Hodgson", "Robson", "Curtis", "Hopkins", "O'Connor", "Harper", "Coleman", "Watkins", "Moss", "McCarthy",
    "Chambers", "O'Neill", "Griffin", "Sharp", "Hardy", "Wheeler", "Potter", "Osborne", "Johnston", "Gordon", "Doyle",
    "Wallace", "George", "Jordan", "Hutchinson", "Rowe", "Burke", "May", "Pritchard", "Gilbert", "Willis", "Higgins",
    "Read", "Miles", "Stevenson", "Stephenson", "Hammond", "Arnold", "Buckley", "Walters", "Hewitt", "Barber",
    "Nowak", "Kowalski", "Okafor", "Mensah", "Adeyemi", "Chowdhury", "Rahman", "Islam", "Mahmood", "Iqbal", "Sharma",
    "Mistry", "Chauhan", "Nguyen", "Wong", "Chen", "Popescu", "Costa", "Silva", "MacLeod", "MacKenzie", "Fraser",
)  # fmt: skip
SKILLS = (
    "Canvassing", "Phone banking", "Leafleting", "Data entry", "Driving", "Event organising", "Social media",
    "Graphic design", "Photography", "Writing", "Public speaking", "Fundraising", "First aid", "IT support",
    "Translation", "Stewarding", "Childcare", "Accessibility advice", "Legal knowledge", "Training others",
)  # fmt: skip
INTERESTS = (
    "housing", "climate", "the NHS", "schools", "transport", "workers' rights", "local parks", "cost of living",
    "social care", "youth services", "libraries", "democracy reform", "disability rights", "refugees", "high streets",
)  # fmt: skip
OTHER_LANGUAGES = ("pl", "ur", "pa", "bn", "gu", "ar", "so", "ro", "pt", "es", "fr", "ta", "tr", "bfi")
ACCESSIBILITY = (
    "Step-free access, please.",
    "Large-print materials.",
    "Hearing loop at meetings.",
    "Cannot stand for long; a seat at events.",
    "Dyslexic: phone rather than long emails.",
)

# Ofcom's numbers for drama (never allocated to anyone): (prefix, first, last) of the local number part.
DRAMA_NUMBERS = (
    ("07700 ", 900000, 900999),
    ("0113 496 ", 0, 999),
    ("0114 496 ", 0, 999),
    ("0115 496 ", 0, 999),
    ("0116 496 ", 0, 999),
    ("0117 496 ", 0, 999),
    ("0118 496 ", 0, 999),
    ("0121 496 ", 0, 999),
    ("0131 496 ", 0, 999),
    ("0141 496 ", 0, 999),
    ("0151 496 ", 0, 999),
    ("0161 496 ", 0, 999),
    ("020 7946 ", 0, 999),
    ("0191 498 ", 0, 999),
    ("029 2018 ", 0, 999),
    ("01632 ", 960000, 960999),
)
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
SYNTHETIC_INWARD_LETTERS = "CKMV"

WORDINGS = {
    Purpose.EMAIL: "Yes, email me news and campaign updates. I can unsubscribe at any time with the link in every "
    "email.",
    Purpose.SMS: "Yes, send me text messages about campaign days and urgent actions near me. Reply STOP to stop.",
    Purpose.PHONE: "Yes, you may phone me about volunteering and campaigns. I can ask you to stop at any time.",
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str  # "organiser", "organiser2", "regional", "steward", "member"
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("organiser@example.org", "Olivia", "Bennett", "organiser", "Organiser of {group}"),
    DemoAccount("organiser2@example.org", "Kwame", "Mensah", "organiser2", "Organiser of {group2}"),
    DemoAccount("regional@example.org", "Rhiannon", "Pryce", "regional", "Regional organiser, {region}"),
    DemoAccount("steward@example.org", "Dana", "Whitfield", "steward", "Data steward"),
    DemoAccount("member@example.org", "Sam", "Taylor", "member", "Member of {group}"),
)


def is_synthetic_postcode(postcode: str) -> bool:
    """A demo postcode whose inward code uses letters Royal Mail never uses there (made up by this seed)."""
    inward = postcode.rsplit(" ", 1)[-1]
    return len(inward) == 3 and inward[1] in "CIKMOV" and inward[2] in "CIKMOV"


def drama_phone_numbers() -> list[str]:
    """Every number in Ofcom's drama ranges, in national format ("07700 900123")."""
    numbers = []
    for prefix, first, last in DRAMA_NUMBERS:
        width = len(str(last)) if first else 4
        numbers += [f"{prefix}{n:0{width}d}" for n in range(first, last + 1)]
    return numbers


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())


def synthetic_email(first: str, last: str, number: int, rng: random.Random) -> str:
    return f"{_ascii(first)}.{_ascii(last)}.{number}@{rng.choice(EMAIL_DOMAINS)}"


# --- places -----------------------------------------------------------------------------------------------------


class DemoDataMissing(Exception):
    """No constituencies: the reference data must be imported before the demo seed."""


@dataclass
class Seat:
    constituency: Constituency
    postcodes: list[str]  # real postcodes placed in the seat
    districts: list[str]  # nearest real districts, for synthetic postcodes


def _latest_boundary_set() -> BoundarySet:
    boundary_set = BoundarySet.objects.filter(constituencies__isnull=False).order_by("-first_used").first()
    if boundary_set is None:
        raise DemoDataMissing("No constituencies are imported: run `groundgame data import` first.")
    return boundary_set


def _targets(boundary_set: BoundarySet) -> list[Constituency]:
    """Target seats of the latest election on these boundaries, most marginal first (no overrides)."""
    from django.conf import settings

    election = Election.objects.filter(boundary_set=boundary_set).order_by("-polling_date").first()
    if election is None:
        return []
    found = []
    results = ConstituencyResult.objects.filter(election=election).select_related("constituency")
    for result in results.order_by("constituency__code"):
        seat = standing(_seat_result(result), settings.GROUNDGAME_OUR_PARTY)
        if is_target(seat, settings.GROUNDGAME_TARGET_SWING_WINDOW):
            found.append((seat.swing_needed, result.constituency.code, result.constituency))
    return [c for _, _, c in sorted(found, key=lambda t: (t[0], t[1]))]


def _seat_result(result: ConstituencyResult):
    from groundgame.places.targeting import SeatResult

    return SeatResult(
        valid_votes=result.valid_votes,
        majority=result.majority,
        first_party=result.first_party,
        second_party=result.second_party,
        party_votes=result.party_votes,
        other_winner_votes=result.other_winner_votes,
    )


def _pick_seats(boundary_set: BoundarySet) -> list[Seat]:
    constituencies = {c.pk: c for c in Constituency.objects.filter(boundary_set=boundary_set)}
    placed: dict[int, list[str]] = defaultdict(list)
    placements = PostcodePlacement.objects.filter(boundary_set=boundary_set).order_by("postcode__postcode")
    for constituency_id, postcode in placements.values_list("constituency_id", "postcode__postcode"):
        placed[constituency_id].append(postcode)
    chosen: list[Constituency] = []
    with_postcodes = sorted(
        (pk for pk, codes in placed.items() if len(codes) >= REAL_POSTCODES_NEEDED),
        key=lambda pk: (-len(placed[pk]), constituencies[pk].code),
    )
    chosen += [constituencies[pk] for pk in with_postcodes[:REAL_POSTCODE_SEATS]]
    candidates = _targets(boundary_set) or sorted(constituencies.values(), key=lambda c: c.code)
    by_region: dict[str, list[Constituency]] = defaultdict(list)
    for constituency in candidates:
        if constituency not in chosen:
            by_region[constituency.region].append(constituency)
    queues = [by_region[r] for r in sorted(by_region)]
    while len(chosen) < LOCAL_GROUPS and any(queues):
        for queue in queues:
            if queue and len(chosen) < LOCAL_GROUPS:
                chosen.append(queue.pop(0))
    districts = list(PostcodeDistrict.objects.order_by("outcode").values_list("outcode", "latitude", "longitude"))
    return [Seat(c, placed.get(c.pk, []), _nearest_districts(c, districts)) for c in chosen]


def _nearest_districts(constituency: Constituency, districts: list[tuple[str, float, float]]) -> list[str]:
    if constituency.centroid_lat is None or constituency.centroid_lon is None:
        return []
    lat, lon = constituency.centroid_lat, constituency.centroid_lon
    scale = math.cos(math.radians(lat))
    ranked = []
    for outcode, d_lat, d_lon in districts:
        km = 111.2 * math.hypot(d_lat - lat, (d_lon - lon) * scale)
        if km <= DISTRICT_RADIUS_KM:
            ranked.append((km, outcode))
    return [outcode for _, outcode in sorted(ranked)[:NEAREST_DISTRICTS]]


def _postcode(seat: Seat, rng: random.Random) -> str:
    if len(seat.postcodes) >= REAL_POSTCODES_NEEDED:
        return rng.choice(seat.postcodes)
    if not seat.districts:
        return ""
    letters = SYNTHETIC_INWARD_LETTERS
    return f"{rng.choice(seat.districts)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


# --- groups -----------------------------------------------------------------------------------------------------


@dataclass
class Groups:
    national: LocalGroup
    regions: dict[str, LocalGroup]
    locals: list[tuple[LocalGroup, Seat]]
    created: int


def _group(slug: str, created: list[LocalGroup], **defaults) -> LocalGroup:
    group, was_created = LocalGroup.objects.get_or_create(slug=slug, defaults=defaults)
    if was_created:
        created.append(group)
    return group


def _groups(boundary_set: BoundarySet, seats: list[Seat]) -> Groups:
    created: list[LocalGroup] = []
    national = _group(
        NATIONAL[0],
        created,
        name=NATIONAL[1],
        level=LocalGroup.Level.NATIONAL,
        public_description="The whole movement, across the four nations.",
        join_policy=LocalGroup.JoinPolicy.OPEN,
    )
    regions = {}
    for name in REGIONS:
        regions[name] = _group(
            slugify(name),
            created,
            name=name,
            level=LocalGroup.Level.REGIONAL,
            parent=national,
            area_description=name,
            public_description=f"Local groups across {name} organising together.",
            join_policy=LocalGroup.JoinPolicy.OPEN,
        )
        if regions[name] in created:
            regions[name].constituencies.set(Constituency.objects.filter(boundary_set=boundary_set, region=name))
    local_groups = []
    for i, seat in enumerate(seats):
        c = seat.constituency
        group = _group(
            slugify(c.name),
            created,
            name=c.name,
            level=LocalGroup.Level.LOCAL,
            parent=regions.get(c.region, national),
            area_description=f"{c.name} constituency",
            public_description=f"Organising in {c.name}: doorstep conversations, street stalls and a monthly "
            "meeting. Everyone is welcome.",
            join_policy=LocalGroup.JoinPolicy.APPROVAL if i % 3 else LocalGroup.JoinPolicy.OPEN,
        )
        if group in created:
            group.constituencies.set([c])
        local_groups.append((group, seat))
    audit_record_many(
        actor=None,
        action="group.create",
        targets=created,
        fields=["name", "level", "parent"],
        reason=REASON,
    )
    return Groups(national, regions, local_groups, len(created))


# --- people -----------------------------------------------------------------------------------------------------


@dataclass
class PersonSpec:
    person: Person
    group: LocalGroup
    region: LocalGroup | None
    role: str
    membership_status: str
    skills: list[str]
    consents: list[tuple]  # (purpose, basis, action, method, occurred_at)


def _joined(rng: random.Random) -> datetime.date:
    return JOINED_FROM + datetime.timedelta(days=rng.randrange((JOINED_TO - JOINED_FROM).days))


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 21), rng.randint(0, 59))))


def _allocation(count: int, groups: int, rng: random.Random) -> list[int]:
    """`count` people over `groups` groups, unevenly (weights 0.5 to 1.5), largest remainder."""
    weights = [0.5 + rng.random() for _ in range(groups)]
    total = sum(weights)
    shares = [count * w / total for w in weights]
    sizes = [int(s) for s in shares]
    by_remainder = sorted(range(groups), key=lambda i: shares[i] - sizes[i], reverse=True)
    for i in by_remainder[: count - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _consents(person: Person, joined: datetime.date, rng: random.Random) -> list[tuple]:
    """A realistic mix: membership administration on legitimate interests for everyone; email consent for most
    (some later withdrawn by unsubscribing); texts and calls for some of those with a phone; canvassing contact
    on democratic engagement for some."""
    method = rng.choices(
        [ConsentEvent.Method.WEB_FORM, ConsentEvent.Method.IMPORT, ConsentEvent.Method.STAFF],
        weights=[75, 15, 10],
    )[0]
    when = _moment(joined, rng)
    given, withdrawn = ConsentEvent.Action.GIVEN, ConsentEvent.Action.WITHDRAWN
    events = [(Purpose.MEMBERSHIP, ConsentEvent.Basis.LEGITIMATE_INTERESTS, given, method, when)]
    if rng.random() < 0.72:
        events.append((Purpose.EMAIL, ConsentEvent.Basis.CONSENT, given, method, when))
        if rng.random() < 0.08:
            later = when + datetime.timedelta(days=rng.randint(30, 600))
            events.append(
                (Purpose.EMAIL, ConsentEvent.Basis.CONSENT, withdrawn, ConsentEvent.Method.UNSUBSCRIBE, later)
            )
    if person.phone and rng.random() < 0.45:
        events.append((Purpose.SMS, ConsentEvent.Basis.CONSENT, given, method, when))
    if person.phone and rng.random() < 0.25:
        events.append((Purpose.PHONE, ConsentEvent.Basis.CONSENT, given, method, when))
    if rng.random() < 0.35:
        doorstep = when + datetime.timedelta(days=rng.randint(0, 200))
        events.append(
            (
                Purpose.CANVASSING,
                ConsentEvent.Basis.DEMOCRATIC_ENGAGEMENT,
                given,
                ConsentEvent.Method.DOORSTEP,
                doorstep,
            )
        )
    return events


def _people(groups: Groups, rng: random.Random) -> list[PersonSpec]:
    """Every demo person, generated whatever the database holds (so the seed is deterministic)."""
    phones = drama_phone_numbers()
    rng.shuffle(phones)
    phone_iter = iter(phones)
    sizes = _allocation(PEOPLE, len(groups.locals), rng)
    specs: list[PersonSpec] = []
    number = 1000
    regional_organiser_done: set[int] = set()
    for (group, seat), size in zip(groups.locals, sizes, strict=True):
        region = groups.regions.get(seat.constituency.region)
        for position in range(size):
            number += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            joined = _joined(rng)
            status = rng.choices(list(Person.Status.values), weights=[60, 25, 15])[0]
            languages = ["en"]
            if seat.constituency.region == "Wales" and rng.random() < 0.25:
                languages.append("cy")
            elif seat.constituency.region == "Scotland" and rng.random() < 0.03:
                languages.append("gd")
            if rng.random() < 0.08:
                languages.append(rng.choice(OTHER_LANGUAGES))
            person = Person(
                first_name=first,
                last_name=last,
                email=synthetic_email(first, last, number, rng),
                phone=next(phone_iter) if rng.random() < 0.55 else "",
                postcode=_postcode(seat, rng),
                status=status,
                joined_on=joined,
                languages=languages,
                interests="; ".join(rng.sample(INTERESTS, rng.randint(0, 2))),
                accessibility_needs=rng.choice(ACCESSIBILITY) if rng.random() < 0.03 else "",
            )
            person.phone = normalise_phone(person.phone)
            if position < 2:
                role, membership_status = Membership.Role.ORGANISER, Membership.Status.ACTIVE
            else:
                role = rng.choices(
                    [Membership.Role.MEMBER, Membership.Role.VOLUNTEER, Membership.Role.CANVASSER], weights=[75, 15, 10]
                )[0]
                membership_status = rng.choices(
                    [Membership.Status.ACTIVE, Membership.Status.REQUESTED, Membership.Status.LEFT], weights=[92, 6, 2]
                )[0]
                if membership_status != Membership.Status.ACTIVE:
                    role = Membership.Role.MEMBER
            regional = None
            if position == 2 and region is not None and region.pk not in regional_organiser_done:
                regional_organiser_done.add(region.pk)
                regional = region
                membership_status = Membership.Status.ACTIVE
            skills = rng.sample(SKILLS, rng.choice([0, 0, 1, 1, 2, 3]))
            specs.append(
                PersonSpec(person, group, regional, role, membership_status, skills, _consents(person, joined, rng))
            )
    return specs


def _wordings() -> dict[str, ConsentWording]:
    found = {}
    for purpose, text in WORDINGS.items():
        wording = ConsentWording.objects.filter(purpose=purpose).order_by("-version").first()
        if wording is None:
            wording = ConsentWording.objects.create(purpose=purpose, version=1, text=text)
        found[purpose] = wording
    return found


@dataclass
class SeedResult:
    groups_created: int
    people_created: int
    memberships_created: int
    consent_events_created: int
    accounts_created: int
    logins: list[str]


def _insert_people(specs: list[PersonSpec]) -> tuple[int, int, int]:
    """Bulk insert the people not yet recorded (by email) with their skills, memberships and consent history."""
    emails = [s.person.email for s in specs]
    existing = set()
    for start in range(0, len(emails), 500):
        existing.update(Person.objects.filter(email__in=emails[start : start + 500]).values_list("email", flat=True))
    new = [s for s in specs if s.person.email not in existing]
    if not new:
        return 0, 0, 0
    people = Person.objects.bulk_create([s.person for s in new], batch_size=500)
    audit_record_many(
        actor=None,
        action="person.create",
        targets=people,
        fields=["first_name", "last_name", "email", "phone", "postcode", "status", "joined_on", "skills", "languages"],
        reason=REASON,
    )

    skill_ids = {}
    for name in SKILLS:
        skill, _ = Skill.objects.get_or_create(name=name)
        skill_ids[name] = skill.pk
    through = Person.skills.through
    through.objects.bulk_create(
        [through(person_id=s.person.pk, skill_id=skill_ids[name]) for s in new for name in s.skills], batch_size=500
    )

    memberships = []
    for s in new:
        decided = _moment(s.person.joined_on, random.Random(s.person.email))
        active = s.membership_status == Membership.Status.ACTIVE
        memberships.append(
            Membership(
                person=s.person,
                group=s.group,
                role=s.role,
                status=s.membership_status,
                decided_at=None if s.membership_status == Membership.Status.REQUESTED else decided,
            )
        )
        if s.region is not None and active:
            memberships.append(
                Membership(
                    person=s.person,
                    group=s.region,
                    role=Membership.Role.ORGANISER,
                    status=Membership.Status.ACTIVE,
                    decided_at=decided,
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=500)
    audit_record_many(
        actor=None, action="membership.create", targets=memberships, fields=["group", "role", "status"], reason=REASON
    )

    wordings = _wordings()
    events = []
    for s in new:
        hashes = {
            Purpose.EMAIL: contact_hash(channel=Channel.EMAIL, value=s.person.email),
            Purpose.SMS: contact_hash(channel=Channel.SMS, value=s.person.phone) if s.person.phone else "",
        }
        hashes[Purpose.PHONE] = hashes[Purpose.SMS]
        for purpose, basis, action, method, occurred_at in s.consents:
            events.append(
                ConsentEvent(
                    person=s.person,
                    purpose=purpose,
                    basis=basis,
                    action=action,
                    method=method,
                    wording=wordings[purpose] if basis == ConsentEvent.Basis.CONSENT else None,
                    occurred_at=occurred_at,
                    contact_hash=hashes.get(purpose, ""),
                )
            )
    ConsentEvent.objects.bulk_create(events, batch_size=500)
    audit_record_many(
        actor=None, action="consent.record", targets=events, fields=["purpose", "basis", "action"], reason=REASON
    )
    return len(people), len(memberships), len(events)


# --- accounts ---------------------------------------------------------------------------------------------------


def _accounts(groups: Groups, password: str) -> tuple[int, list[str]]:
    """The demo accounts (verified email, known password), each linked to a person with their role."""
    from allauth.account.models import EmailAddress

    user_model = get_user_model()
    first_group, second_group = groups.locals[0][0], groups.locals[1][0]
    region = first_group.parent
    created = 0
    lines = []
    for account in DEMO_ACCOUNTS:
        user = user_model.objects.filter(email__iexact=account.email).first()
        if user is None:
            username = account.email.split("@")[0]
            if user_model.objects.filter(username=username).exists():
                username = account.email
            user = user_model.objects.create_user(
                username, account.email, password, first_name=account.first_name, last_name=account.last_name
            )
            created += 1
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=account.email, defaults={"verified": True, "primary": True})
        person = Person.objects.filter(email__iexact=account.email).first()
        if person is None:
            person = Person.objects.create(
                user=user,
                first_name=account.first_name,
                last_name=account.last_name,
                email=account.email,
                status=Person.Status.MEMBER,
                joined_on=JOINED_FROM,
            )
            fields = ["user", "first_name", "last_name", "email", "status", "joined_on"]
            audit_record(actor=None, action="person.create", target=person, fields=fields, reason=REASON)
        elif person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])
        if account.role == "steward":
            row, made = StaffRole.objects.get_or_create(person=person, role=StaffRole.Role.DATA_STEWARD)
            fields = ["role"]
        else:
            group = {"organiser2": second_group, "regional": region}.get(account.role, first_group)
            role = Membership.Role.MEMBER if account.role == "member" else Membership.Role.ORGANISER
            row, made = Membership.objects.get_or_create(
                person=person,
                group=group,
                defaults={"role": role, "status": Membership.Status.ACTIVE, "decided_at": timezone.now()},
            )
            fields = ["group", "role", "status"]
        if made:
            audit_record(actor=None, action=f"{row._meta.model_name}.create", target=row, fields=fields, reason=REASON)
        what = account.description.format(group=first_group.name, group2=second_group.name, region=region.name)
        lines.append(f"{what}: {account.email} / {password}")
    return created, lines


# --- the seed ---------------------------------------------------------------------------------------------------


@transaction.atomic
def seed(*, password: str, seed: int = DEMO_SEED) -> SeedResult:
    """Create the demo groups, people and accounts that are missing; return what was created and the login lines.

    `password` is the demo accounts' password (core.demo keeps one per machine in GROUNDGAME_HOME). Organisers
    and data stewards must set up two-factor authentication at their first login."""
    rng = random.Random(seed)
    boundary_set = _latest_boundary_set()
    seats = _pick_seats(boundary_set)
    if len(seats) < 2:
        raise DemoDataMissing("The demo needs at least two constituencies.")
    groups = _groups(boundary_set, seats)
    specs = _people(groups, rng)
    people, memberships, events = _insert_people(specs)
    accounts, logins = _accounts(groups, password)
    return SeedResult(groups.created, people, memberships, events, accounts, logins)


def seed_demo_lines(*, password: str) -> list[str]:
    """The hook `core.demo.seed_demo` calls: seed, then the lines to print (logins, then what exists)."""
    result = seed(password=password)
    local = LocalGroup.objects.filter(level=LocalGroup.Level.LOCAL).count()
    people = Person.objects.not_erased().count()
    lines = [*result.logins]
    lines.append(f"Demo people: {people:,} in {local} local groups (organisers must set up two-factor sign-in)")
    return lines

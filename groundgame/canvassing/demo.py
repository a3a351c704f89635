"""Demo seed for canvassing: one campaign in a real target seat, with a synthetic register imported through the real
importer. Called by `core.demo.seed_demo` (`groundgame demo`) after the people seed, and only when reference data is
loaded (it needs the seat, its results and its postcode districts).

- The seat: a target seat of the latest election (places targeting) of a local group a demo account organises (the
  organiser's, the second organiser's, then those in the regional organiser's region), so the demo organisers see
  it; failing that, any local group's target seat; failing that, the most marginal target, run by the national
  group.
- The campaign: "<seat>: general election", polling day 2029-05-03, the parties on the ballot being the five with
  most votes there last time; the default survey.
- The register: DEMO_ELECTORS synthetic electors (groundgame.canvassing.synthetic, seed DEMO_SEED) written to a
  temporary CSV in the standard export shape and imported with `register.commit`, supplied "Demo Electoral Services
  (synthetic register)", delete-by 90 days after polling day.
- Register access for the demo member of the host group, so the canvasser's side can be tried too.
- Doorstep records for about a third of the electors over the three months before polling day (seeded), so that
  results, promises and polling day have something to show.

Deterministic and idempotent: a second run finds the campaign (by slug) with its register and adds nothing.
"""

import datetime
import random
import tempfile
import uuid
from pathlib import Path

from django.utils.text import slugify

from groundgame.people.models import LocalGroup, Membership, Person
from groundgame.places.models import ConstituencyResult, Election
from groundgame.places.selectors import NoElectionData, target_seats

from . import register, selectors, services, synthetic
from .models import Campaign, ContactRecord, Elector, RegisterCopy

DEMO_SEED = 2029
DEMO_ELECTORS = 20_000
POLLING_DAY = datetime.date(2029, 5, 3)
ORGANISER_EMAILS = ("organiser@example.org", "organiser2@example.org", "regional@example.org")
MEMBER_EMAIL = "member@example.org"
REASON = "demo seed"


def _demo_groups() -> list[LocalGroup]:
    """Local groups the demo accounts organise, in the order of the accounts: the organiser's, the second
    organiser's, then those of the regional organiser's region."""
    groups: list[LocalGroup] = []
    for email in ORGANISER_EMAILS:
        memberships = Membership.objects.organising().filter(person__email__iexact=email).select_related("group")
        for membership in memberships.order_by("group__level", "group__name"):
            group = membership.group
            below = [group] if group.level == LocalGroup.Level.LOCAL else list(group.children.order_by("name"))
            groups += [g for g in below if g not in groups]
    return groups


def _pick(seats) -> tuple:
    """(constituency id, host group) for the campaign, or (None, None) when there is no target seat."""
    target_ids = [s.constituency_id for s in seats]
    if not target_ids:
        return None, None
    rank = {seat_id: n for n, seat_id in enumerate(target_ids)}
    for group in _demo_groups():
        ids = sorted(group.constituencies.filter(pk__in=target_ids).values_list("pk", flat=True), key=rank.get)
        if ids:
            return ids[0], group
    local = {
        seat_id: group
        for group in LocalGroup.objects.filter(level=LocalGroup.Level.LOCAL, constituencies__in=target_ids).order_by(
            "pk"
        )
        for seat_id in group.constituencies.values_list("pk", flat=True)
    }
    for seat_id in target_ids:
        if seat_id in local:
            return seat_id, local[seat_id]
    national = LocalGroup.objects.filter(level=LocalGroup.Level.NATIONAL).first()
    return (target_ids[0], national) if national else (None, None)


def _parties(seat_id: int, election: Election) -> list[str]:
    result = ConstituencyResult.objects.filter(constituency_id=seat_id, election=election).first()
    if result is None:
        return ["Lab", "Con", "LD", "Green", "RUK"]
    votes = sorted(((v, code) for code, v in result.party_votes.items() if code != "Other" and v), reverse=True)
    return [code for _v, code in votes[:5]]


def seed(*, seed: int = DEMO_SEED, electors: int = DEMO_ELECTORS) -> tuple[Campaign | None, bool]:
    """The demo campaign (created with its register when missing); (None, False) without reference data."""
    try:
        election, seats = target_seats()
    except NoElectionData:
        return None, False
    seat_id, host = _pick(seats)
    if seat_id is None:
        return None, False
    constituency = election.boundary_set.constituencies.get(pk=seat_id)
    slug = slugify(f"{constituency.name} general election 2029")[:80]
    campaign = Campaign.objects.filter(slug=slug).first()
    created = False
    if campaign is None:
        campaign = services.campaign_create(
            acting=None,
            host=host,
            name=f"{constituency.name}: general election",
            slug=slug,
            kind=Campaign.Kind.GENERAL,
            polling_date=POLLING_DAY,
            constituencies=[constituency],
            parties=_parties(seat_id, election),
        )
        created = True
    if not RegisterCopy.objects.filter(campaign=campaign).exists():
        published = datetime.date(2028, 12, 1)
        details = register.CopyDetails(
            supplier="Demo Electoral Services (synthetic register)",
            published_on=published,
            received_on=published + datetime.timedelta(days=3),
            permitted_purpose="Electoral purposes of the campaign (a synthetic register: nobody in it exists).",
            delete_by=POLLING_DAY + datetime.timedelta(days=90),
        )
        with tempfile.TemporaryDirectory(prefix="groundgame-demo-register-") as folder:
            path = Path(folder) / "demo-register.csv"
            synthetic.generate_file(
                path, constituency=constituency, seed=seed, electors=electors, register_date=published
            )
            register.commit(path, campaign=campaign, copy=details, acting=None)
        created = True
    if not ContactRecord.objects.filter(campaign=campaign).exists():
        _seed_contacts(campaign, seed=seed)
        created = True
    member = Person.objects.filter(email__iexact=MEMBER_EMAIL).first()
    if member is not None and Membership.objects.active().filter(person=member, group=campaign.host).exists():
        services.register_access_grant(campaign=campaign, person=member, acting=None, reason=REASON)
    return campaign, created


CANVASSED_SHARE = 0.35  # of electors, reached at the door in the months before polling day


def _seed_contacts(campaign: Campaign, *, seed: int) -> None:
    """What canvassing found before polling day: a record for about a third of the electors, recorded over the
    three months before it, with intentions spread like a marginal seat's (the first party strongest)."""
    rng = random.Random(seed)
    survey = selectors.latest_survey(campaign=campaign) or services.survey_create(campaign=campaign, acting=None)
    parties = [p["code"] for p in campaign.parties] or ["Lab"]
    weights = [5, 4, 2, 1, 1][: len(parties)]
    start = datetime.datetime.combine(POLLING_DAY - datetime.timedelta(days=90), datetime.time(10), tzinfo=datetime.UTC)
    rows = []
    electors = Elector.objects.filter(campaign=campaign).values_list("pk", "address_id", "polling_district_id")
    for elector_id, address_id, district_id in electors.order_by("pk").iterator(5000):
        if rng.random() >= CANVASSED_SHARE:
            continue
        spoke = rng.random() < 0.8
        intention = rng.choices(parties + ["undecided"], weights=[*weights, 3])[0] if spoke else ""
        rows.append(
            ContactRecord(
                id=uuid.UUID(int=rng.getrandbits(128)),
                campaign=campaign,
                address_id=address_id,
                elector_id=elector_id,
                polling_district_id=district_id,
                survey=survey,
                recorded_at=start + datetime.timedelta(minutes=rng.randrange(90 * 24 * 60)),
                outcome="spoke" if spoke else "not_in",
                intention=intention,
                certainty=rng.choice([2, 3, 4, 4, 5, 5]) if intention and intention != "undecided" else None,
            )  # fmt: skip
        )
    ContactRecord.objects.bulk_create(rows, batch_size=2000)


def seed_demo_lines(*, password: str) -> list[str]:
    """The hook `core.demo.seed_demo` calls: seed, then the lines to print."""
    del password  # the demo accounts are the people seed's
    campaign, _created = seed()
    if campaign is None:
        return ["Canvassing demo: skipped (no election results or target seats imported)"]
    electors = Elector.objects.filter(campaign=campaign).on_register().count()
    households = campaign.addresses.count()
    return [
        f"Demo campaign: {campaign.name}, run by {campaign.host.name} (/canvassing/{campaign.slug}/): "
        f"{electors:,} synthetic electors in {households:,} households"
    ]

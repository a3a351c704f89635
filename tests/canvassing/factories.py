"""Factories for canvassing data: a campaign with its register copy, polling districts, households and electors.

Related objects follow the campaign: `ElectorFactory(campaign=c)` puts the elector in c's current register copy and
a polling district of c (made on first use), at a new address of that district. Pass `address=` to add an elector
to an existing household. Every object is small and plausible; nothing here touches the places tables unless asked
(`located=True` on AddressFactory gives a point near Derby).
"""

import datetime
import uuid

import factory
from django.utils import timezone

from groundgame.canvassing.models import (
    Address,
    Campaign,
    ContactRecord,
    Elector,
    PollingDistrict,
    RegisterAccess,
    RegisterCopy,
    Survey,
    WalkList,
    WalkListStop,
)
from tests.people.factories import GroupFactory, PersonFactory

PARTIES = [
    {"code": "Lab", "name": "Labour"},
    {"code": "Con", "name": "Conservative"},
    {"code": "LD", "name": "Liberal Democrat"},
    {"code": "Green", "name": "Green"},
    {"code": "RUK", "name": "Reform UK"},
]

STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue", "Kedleston Road"]


def default_questions(parties: list[dict] | None = None) -> dict:
    """The default survey's questions (as canvassing.services.survey_create builds them), without a database."""
    from groundgame.canvassing.services import default_survey_questions

    return default_survey_questions(parties=PARTIES if parties is None else parties)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Derby North {2029 + n % 3} campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    kind = Campaign.Kind.GENERAL
    polling_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=120))
    host = factory.SubFactory(GroupFactory)
    parties = factory.LazyFunction(lambda: [dict(p) for p in PARTIES])


def current_copy(campaign: Campaign) -> RegisterCopy:
    """The campaign's current register copy, made when it has none."""
    copy = campaign.register_copies.filter(status=RegisterCopy.Status.CURRENT).first()
    return copy or RegisterCopyFactory(campaign=campaign)


def district_of(campaign: Campaign, code: str = "AA1") -> PollingDistrict:
    district, _ = PollingDistrict.objects.get_or_create(campaign=campaign, code=code)
    return district


class RegisterCopyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisterCopy

    campaign = factory.SubFactory(CampaignFactory)
    supplier = "Derby City Council, Electoral Services"
    published_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    received_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))
    permitted_purpose = "Electoral purposes of the campaign: canvassing and get-out-the-vote (RPR 2001 reg. 103)."
    delete_by = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=200))
    file_name = "register.csv"
    status = RegisterCopy.Status.CURRENT


class PollingDistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PollingDistrict
        django_get_or_create = ("campaign", "code")

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"A{chr(65 + n // 9 % 26)}{n % 9 + 1}")
    name = factory.LazyAttribute(lambda d: f"District {d.code}")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    class Params:
        located = factory.Trait(
            latitude=factory.Sequence(lambda n: 52.92 + (n % 100) * 0.0001),
            longitude=factory.Sequence(lambda n: -1.48 + (n % 100) * 0.0001),
            location_quality=Address.LocationQuality.POSTCODE,
        )

    campaign = factory.SubFactory(CampaignFactory)
    polling_district = factory.LazyAttribute(lambda a: district_of(a.campaign))
    register_copy = factory.LazyAttribute(lambda a: current_copy(a.campaign))
    flat = ""
    house_name = ""
    house_number = factory.Sequence(lambda n: n % 200 + 1)
    house_suffix = ""
    street = factory.Sequence(lambda n: STREETS[n // 200 % len(STREETS)])
    town = "Derby"
    postcode = "DE22 1AA"
    key = factory.LazyAttribute(lambda a: f"{a.house_number}{a.house_suffix}|{a.flat}|{a.street}|{a.postcode}".upper())


class ElectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Elector

    campaign = factory.SubFactory(CampaignFactory)
    address = factory.LazyAttribute(lambda e: AddressFactory(campaign=e.campaign))
    polling_district = factory.LazyAttribute(lambda e: e.address.polling_district)
    register_copy = factory.LazyAttribute(lambda e: e.address.register_copy)
    number = factory.Sequence(lambda n: n + 1)
    suffix = 0
    title = ""
    first_names = factory.Faker("first_name", locale="en_GB")
    surname = factory.Faker("last_name", locale="en_GB")


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey
        django_get_or_create = ("campaign", "version")

    campaign = factory.SubFactory(CampaignFactory)
    version = 1
    questions = factory.LazyAttribute(lambda s: default_questions(s.campaign.parties))


class RegisterAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisterAccess

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)


class WalkListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WalkList

    campaign = factory.SubFactory(CampaignFactory)
    polling_district = factory.LazyAttribute(lambda w: district_of(w.campaign))
    name = factory.Sequence(lambda n: f"Walk {n}")
    status = WalkList.Status.READY


class WalkListStopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WalkListStop

    walk_list = factory.SubFactory(WalkListFactory)
    address = factory.LazyAttribute(
        lambda s: AddressFactory(campaign=s.walk_list.campaign, polling_district=s.walk_list.polling_district)
    )
    position = factory.Sequence(lambda n: n + 1)


class ContactRecordFactory(factory.django.DjangoModelFactory):
    """A doorstep record. Give `elector=` (its address and district follow) or `address=` (a door, nobody named);
    `campaign=` alone gives a record with no register links (as after the register copy was deleted)."""

    class Meta:
        model = ContactRecord

    id = factory.LazyFunction(uuid.uuid4)
    campaign = factory.LazyAttribute(
        lambda r: r.elector.campaign if r.elector else r.address.campaign if r.address else CampaignFactory()
    )
    elector = None
    address = factory.LazyAttribute(lambda r: r.elector.address if r.elector else None)
    polling_district = factory.LazyAttribute(
        lambda r: r.elector.polling_district if r.elector else r.address.polling_district if r.address else None
    )
    survey = factory.LazyAttribute(lambda r: SurveyFactory(campaign=r.campaign))
    recorded_at = factory.LazyFunction(timezone.now)
    outcome = ContactRecord.Outcome.SPOKE
    intention = "Lab"
    certainty = 4


def campaign_with_electors(electors: int = 3, **campaign_fields) -> Campaign:
    """A campaign, its current register copy and `electors` electors in one polling district (two per household)."""
    campaign = CampaignFactory(**campaign_fields)
    address = None
    for i in range(electors):
        if i % 2 == 0:
            address = AddressFactory(campaign=campaign)
        ElectorFactory(campaign=campaign, address=address)
    return campaign


# --- places for register tests ----------------------------------------------------------------------------------

SEAT_POSTCODES = {
    "DE22 1AA": (52.930851, -1.484258),
    "DE22 1AE": (52.932776, -1.484473),
    "DE22 1AF": (52.934322, -1.48444),
    "DE22 1AG": (52.936078, -1.485312),
}
SEAT_DISTRICTS = {"DE22": (52.93427, -1.49863), "DE21": (52.9412, -1.4302), "DE3": (52.9105, -1.5432)}


def make_seat(code: str = "E14000662", name: str = "Derby North"):
    """A constituency with a centroid and a square boundary around Derby, three real postcode districts (centroids)
    and four real full postcodes placed in it: enough for the synthetic register and the importer's locating. When
    the real reference data is loaded (`reference_db`), its rows are used as they are."""
    from groundgame.places.models import BoundarySet, Constituency, Postcode, PostcodeDistrict, PostcodePlacement

    boundaries, _ = BoundarySet.objects.get_or_create(
        slug="2010", defaults={"name": "2010 boundaries", "first_used": datetime.date(2010, 5, 6)}
    )
    square = {
        "type": "Polygon",
        "coordinates": [[[-1.60, 52.88], [-1.38, 52.88], [-1.38, 52.99], [-1.60, 52.99], [-1.60, 52.88]]],
    }
    seat, _ = Constituency.objects.get_or_create(
        boundary_set=boundaries,
        code=code,
        defaults={"name": name, "nation": "E", "centroid_lat": 52.94, "centroid_lon": -1.49, "boundary": square},
    )
    for outcode, (lat, lon) in SEAT_DISTRICTS.items():
        PostcodeDistrict.objects.get_or_create(outcode=outcode, defaults={"latitude": lat, "longitude": lon})
    for text, (lat, lon) in SEAT_POSTCODES.items():
        postcode, _ = Postcode.objects.get_or_create(
            postcode=text, defaults={"outcode": text.split()[0], "latitude": lat, "longitude": lon}
        )
        if not PostcodePlacement.objects.filter(postcode=postcode, boundary_set=boundaries).exists():
            PostcodePlacement.objects.create(postcode=postcode, boundary_set=boundaries, constituency=seat)
    return seat


def register_file(path, rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8"):
    """Write a register CSV in the standard export shape (synthetic.HEADER unless `header` is given)."""
    import csv

    from groundgame.canvassing.synthetic import HEADER

    with open(path, "w", newline="", encoding=encoding) as out:
        writer = csv.writer(out)
        writer.writerow(header or HEADER)
        writer.writerows(rows)
    return path


def register_row(
    district="AA1",
    number=1,
    suffix="0",
    markers="",
    dob="",
    title="",
    surname="Smith",
    forename="Jo",
    middle="",
    postcode="DE22 1AA",
    lines=None,
) -> list[str]:
    """One row of the standard export shape; `lines` are Address1.. (default "<number> High Street", "Derby")."""
    lines = list(lines) if lines is not None else [f"{number} High Street", "Derby"]
    return [district, str(number), str(suffix), markers, dob, title, surname, forename, middle, postcode,
            *(lines + [""] * 6)[:6]]  # fmt: skip

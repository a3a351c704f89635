"""Finding events: by distance from a postcode, in a target seat, by kind and date; only what the asker may see."""

import datetime
import math

import pytest
from django.contrib.auth.models import AnonymousUser

from groundgame.events import selectors
from groundgame.events.models import Event
from groundgame.events.querysets import bounding_box
from groundgame.places.geometry import EARTH_RADIUS_KM, haversine_km
from groundgame.places.postcodes import InvalidPostcode
from groundgame.places.selectors import UnknownPostcode
from tests.people.factories import GroupFactory, MembershipFactory, PersonWithUserFactory, organiser_of

from .factories import PLACES, EventFactory, in_days, make_seat

pytestmark = pytest.mark.django_db


def at(postcode: str, **values) -> Event:
    lat, lon = PLACES[postcode]
    return EventFactory(venue_postcode=postcode, latitude=lat, longitude=lon, **values)


def test_near_keeps_events_within_the_distance_nearest_first_within_half_a_percent_of_the_great_circle():
    derby, centre, nottingham, manchester = (at(p) for p in ("DE22 1AA", "DE1 1AA", "NG1 1AA", "M1 1AA"))
    lat, lon = PLACES["DE1 1AA"]

    found = list(Event.objects.near(lat, lon, km=30))

    assert found == [centre, derby, nottingham]
    for event in found:
        assert event.distance_km == pytest.approx(haversine_km(lat, lon, event.latitude, event.longitude), rel=0.005)
    assert manchester not in Event.objects.near(lat, lon, km=60)
    assert manchester in Event.objects.near(lat, lon, km=100)


def destination(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point `km` from (lat, lon) along the great circle leaving at `bearing` degrees."""
    d, b = km / EARTH_RADIUS_KM, math.radians(bearing)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


@pytest.mark.parametrize(("lat", "lon"), [(50.1, -5.5), (52.9, -1.5), (58.6, -3.1)])
def test_the_planar_distance_is_within_half_a_percent_of_the_great_circle_up_to_100_km(lat, lon):
    from groundgame.events.querysets import KM_PER_DEGREE

    for bearing in range(0, 360, 15):
        for km in (1, 10, 30, 100):
            lat2, lon2 = destination(lat, lon, km, bearing)
            planar = math.hypot(
                (lon2 - lon) * KM_PER_DEGREE * math.cos(math.radians(lat)), (lat2 - lat) * KM_PER_DEGREE
            )
            assert planar == pytest.approx(km, rel=0.005), (bearing, km)


@pytest.mark.parametrize(("lat", "km"), [(50.1, 30), (58.6, 50), (60.8, 200)])
def test_the_bounding_box_holds_the_whole_circle(lat, km):
    south, north, west, east = bounding_box(lat, -3.0, km)
    for bearing in range(360):
        p, q = destination(lat, -3.0, km * 0.9999, bearing)
        assert south <= p <= north and west <= q <= east, bearing


def test_online_events_have_no_place_and_are_never_near_anything():
    EventFactory(venue_postcode="", latitude=None, longitude=None, online_url="https://meet.example/a")
    assert not Event.objects.near(*PLACES["DE22 1AA"], km=1000).exists()


def test_upcoming_includes_events_under_way_and_leaves_out_finished_ones_soonest_first():
    later = EventFactory(starts_at=in_days(9))
    soon = EventFactory(starts_at=in_days(2))
    under_way = EventFactory(starts_at=in_days(0) - datetime.timedelta(hours=1))
    EventFactory(starts_at=in_days(-3))

    assert list(Event.objects.upcoming()) == [under_way, soon, later]


def test_public_is_approved_and_open_to_everyone():
    public = EventFactory()
    EventFactory(visibility=Event.Visibility.MEMBERS)
    EventFactory(status=Event.Status.PROPOSED, approved_at=None)

    assert list(Event.objects.public()) == [public]


def test_in_seat_and_campaign_sessions():
    seat, other = make_seat(), make_seat("Derby South", "E14000664")
    session = EventFactory(target_seat=seat)
    phone_bank = EventFactory(target_seat=seat, kind=Event.Kind.PHONE_BANK)
    EventFactory(target_seat=seat, kind=Event.Kind.SOCIAL)
    EventFactory(target_seat=other)

    assert set(Event.objects.in_seat(seat).campaign_sessions()) == {session, phone_bank}


def test_events_near_a_postcode_for_the_public_and_for_a_member(places):
    public = at("NG1 1AA")
    members_only = at("DE1 1AA", visibility=Event.Visibility.MEMBERS)
    at("DE22 1AA", status=Event.Status.PROPOSED, approved_at=None)
    at("DE22 1AA", starts_at=in_days(-5))
    at("M1 1AA")

    anonymous = selectors.events_near_postcode(postcode="de22 1aa", user=AnonymousUser())
    member = selectors.events_near_postcode(postcode="DE22 1AA", user=MembershipFactory().person.user)

    assert anonymous.location.postcode == "DE22 1AA"
    assert anonymous.events == [public]
    assert member.events == [members_only, public]
    assert member.events[1].distance_km == pytest.approx(21.3, abs=0.5)


def test_events_near_a_district_filter_by_kind(places):
    canvass = at("DE1 1AA")
    at("DE22 1AA", kind=Event.Kind.RALLY)

    found = selectors.events_near_postcode(postcode="DE1", kinds=(Event.Kind.CANVASSING,))

    assert found.location.precision == "district" and found.events == [canvass]


def test_a_bad_postcode_is_left_to_the_caller_to_explain(places):
    with pytest.raises(InvalidPostcode):
        selectors.events_near_postcode(postcode="hello")
    with pytest.raises(UnknownPostcode):
        selectors.events_near_postcode(postcode="BX1 1LT")


def test_sessions_in_a_seat_are_upcoming_approved_campaign_sessions():
    seat = make_seat()
    session = EventFactory(target_seat=seat)
    EventFactory(target_seat=seat, status=Event.Status.CANCELLED, cancelled_at=in_days(0))
    EventFactory(target_seat=seat, starts_at=in_days(-2))
    EventFactory(target_seat=seat, kind=Event.Kind.FESTIVAL)

    assert list(selectors.sessions_in_seat(constituency=seat)) == [session]


def test_what_each_user_may_see_matches_the_view_rule():
    host = GroupFactory()
    organiser = organiser_of(host).user
    proposer = PersonWithUserFactory()
    events = [
        EventFactory(host=host),
        EventFactory(host=host, visibility=Event.Visibility.MEMBERS),
        EventFactory(host=host, status=Event.Status.PROPOSED, approved_at=None, proposed_by=proposer),
        EventFactory(status=Event.Status.PROPOSED, approved_at=None),
        EventFactory(status=Event.Status.CANCELLED, cancelled_at=in_days(0)),
    ]
    users = [AnonymousUser(), PersonWithUserFactory().user, MembershipFactory().person.user, organiser, proposer.user]

    for user in users:
        visible = set(selectors.events_visible_to(user=user))
        assert visible == {e for e in events if user.has_perm("events.view_event", e)}, user


def test_the_approval_queue_holds_proposals_of_groups_the_user_organises():
    mine = EventFactory(status=Event.Status.PROPOSED, approved_at=None)
    EventFactory(status=Event.Status.PROPOSED, approved_at=None)
    EventFactory(host=mine.host)

    assert list(selectors.proposals_to_approve(user=organiser_of(mine.host).user)) == [mine]


def test_a_share_link_opens_only_an_event_the_user_may_see():
    public, private = EventFactory(), EventFactory(visibility=Event.Visibility.MEMBERS)

    assert selectors.event_for(user=None, uuid=str(public.uuid)) == public
    assert selectors.event_for(user=None, uuid=private.uuid) is None
    assert selectors.event_for(user=None, uuid="not-a-uuid") is None

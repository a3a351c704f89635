"""iCalendar output parses with the icalendar library and carries Europe/London times that stay right across the
clocks going back (BST to GMT on 25 October 2026)."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from groundgame.events import ical, selectors
from groundgame.events.models import Event
from tests.people.factories import GroupFactory

from .factories import EventFactory, in_days

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def evening(day: int) -> datetime.datetime:
    """18:00 London time on `day` October 2026, as stored (UTC)."""
    return datetime.datetime(2026, 10, day, 18, 0, tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def across_the_change():
    group = GroupFactory(name="Derby")
    before = EventFactory(
        host=group, title="Phone bank (BST)", starts_at=evening(24), ends_at=evening(24) + datetime.timedelta(hours=2)
    )
    after = EventFactory(
        host=group, title="Phone bank (GMT)", starts_at=evening(31), ends_at=evening(31) + datetime.timedelta(hours=2)
    )
    return group, before, after


def vevents(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_stored_times_are_utc_and_differ_by_the_clock_change(across_the_change):
    _, before, after = across_the_change
    before.refresh_from_db()
    after.refresh_from_db()

    assert before.starts_at == datetime.datetime(2026, 10, 24, 17, 0, tzinfo=UTC)  # 18:00 BST
    assert after.starts_at == datetime.datetime(2026, 10, 31, 18, 0, tzinfo=UTC)  # 18:00 GMT
    assert before.local_starts_at.hour == after.local_starts_at.hour == 18


def test_a_feed_of_events_either_side_of_the_clock_change_shows_both_at_six_in_the_evening(across_the_change):
    _, before, after = across_the_change

    data = ical.events_calendar([before, after], name="Derby")

    text = data.decode()
    assert "DTSTART;TZID=Europe/London:20261024T180000" in text
    assert "DTSTART;TZID=Europe/London:20261031T180000" in text
    calendar = icalendar.Calendar.from_ical(data)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    assert {str(part.name) for part in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    parsed = vevents(data)
    bst, gmt = parsed["Phone bank (BST)"], parsed["Phone bank (GMT)"]
    assert bst.start.astimezone(UTC) == datetime.datetime(2026, 10, 24, 17, 0, tzinfo=UTC)
    assert gmt.start.astimezone(UTC) == datetime.datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
    assert bst.start.utcoffset() == datetime.timedelta(hours=1) and gmt.start.utcoffset() == datetime.timedelta(0)
    assert bst.end - bst.start == datetime.timedelta(hours=2)


def test_the_vtimezone_alone_gives_the_right_offsets_either_side_of_the_change(across_the_change):
    """A calendar app that knows nothing of Europe/London has only the VTIMEZONE: its rules must give +01:00 before
    the last Sunday of October and +00:00 after."""
    _, before, after = across_the_change
    calendar = icalendar.Calendar.from_ical(ical.events_calendar([before, after]))
    (zone,) = calendar.walk("VTIMEZONE")
    tz = zone.to_tz()

    assert datetime.datetime(2026, 10, 24, 18, 0, tzinfo=tz).utcoffset() == datetime.timedelta(hours=1)
    assert datetime.datetime(2026, 10, 31, 18, 0, tzinfo=tz).utcoffset() == datetime.timedelta(0)


def test_one_event_carries_its_place_status_link_and_no_organiser_details(across_the_change):
    _, before, _ = across_the_change
    before.description = "Calling voters in Derby North."
    before.accessibility = "Step-free access"

    data = ical.event_calendar(before, url="https://example.org/events/x/")

    event = vevents(data)["Phone bank (BST)"]
    assert str(event["UID"]) == f"event-{before.uuid}@groundgame"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Community centre, DE22 1AA"
    assert event["GEO"].latitude == pytest.approx(before.latitude)
    assert str(event["URL"]) == "https://example.org/events/x/"
    assert "Step-free access" in str(event["DESCRIPTION"])
    assert "ORGANIZER" not in event and "ATTENDEE" not in event


def test_a_cancelled_event_is_marked_cancelled():
    event = EventFactory(status=Event.Status.CANCELLED, cancelled_at=in_days(0))
    assert str(next(iter(vevents(ical.event_calendar(event)).values()))["STATUS"]) == "CANCELLED"


def test_a_groups_feed_lists_its_upcoming_public_events_and_those_of_groups_below_it():
    region = GroupFactory(level="regional")
    local = GroupFactory(parent=region)
    mine = EventFactory(host=region, title="Regional rally")
    below = EventFactory(host=local, title="Local canvass")
    EventFactory(host=local, title="Members' meeting", visibility=Event.Visibility.MEMBERS)
    EventFactory(host=region, title="Last month", starts_at=in_days(-30))
    EventFactory(title="Elsewhere")

    events = selectors.group_calendar_events(group=region)
    data = ical.events_calendar(events, name=region.name)

    assert set(events) == {mine, below}
    assert set(vevents(data)) == {"Regional rally", "Local canvass"}
    assert str(icalendar.Calendar.from_ical(data)["X-WR-CALNAME"]) == region.name


def test_an_empty_feed_is_still_a_valid_calendar():
    calendar = icalendar.Calendar.from_ical(ical.events_calendar([], name="Quiet group"))
    assert calendar.walk("VEVENT") == [] and str(calendar["VERSION"]) == "2.0"

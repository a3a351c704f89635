"""iCalendar (RFC 5545) for one event or a list of them (a group's feed), with the `icalendar` library.

Times are written in local time with TZID=Europe/London and the calendar carries that zone's VTIMEZONE (its BST and
GMT rules over the years the events span), so a calendar app shows 18:00 for an 18:00 event on either side of the
clocks changing. Feeds are public (calendar apps cannot sign in): they hold what the event's public page shows and
never the organiser contact's details. Choosing which events go in is the selectors' job.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

import icalendar

from .models import Event

TZID = "Europe/London"
LONDON = ZoneInfo(TZID)
PRODID = "-//Groundgame//Events//EN"
STATUS = {
    Event.Status.APPROVED: "CONFIRMED",
    Event.Status.PROPOSED: "TENTATIVE",
    Event.Status.CANCELLED: "CANCELLED",
}

UrlFor = Callable[[Event], str]


@functools.lru_cache(maxsize=32)
def _vtimezone(first_year: int, last_year: int) -> icalendar.Timezone:
    """Europe/London's rules from the start of `first_year` to the end of `last_year` (cached: it takes a while)."""
    return icalendar.Timezone.from_tzid(
        TZID, first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(last_year + 1, 1, 1)
    )


def _location(event: Event) -> str:
    parts = [event.venue_name, event.venue_address, event.venue_postcode]
    return ", ".join(part for part in parts if part) or event.online_url


def _description(event: Event, url: str) -> str:
    parts = [event.description.strip()]
    if event.accessibility.strip():
        parts.append(f"Accessibility: {event.accessibility.strip()}")
    if event.online_url:
        parts.append(f"Online: {event.online_url}")
    if url:
        parts.append(url)
    return "\n\n".join(part for part in parts if part)


def _vevent(event: Event, *, url: str, stamp: datetime.datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event.uuid}@groundgame")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.starts_at.astimezone(LONDON))
    vevent.add("dtend", event.ends_at.astimezone(LONDON))
    vevent.add("summary", event.title)
    vevent.add("status", STATUS[event.status])
    vevent.add("categories", [event.get_kind_display()])
    description = _description(event, url)
    if description:
        vevent.add("description", description)
    location = _location(event)
    if location:
        vevent.add("location", location)
    if event.latitude is not None:
        vevent.add("geo", (event.latitude, event.longitude))
    if url:
        vevent.add("url", url)
    return vevent


def events_calendar(events: Iterable[Event], *, name: str = "", url_for: UrlFor | None = None) -> bytes:
    """A calendar of `events` (a group's feed, say), named `name` in calendar apps. `url_for(event)` gives each
    event's share link, when there is one."""
    events = list(events)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    if events:
        years = [moment.astimezone(LONDON).year for event in events for moment in (event.starts_at, event.ends_at)]
        calendar.add_component(_vtimezone(min(years), max(years)))
    stamp = datetime.datetime.now(datetime.UTC)
    for event in events:
        calendar.add_component(_vevent(event, url=url_for(event) if url_for else "", stamp=stamp))
    return calendar.to_ical()


def event_calendar(event: Event, *, url: str = "") -> bytes:
    """A calendar holding one event (the "add to calendar" download)."""
    return events_calendar([event], name=event.title, url_for=(lambda _event: url) if url else None)

"""Organising events in a real browser (real reference data for postcodes and seats).

- On a phone at the door: the organiser opens an attendee's QR check-in link (as the phone's camera would), signs in
  (password, then the authenticator app's code), and taps Check in; then checks the next person in from the list,
  where htmx swaps the row without reloading the page.
- On a laptop: a member proposes an event to their group; the organiser creates an event of their own, then approves
  the member's proposal from the queue.

Like test_groups.py these write, so they use its committed-rows helpers; the events and people they make are deleted
afterwards. Screenshots of the dashboard and an event's management page (1280x800) and of the check-in page
(390x844) go to the screenshot folder, or to EVENTS_ORGANISER_SHOTS when it is set:
    EVENTS_ORGANISER_SHOTS=/tmp/events-organiser-shots GROUNDGAME_DATA_DIR=../shared/data \\
        pytest tests/browser/test_events_organiser.py
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from groundgame.events import organiser_selectors, tokens
from groundgame.events.models import Event, LiftOffer, LiftRequest, Rsvp, Shift
from groundgame.people.models import Membership, Person

from . import test_groups
from .conftest import LAPTOP, PHONE
from .test_groups import sign_in

pytestmark = pytest.mark.browser

# test_groups.py's fixtures for tests that write: committed rows, no transaction around the test, fresh pages.
db = test_groups.db
committed = test_groups.committed
new_page = test_groups.new_page

NAMES = [
    ("Nadia", "Okafor"),
    ("Tom", "Hughes"),
    ("Aisha", "Begum"),
    ("Rhys", "Evans"),
    ("Grace", "Mensah"),
    ("Kieran", "Doyle"),
    ("Lucy", "Chen"),
    ("Sam", "Patel"),
    ("Ellie", "Ward"),
    ("Femi", "Adebayo"),
    ("Joe", "Murphy"),
    ("Hana", "Novak"),
]


@pytest.fixture
def shots(screenshot_dir) -> Path:
    folder = os.environ.get("EVENTS_ORGANISER_SHOTS")
    if not folder:
        return screenshot_dir
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


class Events:
    """Events and the people booked on them, committed for the live server; `remove()` deletes them."""

    def __init__(self, committed):
        self.committed = committed
        self.people: list[Person] = []

    def person(self, first: str, last: str) -> Person:
        person = Person.objects.create(
            first_name=first, last_name=last, email=f"{first}.{last}.browser@example.org".lower()
        )
        self.people.append(person)
        return person

    def event(self, group, **values) -> Event:
        now = timezone.now()
        values = {
            "kind": Event.Kind.CANVASSING,
            "status": Event.Status.APPROVED,
            "approved_at": now,
            "venue_name": "Allenton library",
            "venue_postcode": "DE22 1AA",
            "latitude": 52.9,
            "longitude": -1.47,
        } | values
        return Event.objects.create(host=group, **values)

    def book(self, event, names, shift=None, **values) -> list[Rsvp]:
        return [
            Rsvp.objects.create(event=event, shift=shift, person=self.person(*name), status="confirmed", **values)
            for name in names
        ]

    def remove(self) -> None:
        groups = self.committed.groups
        LiftRequest.objects.filter(event__host__in=groups).delete()
        Event.objects.filter(host__in=groups).delete()  # shifts, bookings and lift offers go with them
        Person.objects.filter(pk__in=[p.pk for p in self.people]).delete()


@pytest.fixture
def events(committed):
    rows = Events(committed)
    try:
        yield rows
    finally:
        rows.remove()


def derby_north():
    return organiser_selectors.current_seats().filter(name="Derby North").first()


def at(days: float, hour: int, minute: int = 0) -> datetime.datetime:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)


def test_an_organiser_checks_people_in_at_the_door_on_a_phone(
    committed, events, new_page, shots, assert_no_sideways_scroll
):
    derby = committed.group(name="Derby", slug="derby-events-browser")
    organiser = committed.organiser(derby, first_name="Olu", last_name="Adeyemi")
    now = timezone.now()
    event = events.event(
        derby,
        title="Saturday doors in Allenton",
        starts_at=now + datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=3),
        target_seat=derby_north(),
    )
    nadia, tom, *_rest = events.book(event, NAMES[:5])
    qr_path = reverse("events:check_in", args=[tokens.rsvp_token(nadia, tokens.CHECK_IN)])

    page = new_page(**PHONE)
    sign_in(page, organiser, qr_path)  # the camera opened the QR link; signing in comes back to it
    card = page.get_by_test_id("check-in-card")
    assert "Nadia Okafor" in card.get_by_role("heading", level=1).inner_text()
    button = page.get_by_role("button", name="Check in")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, "a big target for a thumb"
    assert_no_sideways_scroll(page)
    page.screenshot(path=shots / "check-in-phone.png", animations="disabled", caret="hide")

    button.click()
    page.wait_for_url(re.compile(re.escape(qr_path) + "$"))
    assert "Checked in at" in page.get_by_role("status").inner_text()
    nadia.refresh_from_db()
    assert nadia.checked_in_at is not None and nadia.attendance == Rsvp.Attendance.ATTENDED
    page.screenshot(path=shots / "check-in-done-phone.png", animations="disabled", caret="hide")

    page.get_by_role("link", name="Check-in list").click()
    page.wait_for_url(f"**{reverse('events:organise_check_in_list', args=[event.uuid])}")
    assert "1 of 5 checked in" in page.get_by_test_id("checked-in-count").inner_text()
    tom_button = page.get_by_role("button", name="Check in Tom Hughes")
    assert tom_button.bounding_box()["height"] >= 44
    assert_no_sideways_scroll(page)
    page.screenshot(path=shots / "check-in-list-phone.png", full_page=True, animations="disabled", caret="hide")
    url_before = page.url
    tom_button.click()
    page.locator(f"#check-in-{tom.pk}").get_by_text("Checked in").wait_for()
    assert page.url == url_before, "htmx swapped the row; the page did not reload"
    tom.refresh_from_db()
    assert tom.checked_in_at is not None


def test_an_organiser_creates_an_event_and_approves_a_members_proposal_on_a_laptop(
    committed, events, new_page, shots, assert_no_sideways_scroll
):
    derby = committed.group(name="Derby", slug="derby-events-browser")
    organiser = committed.organiser(derby, first_name="Olu", last_name="Adeyemi")
    member = committed.person(first_name="Priya", last_name="Patel")
    Membership.objects.create(person=member, group=derby, status="active")
    seat = derby_north()
    _dashboard_data(events, derby, seat)

    # The member proposes an event to the group.
    page = new_page(**LAPTOP)
    sign_in(page, member, "/events/organise/propose/")
    page.get_by_label("Kind of event").select_option(label="Social or gig")
    page.get_by_label("Title").fill("Quiz night at the Brunswick")
    page.get_by_label("Starts").fill(at(20, 19).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill(at(20, 22).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Venue (optional)", exact=True).fill("The Brunswick")
    page.get_by_label("Venue postcode").fill("de1 1aa")
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_load_state()
    proposal = Event.objects.get(title="Quiz night at the Brunswick")
    assert proposal.status == Event.Status.PROPOSED and proposal.proposed_by == member

    # The organiser creates an event: a bad end time first, shown on its field.
    page = new_page(**LAPTOP)
    sign_in(page, organiser, "/events/organise/new/")
    page.get_by_label("Kind of event").select_option(label="Canvassing session")
    page.get_by_label("Title").fill("Doors in Mackworth")
    page.get_by_label("Starts").fill(at(9, 10).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill(at(9, 9).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Venue postcode").fill("DE22 1AA")
    if seat is not None:
        page.get_by_label("Target seat").select_option(label=seat.name)
    page.get_by_label("Places").fill("15")
    page.get_by_role("button", name="Create event").click()
    assert "It must end after it starts." in page.locator(".field-error").first.inner_text()
    page.screenshot(path=shots / "event-form-errors-laptop.png", full_page=True, animations="disabled", caret="hide")
    page.get_by_label("Ends").fill(at(9, 13).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Create event").click()
    page.wait_for_url(re.compile(r"/events/organise/[0-9a-f-]{36}/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Doors in Mackworth")
    created = Event.objects.get(title="Doors in Mackworth")
    assert created.status == Event.Status.APPROVED and created.capacity == 15
    assert timezone.localtime(created.starts_at).hour == 10

    # ... and approves the member's proposal from the queue.
    page.goto("/events/organise/")
    assert_no_sideways_scroll(page)
    page.screenshot(path=shots / "organiser-dashboard-laptop.png", animations="disabled", caret="hide")
    page.screenshot(
        path=shots / "organiser-dashboard-laptop-full.png", full_page=True, animations="disabled", caret="hide"
    )
    page.get_by_role("link", name=re.compile("proposals? to approve")).click()
    page.wait_for_url("**/events/organise/proposals/")
    assert "Priya Patel" in page.get_by_test_id("proposals").inner_text()
    page.get_by_role("button", name="Approve Quiz night at the Brunswick").click()
    page.wait_for_url("**/events/organise/proposals/")
    assert "is open for bookings" in page.locator("main").inner_text()
    proposal.refresh_from_db()
    assert proposal.status == Event.Status.APPROVED

    busy = Event.objects.get(title="Saturday doors in Allenton")
    page.goto(reverse("events:organise_event", args=[busy.uuid]))
    assert_no_sideways_scroll(page)
    page.screenshot(path=shots / "organiser-event-laptop.png", animations="disabled", caret="hide")
    page.screenshot(path=shots / "organiser-event-laptop-full.png", full_page=True, animations="disabled", caret="hide")

    # After an event: mark who came (htmx swaps the row), then record the rest as no-shows.
    past = Event.objects.get(title="Doors in Darley Abbey")
    page.goto(reverse("events:organise_event", args=[past.uuid]))
    page.get_by_role("button", name="Nell Hart came").click()
    page.get_by_role("button", name="Nell Hart came").and_(page.locator("[aria-pressed=true]")).wait_for()
    page.screenshot(path=shots / "organiser-past-event-laptop.png", full_page=True, animations="disabled", caret="hide")
    page.get_by_role("button", name="Record no-shows").click()
    page.wait_for_load_state()
    assert "1 no-show recorded." in page.locator("main").inner_text()
    attendance = dict(Rsvp.objects.filter(event=past).values_list("person__first_name", "attendance"))
    assert (attendance["Nell"], attendance["Alf"], attendance["Dan"]) == ("attended", "no_show", "no_show")


def _dashboard_data(events: Events, group, seat) -> None:
    """A plausible few weeks for the dashboard: sessions ahead with bookings, a waiting list and a lift; a past
    session with attendance recorded; a phone bank with shifts."""
    soon = events.event(
        group,
        title="Saturday doors in Allenton",
        starts_at=at(3, 10),
        ends_at=at(3, 13),
        capacity=10,
        target_seat=seat,
    )
    booked = events.book(soon, NAMES[:10])
    for name in NAMES[10:]:
        Rsvp.objects.create(event=soon, person=events.person(*name), status="waitlisted")
    driver, rider = booked[0].person, booked[1].person
    offer = LiftOffer.objects.create(event=soon, driver=driver, pickup_postcode="DE1 1AA", seats=3, seats_taken=1)
    LiftRequest.objects.create(
        event=soon, rider=rider, offer=offer, status="confirmed", matched_at=timezone.now(), confirmed_at=timezone.now()
    )
    phones = events.event(
        group,
        kind=Event.Kind.PHONE_BANK,
        title="Phone bank for Derby North",
        starts_at=at(5, 18),
        ends_at=at(5, 21),
        target_seat=seat,
    )
    early = Shift.objects.create(event=phones, label="Early", starts_at=at(5, 18), ends_at=at(5, 19, 30), capacity=6)
    Shift.objects.create(event=phones, label="Late", starts_at=at(5, 19, 30), ends_at=at(5, 21), capacity=6)
    events.book(phones, [("Maya", "Singh"), ("Owen", "Price")], shift=early)
    past = events.event(
        group, title="Doors in Darley Abbey", starts_at=at(-6, 10), ends_at=at(-6, 13), target_seat=seat
    )
    events.book(past, [("Iris", "Kaur"), ("Ben", "Lowe"), ("Zara", "Ali")], attendance="attended")
    events.book(past, [("Dan", "Reid")], attendance="no_show")
    events.book(past, [("Nell", "Hart"), ("Alf", "Moss")])  # attendance not recorded yet

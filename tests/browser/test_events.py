"""Events in a real browser, at phone size: from a postcode, find a campaign session in a target seat on the "Find
where you're needed" page, book it as a guest, get the confirmation email, open its link and see the check-in QR code.
Then the same pages on a laptop, for the screenshots.

Like test_groups.py this test writes (the events it needs, and the guest's booking, made by the live server): its
rows are committed, since the live server reads committed data only, and removed afterwards.

Refresh the screenshots with:
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser/test_events.py
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from groundgame.core.models import MessageDelivery
from groundgame.events.models import Event, Rsvp
from groundgame.people.models import ConsentEvent, ConsentWording, Person, Purpose
from groundgame.places.models import Constituency
from groundgame.places.selectors import nearest_targets
from tests.events.factories import PLACES, EventFactory, ShiftFactory

from .conftest import LAPTOP, PHONE
from .test_groups import committed, db, new_page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

GUESTS = ("robin.ashe.events@example.org", "sam.okafor.events@example.org")


def local(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """`days` from today at hour:minute, London time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def sessions(committed):  # noqa: F811
    """A canvassing session with two shifts in the nearest target seat to DE22 1AA, a phone bank for the same seat,
    and a rally in Nottingham; and the email consent wording. Removed afterwards with whatever was booked."""
    seat_row = nearest_targets(postcode="DE22 1AA", limit=10).targets[0]
    seat = Constituency.objects.get(pk=seat_row.seat.constituency_id)
    group = committed.group(name="Derby", slug="derby-events-browser")
    wording, made_wording = ConsentWording.objects.get_or_create(
        purpose=Purpose.EMAIL, version=1, defaults={"text": "Yes, email me news and campaign updates."}
    )
    lat, lon = PLACES["DE22 1AA"]
    doors = EventFactory(
        host=group,
        title=f"Doors in {seat.name}",
        description="Knock on doors with us: training at the start, and tea after. No experience needed.",
        target_seat=seat,
        starts_at=local(4, 10),
        ends_at=local(4, 16, 30),
        venue_name="Allenton Community Centre",
        venue_address="Osmaston Road",
        venue_postcode="DE22 1AA",
        latitude=lat,
        longitude=lon,
        accessibility="Step-free entrance and an accessible toilet. Routes for every pace.",
    )
    ShiftFactory(event=doors, label="Morning", starts_at=local(4, 10), ends_at=local(4, 13), capacity=12)
    ShiftFactory(event=doors, label="Afternoon", starts_at=local(4, 13, 30), ends_at=local(4, 16, 30), capacity=12)
    EventFactory(
        host=group,
        kind=Event.Kind.PHONE_BANK,
        title=f"Phone bank for {seat.name}",
        target_seat=seat,
        starts_at=local(6, 18),
        ends_at=local(6, 20),
        venue_name="Derby office",
        venue_postcode="DE1 1AA",
        latitude=PLACES["DE1 1AA"][0],
        longitude=PLACES["DE1 1AA"][1],
        capacity=20,
    )
    nlat, nlon = PLACES["NG1 1AA"]
    EventFactory(
        host=group,
        kind=Event.Kind.RALLY,
        title="Rally in the Old Market Square",
        starts_at=local(9, 12),
        ends_at=local(9, 14),
        venue_name="Old Market Square",
        venue_postcode="NG1 1AA",
        latitude=nlat,
        longitude=nlon,
    )
    events = list(Event.objects.filter(host=group))
    try:
        yield doors
    finally:
        booked = set(Rsvp.objects.filter(event__in=events).values_list("person_id", flat=True))
        guests = set(Person.objects.filter(email__in=GUESTS).values_list("pk", flat=True))
        Rsvp.objects.filter(event__in=events).delete()
        Event.objects.filter(pk__in=[event.pk for event in events]).delete()
        ConsentEvent.objects.filter(person_id__in=booked | guests).delete()
        MessageDelivery.objects.filter(recipient_id__in=booked | guests).delete()
        Person.objects.filter(pk__in=guests).delete()  # the signed-in ones go with the `committed` fixture
        if made_wording:
            wording.delete()


def shoot(page, directory, name: str) -> None:
    path = directory / f"{name}.png"
    page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    assert path.stat().st_size > 5_000


def test_from_a_postcode_a_guest_books_a_session_in_a_target_seat_and_gets_a_check_in_code(
    sessions,
    new_page,  # noqa: F811
    screenshot_dir,
    assert_no_sideways_scroll,
):
    doors = sessions
    page = new_page(**PHONE)
    page.goto("/find/?postcode=DE22+1AA")

    # The events app fills each target seat's card with its sessions (htmx, one request for the list).
    block = page.locator(f"#seat-sessions-{doors.target_seat.code}")
    block.locator(".session").first.wait_for()
    assert doors.title in block.inner_text()
    assert f"Phone bank for {doors.target_seat.name}" in block.inner_text()
    assert_no_sideways_scroll(page)
    block.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "find-sessions-phone.png", animations="disabled", caret="hide")
    block.get_by_role("link", name="Book").first.click()

    page.wait_for_url(re.compile(rf"/events/{doors.uuid}/"))
    assert page.get_by_role("heading", level=1).inner_text() == doors.title
    assert "Step-free entrance" in page.locator("main").inner_text()
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "event-page-phone")
    book = page.locator("#book")
    book.get_by_role("radio", name=re.compile("Afternoon")).check()
    book.get_by_label("Your name").fill("Robin Ashe")
    book.get_by_label("Email address").fill(GUESTS[0])
    book.get_by_label("Yes, email me news").check()
    button = book.get_by_role("button", name="Book")
    assert button.bounding_box()["height"] >= 44
    button.click()

    page.wait_for_url(re.compile(r"/booked/"))
    confirmation = page.get_by_test_id("confirmation")
    assert page.get_by_role("heading", level=1).inner_text() == "You're booked"
    assert "Afternoon" in confirmation.inner_text() and GUESTS[0] in confirmation.inner_text()
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "event-booked-phone")

    rsvp = Rsvp.objects.get(person__email=GUESTS[0])
    assert (rsvp.event_id, rsvp.shift.label, rsvp.status) == (doors.pk, "Afternoon", Rsvp.Status.CONFIRMED)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [GUESTS[0]] and doors.title in email.subject
    assert "Afternoon" in email.body and "Allenton Community Centre" in email.body
    assert re.search(r"/events/check-in/\S+/", email.body)
    manage = re.search(r"https?://[^/\s]+(/events/rsvp/\S+/)", email.body).group(1)

    page = new_page(**PHONE)  # another browser, as when the link is opened from the email app
    page.goto(manage)
    assert page.get_by_role("heading", level=1).inner_text() == "Your booking"
    assert "You're booked." in page.get_by_test_id("booking-status").inner_text()
    qr = page.get_by_test_id("qr-code")
    assert qr.locator("svg").is_visible()
    assert qr.bounding_box()["width"] >= 200, "the QR code is large enough to scan from a phone screen"
    assert page.get_by_role("button", name="Cancel my booking").is_visible()
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "event-booking-phone")

    page = new_page(**PHONE)
    page.goto("/events/?postcode=DE22+1AA")
    cards = page.get_by_test_id("event-list").locator("li")
    assert cards.count() == 3
    assert page.get_by_role("button", name="Show on a map").is_visible()
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "events-list-phone")


def test_the_events_pages_on_a_laptop(sessions, new_page, screenshot_dir):  # noqa: F811
    doors = sessions
    page = new_page(**LAPTOP)
    page.goto("/events/?postcode=DE22+1AA")
    assert page.locator("#events-map .leaflet-marker-icon").count() == 3, "the map opens beside the list"
    shoot(page, screenshot_dir, "events-list-laptop")

    page.goto(doors.get_absolute_url())
    shoot(page, screenshot_dir, "event-page-laptop")
    book = page.locator("#book")
    book.get_by_role("radio", name=re.compile("Morning")).check()
    book.get_by_label("Your name").fill("Sam Okafor")
    book.get_by_label("Email address").fill(GUESTS[1])
    book.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/booked/"))
    assert "You're booked" in page.locator("main").inner_text()
    shoot(page, screenshot_dir, "event-booked-laptop")


def test_a_signed_in_volunteer_books_a_shift_in_one_tap_from_find_where_youre_needed(
    sessions,
    committed,  # noqa: F811
    new_page,  # noqa: F811
    screenshot_dir,
):
    doors = sessions
    volunteer = committed.person(first_name="Priya", last_name="Patel")
    page = new_page(**PHONE)
    sign_in(page, volunteer, "/events/")
    page.goto("/find/?postcode=DE22+1AA")
    block = page.locator(f"#seat-sessions-{doors.target_seat.code}")
    block.locator(".session").first.wait_for()

    block.get_by_role("button", name="Book · Afternoon 13:30–16:30").click()  # the afternoon shift, in one tap

    result = block.get_by_role("status")
    result.wait_for()
    assert "You're booked: Afternoon 13:30–16:30." in result.inner_text()
    block.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "find-one-tap-phone.png", animations="disabled", caret="hide")
    rsvp = Rsvp.objects.get(person=volunteer)
    assert (rsvp.event_id, rsvp.shift.label, rsvp.status) == (doors.pk, "Afternoon", Rsvp.Status.CONFIRMED)
    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    page.reload()
    block.locator(".session").first.wait_for()
    assert "Booked · " in block.inner_text()

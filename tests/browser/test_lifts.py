"""Lifts in a real browser, at phone size: a driver booked on an event offers seats, a rider booked on it asks for a
lift and asks the driver for a seat, the driver accepts, the rider confirms, and only then does each see the other's
name and phone number. The event page's lifts panel leads there.

Like test_groups.py this test writes (the people and the event, committed so that the live server sees them; the
lifts, made through the live server) and removes everything afterwards.

Refresh the screenshots with:
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser/test_lifts.py
"""

import datetime

import pytest
from django.utils import timezone

from groundgame.events.models import Event, LiftOffer, LiftRequest, Rsvp
from tests.events.factories import PLACES, EventFactory, RsvpFactory

from .conftest import PHONE
from .test_groups import committed, db, new_page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def rally(committed):  # noqa: F811
    """A rally in Nottingham in five days, and a driver and a rider from Derby booked on it."""
    group = committed.group(name="Derby", slug="derby-lifts-browser")
    day = timezone.localdate() + datetime.timedelta(days=5)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
    lat, lon = PLACES["NG1 1AA"]
    event = EventFactory(
        host=group,
        kind=Event.Kind.RALLY,
        title="Rally in the Old Market Square",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue_name="Old Market Square",
        venue_postcode="NG1 1AA",
        latitude=lat,
        longitude=lon,
    )
    driver = committed.person(first_name="Dana", last_name="Okoro", phone="+447700900101")
    rider = committed.person(first_name="Ravi", last_name="Shah", phone="+447700900202")
    for person in (driver, rider):
        RsvpFactory(event=event, person=person)
    try:
        yield event, driver, rider
    finally:
        LiftRequest.objects.filter(event=event).delete()
        LiftOffer.objects.filter(event=event).delete()
        Rsvp.objects.filter(event=event).delete()
        event.delete()


def shoot(page, directory, name: str) -> None:
    path = directory / f"{name}.png"
    page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    assert path.stat().st_size > 5_000


def test_a_driver_offers_a_lift_a_rider_asks_both_confirm_and_see_each_others_contacts(
    rally,
    new_page,  # noqa: F811
    screenshot_dir,
    assert_no_sideways_scroll,
):
    event, driver, rider = rally
    lifts_path = f"/events/{event.uuid}/lifts/"

    # The driver, from the event page's lifts panel, offers three seats from Derby.
    driving = new_page(**PHONE)
    sign_in(driving, driver, f"/events/{event.uuid}/")
    panel = driving.get_by_test_id("lifts-panel")
    assert "No free seats offered yet." in panel.inner_text()
    panel.get_by_role("link", name="Offer or ask for a lift").click()
    driving.wait_for_url(f"**{lifts_path}")
    driving.get_by_label("Where you'll leave from (postcode)").fill("DE1 1AA")
    driving.get_by_label("Free seats").select_option("3")
    driving.get_by_label("Notes for riders").fill("Leaving at 10:30 from the station car park.")
    shoot(driving, screenshot_dir, "lifts-start-phone")
    driving.get_by_role("button", name="Offer a lift").click()
    assert "your lift is offered" in driving.locator("main").inner_text()
    assert driving.get_by_test_id("seats-free").inner_text() == "3 of 3"

    # The rider asks for a lift from their postcode and sees the driver, by district and distance only.
    riding = new_page(**PHONE)
    sign_in(riding, rider, lifts_path)
    riding.get_by_label("Where you'd like a lift from (postcode)").fill("DE22 1AA")
    riding.get_by_role("button", name="Ask for a lift").click()
    offers = riding.get_by_test_id("offers")
    assert "A driver from DE1" in offers.inner_text() and "3 free seats" in offers.inner_text()
    assert "Dana" not in riding.content()
    assert_no_sideways_scroll(riding)
    shoot(riding, screenshot_dir, "lifts-rider-offers-phone")
    riding.get_by_role("button", name="Ask for a seat with the driver from DE1").click()
    assert "You asked the driver from DE1" in riding.get_by_test_id("my-request").inner_text()

    # The driver accepts: a seat is held, still no names.
    driving.reload()
    passengers = driving.get_by_test_id("passengers")
    assert "A rider from DE22" in passengers.inner_text()
    assert "Ravi" not in driving.content() and "+447700900202" not in driving.content()
    assert_no_sideways_scroll(driving)
    shoot(driving, screenshot_dir, "lifts-driver-request-phone")
    driving.get_by_role("button", name="Accept the rider from DE22").click()
    assert driving.get_by_test_id("seats-free").inner_text() == "2 of 3"
    assert "Ravi" not in driving.content()

    # The rider confirms: now each sees the other's name and phone number.
    riding.reload()
    assert "Dana" not in riding.content()
    shoot(riding, screenshot_dir, "lifts-rider-accepted-phone")
    riding.get_by_role("button", name="Confirm the lift").click()
    contact = riding.get_by_test_id("contact")
    assert "Dana Okoro" in contact.inner_text() and "+447700900101" in contact.inner_text()
    assert contact.get_by_role("link", name="+447700900101").get_attribute("href") == "tel:+447700900101"
    assert_no_sideways_scroll(riding)
    shoot(riding, screenshot_dir, "lifts-rider-confirmed-phone")

    driving.reload()
    passenger = driving.get_by_test_id("passengers")
    assert "Ravi Shah" in passenger.inner_text()
    contact = passenger.get_by_test_id("contact")
    assert "+447700900202" in contact.inner_text() and rider.email in contact.inner_text()
    assert_no_sideways_scroll(driving)
    shoot(driving, screenshot_dir, "lifts-driver-confirmed-phone")

    # The event page's panel sums it up for the driver.
    driving.goto(f"/events/{event.uuid}/")
    assert "2 seats still free" in driving.get_by_test_id("lifts-panel").inner_text()
    shoot(driving, screenshot_dir, "lifts-event-panel-phone")
    wanted = LiftRequest.objects.get(event=event)
    assert (wanted.status, wanted.rider_id, wanted.offer.driver_id) == ("confirmed", rider.pk, driver.pk)

"""Lifts: drivers offer seats from a pickup postcode, riders ask from theirs; matching by distance and free seats; a
seat is never given twice (under the event's lock, a compare-and-set, and a database constraint, raced by threads);
names and contact details appear on the page only once driver and rider have both confirmed; only people booked on
the event take part; erasure and withdrawal give the seats back."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from groundgame.core.models import AuditEvent
from groundgame.events import lifts, services
from groundgame.events.lift_selectors import lift_counts, lifts_of, offers_for_rider, requests_near_offer
from groundgame.events.models import Event, LiftOffer, LiftRequest, Rsvp
from groundgame.people import services as people_services
from tests.people.factories import PersonFactory, PersonWithUserFactory

from .factories import EventFactory, RsvpFactory, in_days

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
Status = LiftRequest.Status


def booked(event, *, status=Rsvp.Status.CONFIRMED, user=False, **values):
    """A person with a booking for `event` (and an account when `user`)."""
    person = (PersonWithUserFactory if user else PersonFactory)(**values)
    cancelled_at = timezone.now() if status == Rsvp.Status.CANCELLED else None
    RsvpFactory(event=event, person=person, status=status, cancelled_at=cancelled_at)
    return person


def offer(event, postcode="DE1 1AA", seats=2, **values):
    driver = values.pop("driver", None) or booked(event)
    return lifts.lift_offer(event=event, driver=driver, pickup_postcode=postcode, seats=seats, acting=None, **values)


def ask(event, postcode="DE22 1AA", **values):
    rider = values.pop("rider", None) or booked(event)
    return lifts.lift_request(event=event, rider=rider, postcode=postcode, acting=None, **values)


def matched(event, lift_offer, postcode="DE22 1AA", *, confirm=True):
    """A rider asked, accepted and (by default) confirmed on `lift_offer`."""
    wanted = ask(event, postcode)
    lifts.lift_request_seat(lift_request=wanted, offer=lift_offer, acting=None)
    lifts.lift_accept(lift_request=wanted, acting=None)
    if confirm:
        lifts.lift_confirm(lift_request=wanted, acting=None)
    wanted.refresh_from_db()
    return wanted


# --- offering and asking -----------------------------------------------------------------------------------------


def test_offers_and_requests_are_located_at_their_postcodes(places):
    event = EventFactory()
    driving = offer(event, "de11aa", seats=3, notes="  Leaving at 9,   from the station ")
    wanted = ask(event, "NG1 9ZZ")  # not in the tables: its district's centre

    assert (driving.pickup_postcode, driving.seats, driving.seats_taken) == ("DE1 1AA", 3, 0)
    assert (driving.latitude, driving.longitude) == (52.9217, -1.4767)
    assert driving.notes == "Leaving at 9, from the station"
    assert (wanted.postcode, wanted.latitude, wanted.longitude, wanted.status) == ("NG1 9ZZ", 52.955, -1.15, "open")
    assert AuditEvent.objects.filter(action="liftoffer.create", target_id=str(driving.pk)).exists()
    assert AuditEvent.objects.filter(action="liftrequest.create", target_id=str(wanted.pk)).exists()


@pytest.mark.parametrize(
    ("postcode", "message"),
    [("nonsense", "Enter a UK postcode"), ("DE22", "full postcode"), ("BX1 1LT", "can't find")],
)
def test_a_pickup_postcode_must_be_a_full_known_postcode(places, postcode, message):
    event = EventFactory()
    with pytest.raises(ValidationError) as refused:
        offer(event, postcode)
    assert message in str(refused.value.message_dict["pickup_postcode"])


@pytest.mark.parametrize("seats", [0, 9])
def test_a_driver_offers_between_one_and_eight_seats(places, seats):
    with pytest.raises(ValidationError) as refused:
        offer(EventFactory(), seats=seats)
    assert "seats" in refused.value.message_dict


def test_only_people_booked_on_the_event_may_offer_or_ask(places):
    event = EventFactory()
    stranger, other_event = PersonFactory(), PersonFactory()
    RsvpFactory(person=other_event)  # booked on another event
    cancelled = booked(event, status=Rsvp.Status.CANCELLED)
    waitlisted = booked(event, status=Rsvp.Status.WAITLISTED)

    for person in (stranger, other_event, cancelled):
        with pytest.raises(ValidationError, match="Book a place"):
            offer(event, driver=person)
        with pytest.raises(ValidationError, match="Book a place"):
            ask(event, rider=person)
    assert offer(event, driver=waitlisted).status == LiftOffer.Status.OPEN  # waitlisted people may hope for a place


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"status": Event.Status.CANCELLED, "cancelled_at": timezone.now()}, "not going ahead"),
        ({"status": Event.Status.PROPOSED, "approved_at": None}, "not going ahead"),
        ({"starts_at": in_days(-0.01)}, "has started"),
        ({"venue_postcode": "", "latitude": None, "longitude": None, "online_url": "https://meet.example"}, "online"),
    ],
)
def test_no_lifts_to_an_event_that_is_not_going_ahead_has_started_or_is_online(places, values, message):
    event = EventFactory(**values)
    with pytest.raises(ValidationError, match=message):
        offer(event)


def test_one_offer_or_one_request_per_person_per_event(places):
    event = EventFactory()
    driving = offer(event)
    with pytest.raises(ValidationError, match="already offering"):
        offer(event, driver=driving.driver)
    with pytest.raises(ValidationError, match="withdraw it first"):
        ask(event, rider=driving.driver)
    wanted = ask(event)
    with pytest.raises(ValidationError, match="already asking"):
        ask(event, rider=wanted.rider)
    with pytest.raises(ValidationError, match="cancel that first"):
        offer(event, driver=wanted.rider)


# --- matching ----------------------------------------------------------------------------------------------------


def test_a_rider_sees_the_events_offers_with_free_seats_nearest_first(places):
    event = EventFactory()
    manchester, nottingham, derby = offer(event, "M1 1AA"), offer(event, "NG1 1AA"), offer(event, "DE1 1AA")
    full = offer(event, "DE1 1AA", seats=1)
    matched(event, full)
    offer(EventFactory(), "DE22 1AA")  # another event's
    gone = offer(event, "DE22 1AA")
    Rsvp.objects.filter(person=gone.driver).update(status=Rsvp.Status.CANCELLED, cancelled_at=timezone.now())
    wanted = ask(event, "DE22 1AA")

    found = list(offers_for_rider(lift_request=wanted))

    assert found == [derby, nottingham, manchester]
    assert [round(o.distance_km) for o in found] == [0, 22, 80]


def test_a_driver_sees_the_riders_still_looking_nearest_their_pickup(places):
    event = EventFactory()
    far, near, middle = ask(event, "M1 1AA"), ask(event, "DE22 1AA"), ask(event, "NG1 1AA")
    driving = offer(event, "DE1 1AA", seats=4)
    taken = matched(event, offer(event, "DE1 1AA"), "DE22 1AA", confirm=False)
    ask(EventFactory(), "DE22 1AA")  # another event's

    found = list(requests_near_offer(offer=driving))

    assert found == [near, middle, far]
    assert taken not in found


# --- the lift itself ---------------------------------------------------------------------------------------------


def test_ask_accept_confirm_holds_one_seat_and_is_audited(places):
    event = EventFactory()
    driving = offer(event, seats=2)
    wanted = ask(event)

    lifts.lift_request_seat(lift_request=wanted, offer=driving, acting=None)
    driving.refresh_from_db()
    assert (wanted.status, driving.seats_taken) == (Status.REQUESTED, 0)  # asking holds nothing

    lifts.lift_accept(lift_request=wanted, acting=None)
    driving.refresh_from_db()
    assert (wanted.status, driving.seats_taken) == (Status.ACCEPTED, 1)

    lifts.lift_confirm(lift_request=wanted, acting=None)
    assert wanted.status == Status.CONFIRMED and wanted.confirmed_at is not None
    actions = set(AuditEvent.objects.filter(target_id=str(wanted.pk)).values_list("action", flat=True))
    assert {"liftrequest.create", "liftrequest.ask", "liftrequest.accept", "liftrequest.confirm"} <= actions
    assert lift_counts(event=event) == lift_counts(event=event).__class__(
        drivers=1, seats_offered=2, seats_free=1, riders_looking=0, riders_confirmed=1
    )


def test_a_driver_may_invite_a_rider_who_is_looking_and_the_rider_confirms(places):
    event = EventFactory()
    driving, wanted = offer(event), ask(event)

    lifts.lift_invite(lift_request=wanted, offer=driving, acting=None)
    driving.refresh_from_db()
    assert (wanted.status, wanted.offer, driving.seats_taken) == (Status.ACCEPTED, driving, 1)
    lifts.lift_confirm(lift_request=wanted, acting=None)
    assert wanted.status == Status.CONFIRMED


def test_a_rider_cannot_confirm_before_the_driver_accepts(places):
    event = EventFactory()
    wanted = ask(event)
    lifts.lift_request_seat(lift_request=wanted, offer=offer(event), acting=None)
    with pytest.raises(ValidationError, match="hasn't offered you a seat"):
        lifts.lift_confirm(lift_request=wanted, acting=None)


def test_a_full_car_takes_no_more_riders(places):
    event = EventFactory()
    driving = offer(event, seats=1)
    first, second = ask(event), ask(event, "NG1 1AA")
    for wanted in (first, second):
        lifts.lift_request_seat(lift_request=wanted, offer=driving, acting=None)

    lifts.lift_accept(lift_request=first, acting=None)
    with pytest.raises(ValidationError, match="full"):
        lifts.lift_accept(lift_request=second, acting=None)
    third = ask(event, "M1 1AA")
    with pytest.raises(ValidationError, match="full"):
        lifts.lift_request_seat(lift_request=third, offer=driving, acting=None)

    driving.refresh_from_db()
    second.refresh_from_db()
    assert (driving.seats_taken, second.status) == (1, Status.REQUESTED)


def test_accepting_with_stale_copies_rereads_the_seats_under_the_lock(places):
    """Two accepts prepared from the same moment (each caller sees the one free seat): the second one re-reads the
    offer under the lock and finds it full."""
    event = EventFactory()
    driving = offer(event, seats=1)
    first, second = ask(event), ask(event, "NG1 1AA")
    for wanted in (first, second):
        lifts.lift_request_seat(lift_request=wanted, offer=driving, acting=None)
    stale_first, stale_second = LiftRequest.objects.get(pk=first.pk), LiftRequest.objects.get(pk=second.pk)
    assert stale_second.offer.seats_free == 1

    lifts.lift_accept(lift_request=stale_first, acting=None)
    with pytest.raises(ValidationError, match="full"):
        lifts.lift_accept(lift_request=stale_second, acting=None)
    assert LiftOffer.objects.get(pk=driving.pk).seats_taken == 1


def test_the_database_refuses_more_riders_than_seats(places):
    driving = offer(EventFactory(), seats=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        LiftOffer.objects.filter(pk=driving.pk).update(seats_taken=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        LiftRequest.objects.create(event=driving.event, rider=PersonFactory(), status=Status.ACCEPTED)  # no offer


def test_declining_and_cancelling_free_the_seat(places):
    event = EventFactory()
    driving = offer(event, seats=2)
    declined, cancelled = matched(event, driving), matched(event, driving, "NG1 1AA")
    driving.refresh_from_db()
    assert driving.seats_taken == 2

    lifts.lift_decline(lift_request=declined, acting=None)
    lifts.lift_cancel(lift_request=cancelled, acting=None)

    driving.refresh_from_db()
    assert driving.seats_taken == 0
    assert (declined.status, declined.offer_id, declined.confirmed_at) == (Status.OPEN, None, None)
    assert cancelled.status == Status.CANCELLED and cancelled.cancelled_at is not None


def test_a_withdrawn_offer_sends_its_riders_back_to_looking(places):
    event = EventFactory()
    driving = offer(event, seats=3)
    riders = [matched(event, driving), matched(event, driving, "NG1 1AA", confirm=False)]

    lifts.lift_offer_withdraw(offer=driving, acting=None)

    assert (driving.status, driving.seats_taken) == (LiftOffer.Status.WITHDRAWN, 0)
    assert {r.status for r in LiftRequest.objects.filter(pk__in=[r.pk for r in riders])} == {Status.OPEN}
    assert not list(offers_for_rider(lift_request=riders[0]))


def test_a_cancelled_booking_ends_the_persons_lifts_once_they_have_no_other_booking(places):
    event = EventFactory()
    driving = offer(event)
    wanted = matched(event, driving)
    other_driving = offer(event, "NG1 1AA")
    rider_elsewhere = matched(event, other_driving, "NG1 1AA")

    still_booked = wanted.rider
    lifts.lifts_end_for(event=event, person=still_booked, acting=None)  # still booked: nothing happens
    assert LiftRequest.objects.get(pk=wanted.pk).status == Status.CONFIRMED
    Rsvp.objects.filter(person__in=[driving.driver, rider_elsewhere.rider]).update(
        status=Rsvp.Status.CANCELLED, cancelled_at=timezone.now()
    )
    lifts.lifts_end_for(event=event, person=driving.driver, acting=None)
    lifts.lifts_end_for(event=event, person=rider_elsewhere.rider, acting=None)

    driving.refresh_from_db()
    wanted.refresh_from_db()
    other_driving.refresh_from_db()
    rider_elsewhere.refresh_from_db()
    assert (driving.status, wanted.status) == (LiftOffer.Status.WITHDRAWN, Status.OPEN)
    assert (rider_elsewhere.status, other_driving.seats_taken) == (Status.CANCELLED, 0)


def test_cancelling_a_booking_through_the_service_ends_that_persons_confirmed_lift(places):
    event = EventFactory()
    driving = offer(event)
    wanted = matched(event, driving)

    services.rsvp_cancel(rsvp=Rsvp.objects.get(event=event, person=wanted.rider), acting=None)

    wanted.refresh_from_db()
    driving.refresh_from_db()
    assert (wanted.status, driving.seats_taken) == (Status.CANCELLED, 0)


def test_a_rider_whose_booking_was_cancelled_cannot_be_accepted(places):
    event = EventFactory()
    driving, wanted = offer(event), ask(event)
    lifts.lift_request_seat(lift_request=wanted, offer=driving, acting=None)
    Rsvp.objects.filter(person=wanted.rider).update(status=Rsvp.Status.CANCELLED, cancelled_at=timezone.now())

    with pytest.raises(ValidationError, match="rider is no longer booked"):
        lifts.lift_accept(lift_request=wanted, acting=None)


# --- concurrency -------------------------------------------------------------------------------------------------

SEATS, RIDERS = 3, 12


def race_accepts(offer_id: int, request_ids: list[int]) -> dict:
    """Accept every request on one offer from its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(request_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(pk: int) -> None:
        try:
            wanted = LiftRequest.objects.select_related("event").get(pk=pk)
            barrier.wait(timeout=30)
            try:
                lifts.lift_accept(lift_request=wanted, acting=None)
                outcome = "accepted"
            except ValidationError as refusal:
                outcome = "full" if "full" in str(refusal) else f"refused: {refusal}"
            except Exception as error:  # noqa: BLE001 - reported by the test
                outcome = f"{type(error).__name__}: {error}"
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(pk,)) for pk in request_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "outcomes": sorted(outcomes),
        "seats_taken": LiftOffer.objects.get(pk=offer_id).seats_taken,
        "accepted": LiftRequest.objects.filter(offer_id=offer_id, status=Status.ACCEPTED).count(),
    }


def setup_race() -> tuple[int, list[int]]:
    from .factories import make_places

    make_places()
    event = EventFactory()
    driving = offer(event, seats=SEATS)
    ids = []
    for _ in range(RIDERS):
        wanted = ask(event)
        lifts.lift_request_seat(lift_request=wanted, offer=driving, acting=None)
        ids.append(wanted.pk)
    return driving.pk, ids


def check_race(result: dict) -> None:
    assert result["outcomes"] == ["accepted"] * SEATS + ["full"] * (RIDERS - SEATS), result
    assert (result["seats_taken"], result["accepted"]) == (SEATS, SEATS)


def in_memory_sqlite() -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_accepts_fill_exactly_the_seats():
    if in_memory_sqlite():
        pytest.skip("in-memory SQLite: see test_simultaneous_accepts_on_a_sqlite_file_database")
    check_race(race_accepts(*setup_race()))


def race_main() -> None:
    """In a subprocess: a fresh SQLite file database configured as in production; prints the race's result."""
    import json

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = race_accepts(*setup_race())
    result["transaction_mode"] = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
    connections.close_all()
    print(json.dumps(result))


def test_simultaneous_accepts_on_a_sqlite_file_database(tmp_path):
    """The production SQLite set-up (a file, WAL, IMMEDIATE transactions), in a subprocess of its own."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file check runs with the SQLite test run")
    import json

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "GROUNDGAME_TEST_DB"}}
    env |= {"GROUNDGAME_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "groundgame.settings.test"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from tests.events.test_lifts import race_main; race_main()",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["transaction_mode"] == "IMMEDIATE"
    check_race(result)


# --- erasure -----------------------------------------------------------------------------------------------------


def test_erasing_a_driver_withdraws_their_offer_and_their_riders_look_again(places):
    event = EventFactory()
    driving = offer(event, notes="Blue Fiesta")
    wanted = matched(event, driving)

    people_services.person_erase(person=driving.driver, acting=None, reason="privacy request 1")

    driving.refresh_from_db()
    wanted.refresh_from_db()
    assert (driving.driver_id, driving.pickup_postcode, driving.notes, driving.latitude) == (None, "", "", None)
    assert (driving.status, driving.seats_taken, driving.erased_at is not None) == ("withdrawn", 0, True)
    assert (wanted.status, wanted.offer_id) == (Status.OPEN, None)


def test_erasing_a_rider_cancels_their_request_and_frees_the_seat(places):
    event = EventFactory()
    driving = offer(event)
    wanted = matched(event, driving)

    people_services.person_erase(person=wanted.rider, acting=None, reason="privacy request 2")

    driving.refresh_from_db()
    wanted.refresh_from_db()
    assert (wanted.rider_id, wanted.postcode, wanted.status) == (None, "", Status.CANCELLED)
    assert driving.seats_taken == 0


# --- the page ----------------------------------------------------------------------------------------------------


def page(client, person, event):
    client.force_login(person.user)
    return client.get(reverse("events:lifts", args=[event.uuid]))


def test_contact_details_show_on_the_page_only_once_both_have_confirmed(places, client):
    event = EventFactory()
    driver = booked(event, user=True, first_name="Dana", last_name="Driver", phone="+447700900001")
    rider = booked(event, user=True, first_name="Ravi", last_name="Rider", phone="+447700900002")
    driving = offer(event, driver=driver, postcode="DE1 1AA", notes="Blue Fiesta")
    wanted = ask(event, rider=rider, postcode="NG1 1AA")
    secrets = {
        "driver": ["Dana", "+447700900001", driver.email, "DE1 1AA"],
        "rider": ["Ravi", "+447700900002", rider.email],
    }

    def seen(person) -> str:
        return page(client, person, event).content.decode()

    for step in ("asked", "accepted"):
        if step == "asked":
            lifts.lift_request_seat(lift_request=wanted, offer=driving, acting=None)
        else:
            lifts.lift_accept(lift_request=wanted, acting=None)
        as_rider, as_driver = seen(rider), seen(driver)
        assert not [s for s in secrets["driver"] if s in as_rider], step
        assert not [s for s in secrets["rider"] if s in as_driver], step
        assert "driver from DE1" in as_rider
        assert "A rider from NG1" in as_driver
    assert "Confirm the lift" in as_rider

    lifts.lift_confirm(lift_request=wanted, acting=None)

    as_rider, as_driver = seen(rider), seen(driver)
    assert all(s in as_rider for s in secrets["driver"])
    assert all(s in as_driver for s in secrets["rider"])
    assert 'href="tel:+447700900001"' in as_rider and 'href="tel:+447700900002"' in as_driver


def test_someone_not_booked_is_told_to_book_first_and_may_not_offer(places, client):
    event = EventFactory()
    person = PersonWithUserFactory()

    response = page(client, person, event)
    assert response.status_code == 200
    assert b'data-testid="book-first"' in response.content and b"Can you drive?" not in response.content
    response = client.post(
        reverse("events:lift_offer", args=[event.uuid]), {"offer-pickup_postcode": "DE1 1AA", "offer-seats": "2"}
    )
    assert response.status_code == 403
    assert not LiftOffer.objects.exists()


def test_offering_and_asking_through_the_page(places, client):
    event = EventFactory()
    driver, rider = booked(event, user=True), booked(event, user=True)
    page(client, driver, event)
    response = client.post(
        reverse("events:lift_offer", args=[event.uuid]),
        {"offer-pickup_postcode": "de1 1aa", "offer-seats": "3", "offer-notes": "Leaving 9am"},
    )
    assert response.status_code == 302
    driving = LiftOffer.objects.get(driver=driver)
    assert (driving.pickup_postcode, driving.seats) == ("DE1 1AA", 3)

    page(client, rider, event)
    response = client.post(reverse("events:lift_ask", args=[event.uuid]), {"ask-postcode": "BX1 1LT"})
    assert response.status_code == 200 and "can&#x27;t find that postcode" in response.content.decode()
    client.post(reverse("events:lift_ask", args=[event.uuid]), {"ask-postcode": "NG1 1AA"})
    body = page(client, rider, event).content.decode()
    assert "A driver from DE1" in body and "Leaving 9am" in body
    client.post(reverse("events:lift_request_seat", args=[event.uuid, driving.pk]))
    assert LiftRequest.objects.get(rider=rider).status == Status.REQUESTED


def test_nobody_else_can_act_on_a_lift_not_even_an_administrator(places, client):
    event = EventFactory()
    driving = offer(event)
    wanted = ask(event)
    lifts.lift_request_seat(lift_request=wanted, offer=driving, acting=None)
    other_driver = booked(event, user=True)
    offer(event, driver=other_driver, postcode="NG1 1AA")
    client.force_login(other_driver.user)

    for name in ("lift_accept", "lift_decline"):
        response = client.post(reverse(f"events:{name}", args=[event.uuid, wanted.pk]))
        assert response.status_code == 404, name
    for name in ("lift_confirm", "lift_turn_down", "lift_cancel"):
        assert client.post(reverse(f"events:{name}", args=[event.uuid])).status_code == 404, name
    wanted.refresh_from_db()
    assert wanted.status == Status.REQUESTED


def test_the_page_is_404_for_an_event_the_user_may_not_see(places, client):
    event = EventFactory(status=Event.Status.PROPOSED, approved_at=None)
    assert page(client, PersonWithUserFactory(), event).status_code == 404


def test_the_page_reads_a_bounded_number_of_queries(places, client, django_assert_max_num_queries):
    event = EventFactory()
    driver = booked(event, user=True)
    driving = offer(event, driver=driver, seats=8)
    for _ in range(4):
        matched(event, driving)
    for _ in range(5):
        ask(event, "NG1 1AA")
    client.force_login(driver.user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("events:lifts", args=[event.uuid]))
    assert response.content.decode().count("A rider from NG1") == 5
    assert response.content.decode().count('data-testid="contact"') == 4


def test_the_event_page_panel_shows_counts_and_links_to_the_lifts(places, client):
    event = EventFactory()
    offer(event, seats=3)
    ask(event)
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = PersonWithUserFactory().user
    html = Template('{% include "events/lifts/_panel.html" %}').render(Context({"event": event, "request": request}))

    assert "3 free seats offered" in html and "1 person is looking for a lift" in html
    assert reverse("events:lifts", args=[event.uuid]) in html
    online = EventFactory(venue_postcode="", latitude=None, longitude=None, online_url="https://meet.example")
    assert "Lifts" not in Template('{% include "events/lifts/_panel.html" %}').render(
        Context({"event": online, "request": request})
    )


def test_lifts_of_someone_with_nothing_yet_can_start(places):
    event = EventFactory()
    person = booked(event)
    assert lifts_of(event=event, person=person).can_start
    assert not lifts_of(event=event, person=PersonFactory()).booked

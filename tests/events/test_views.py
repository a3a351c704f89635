"""The public events pages: discovery with its filters, the event page (OpenGraph tags, places, the RSVP form), booking
as a signed-in person or as a guest (waiting list included), the confirmation email with its signed links, the
booking's own page (QR code, cancel), iCal downloads and feeds, and the "sessions in these seats" fragment."""

import datetime
import re
from html import unescape
from types import SimpleNamespace

import icalendar
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from groundgame.core.models import MessageDelivery
from groundgame.events import services, tokens
from groundgame.events.models import Event, Rsvp
from groundgame.people.models import ConsentEvent, Person, Purpose
from groundgame.people.selectors import consent_current
from tests.people.factories import GroupFactory, MembershipFactory, PersonFactory, PersonWithUserFactory, wording

from .factories import PLACES, EventFactory, RsvpFactory, ShiftFactory, in_days, make_places, make_seat

pytestmark = pytest.mark.django_db

LIST = reverse("events:list")


def at(postcode: str, **values) -> Event:
    lat, lon = PLACES[postcode]
    return EventFactory(venue_postcode=postcode, latitude=lat, longitude=lon, **values)


def titles(response) -> list[str]:
    return [event.title for event in response.context["page"].object_list]


def page_text(response) -> str:
    """The response's HTML with entities decoded (Django escapes apostrophes: "You&#x27;re")."""
    return unescape(response.content.decode())


def signed_in(client, person=None):
    person = person or PersonWithUserFactory()
    client.force_login(person.user)
    return person


def links(body: str) -> dict[str, str]:
    """The paths of the manage and check-in links in an email body."""
    found = {}
    for name, pattern in {
        "manage": r"https?://[^/\s]+(/events/rsvp/[^/\s]+/)",
        "check_in": r"(/events/check-in/\S+/)",
    }.items():
        match = re.search(pattern, body)
        if match:
            found[name] = match.group(1)
    return found


@pytest.fixture
def located(db):
    """The factories' postcodes in the places tables; when a test before this one in the worker has loaded the real
    reference data (committed, with these postcodes in it), the real ones are used instead."""
    try:
        with transaction.atomic():
            make_places()
    except IntegrityError:
        pass


# --- discovery ---------------------------------------------------------------------------------------------------


def test_discovery_lists_upcoming_approved_public_events_soonest_first(client):
    later = EventFactory(title="Later", starts_at=in_days(9))
    sooner = EventFactory(title="Sooner", starts_at=in_days(2))
    EventFactory(title="Over", starts_at=in_days(-3))
    EventFactory(title="Proposed", status=Event.Status.PROPOSED, approved_at=None)
    EventFactory(title="Members", visibility=Event.Visibility.MEMBERS)

    response = client.get(LIST)

    assert response.status_code == 200
    assert titles(response) == [sooner.title, later.title]
    assert "2 upcoming events" in page_text(response)


def test_members_see_members_only_events_and_others_do_not(client):
    EventFactory(title="Members' meeting", visibility=Event.Visibility.MEMBERS, kind=Event.Kind.MEETING)
    EventFactory(title="Open rally", kind=Event.Kind.RALLY)

    assert titles(client.get(LIST)) == ["Open rally"]
    signed_in(client, PersonWithUserFactory(status=Person.Status.SUPPORTER))
    assert set(titles(client.get(LIST))) == {"Open rally"}
    signed_in(client, MembershipFactory().person)
    assert set(titles(client.get(LIST))) == {"Open rally", "Members' meeting"}


def test_discovery_filters_by_postcode_and_distance(client, located):
    derby, nottingham, _manchester = at("DE1 1AA", title="Derby"), at("NG1 1AA", title="Nottingham"), at("M1 1AA")

    response = client.get(LIST, {"postcode": "de22 1aa", "km": 10})
    assert titles(response) == [derby.title]
    assert "1 event within 10 km of DE22 1AA" in page_text(response)

    response = client.get(LIST, {"postcode": "DE22 1AA", "km": 25, "order": "nearest"})
    assert titles(response) == [derby.title, nottingham.title]
    near, far = (event.distance_km for event in response.context["page"].object_list)
    assert near < 3 and 18 < far < 25


def test_an_unknown_or_malformed_postcode_is_a_clear_form_error(client, located):
    EventFactory()
    response = client.get(LIST, {"postcode": "XX1 1AA"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "We don't know the postcode district XX1" in page_text(response)
    assert 'aria-invalid="true"' in page_text(response)
    assert 'role="alert"' in page_text(response)

    response = client.get(LIST, {"postcode": "not a postcode"})
    assert "Enter a UK postcode like DE22 1AA" in page_text(response)


def test_discovery_filters_by_target_seat_kind_and_dates(client):
    north, south = make_seat("Derby North", "E14000663"), make_seat("Derby South", "E14000664")
    doors = EventFactory(title="Doors north", target_seat=north, starts_at=in_days(3))
    phones = EventFactory(title="Phones south", kind=Event.Kind.PHONE_BANK, target_seat=south, starts_at=in_days(10))
    rally = EventFactory(title="Rally", kind=Event.Kind.RALLY, starts_at=in_days(20))

    assert titles(client.get(LIST, {"seat": "E14000663"})) == [doors.title]
    assert titles(client.get(LIST, {"kind": "campaign"})) == [doors.title, phones.title]
    assert titles(client.get(LIST, {"kind": "rally"})) == [rally.title]
    start = timezone.localdate() + datetime.timedelta(days=5)
    end = timezone.localdate() + datetime.timedelta(days=15)
    assert titles(client.get(LIST, {"date_from": start.isoformat(), "date_to": end.isoformat()})) == [phones.title]
    assert titles(client.get(LIST, {"seat": "E14009999"})) == []  # a seat with no events finds nothing

    response = client.get(LIST, {"date_from": end.isoformat(), "date_to": start.isoformat()})
    assert "The end date is before the start date." in page_text(response)


def test_discovery_pages_through_results_and_passes_map_markers(client, django_assert_max_num_queries):
    for day in range(25):
        EventFactory(starts_at=in_days(day + 1))
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 20
    assert len(response.context["markers"]) == 25
    assert 'id="event-markers"' in page_text(response)
    assert "core/vendor/leaflet/leaflet.js" in page_text(response)
    assert "page=2" in page_text(response)
    assert len(client.get(LIST, {"page": 2}).context["page"].object_list) == 5


# --- the event page -----------------------------------------------------------------------------------------------


def test_the_event_page_has_open_graph_tags_times_in_london_and_the_guest_form(client):
    seat = make_seat()
    start = timezone.make_aware(datetime.datetime(timezone.localdate().year + 1, 7, 4, 10, 0))  # BST: 09:00 UTC
    event = EventFactory(
        title="Doors in Allenton",
        description="Knock on doors with us.",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        target_seat=seat,
        accessibility="Step-free entrance.",
    )
    wording(Purpose.EMAIL)

    response = client.get(event.get_absolute_url())

    body = page_text(response)
    assert response.status_code == 200
    assert '<meta property="og:title" content="Doors in Allenton">' in body
    assert f'<meta property="og:url" content="http://testserver/events/{event.uuid}/">' in body
    assert re.search(r'<meta property="og:description" content="[^"]*10:00–13:00[^"]*Knock on doors', body)
    assert '<meta name="twitter:card" content="summary">' in body
    assert "10:00–13:00" in body and "Step-free entrance." in body
    assert seat.get_absolute_url() in body
    assert 'name="guest_email"' in body
    assert "Yes, contact me about email." in body  # the current email consent wording, beside an unticked box
    assert reverse("events:event_ical", args=[event.uuid]) in body


def test_a_members_only_event_sends_visitors_to_sign_in_and_is_hidden_from_non_members(client):
    event = EventFactory(visibility=Event.Visibility.MEMBERS)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))

    signed_in(client, PersonWithUserFactory(status=Person.Status.SUPPORTER))
    assert client.get(event.get_absolute_url()).status_code == 404
    signed_in(client, MembershipFactory().person)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_an_unknown_event_is_404(client):
    assert client.get(reverse("events:event", args=["3f2504e0-4f89-11d3-9a0c-0305e82c3301"])).status_code == 404


def test_shifts_show_their_free_places(client):
    event = EventFactory()
    morning = ShiftFactory(event=event, label="Morning", capacity=2)
    ShiftFactory(event=event, label="Afternoon", capacity=1)
    RsvpFactory(event=event, shift=morning)

    body = page_text(client.get(event.get_absolute_url()))
    assert "1 place left" in body
    assert body.count('type="radio"') == 2


# --- booking ------------------------------------------------------------------------------------------------------


def test_a_guest_books_gets_a_confirmation_and_an_email_with_working_links(client, django_capture_on_commit_callbacks):
    event = EventFactory(title="Doors in Allenton", capacity=10)
    consent = wording(Purpose.EMAIL)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:rsvp", args=[event.uuid]),
            {"guest_name": "Robin Ashe", "guest_email": "Robin@Example.org", "email_updates": "on"},
        )

    assert response.status_code == 302 and response["Location"] == reverse("events:booked", args=[event.uuid])
    rsvp = Rsvp.objects.get(event=event)
    assert rsvp.status == Rsvp.Status.CONFIRMED and rsvp.booked_as_guest
    assert (rsvp.person.first_name, rsvp.person.last_name, rsvp.person.email) == ("Robin", "Ashe", "robin@example.org")
    assert consent_current(person=rsvp.person, purpose=Purpose.EMAIL).wording == consent
    assert consent_current(person=rsvp.person, purpose=Purpose.EVENTS).basis == ConsentEvent.Basis.LEGITIMATE_INTERESTS

    page = page_text(client.get(response["Location"]))
    assert "You're booked" in page and "robin@example.org" in page

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["robin@example.org"] and "Doors in Allenton" in email.subject
    assert "Where: Community centre, DE22 1AA" in email.body
    delivery = MessageDelivery.objects.get(recipient_id=rsvp.person_id)
    assert (delivery.purpose, delivery.status) == (Purpose.EVENTS, MessageDelivery.Status.SENT)
    found = links(email.body)
    assert tokens.rsvp_from_token(found["check_in"].split("/")[-2], tokens.CHECK_IN) == rsvp

    manage = client.get(found["manage"])
    assert manage.status_code == 200
    assert "<svg" in page_text(manage) and manage["Referrer-Policy"] == "no-referrer"
    cancel = client.post(reverse("events:rsvp_cancel", args=[found["manage"].split("/")[-2]]))
    assert cancel.status_code == 302
    rsvp.refresh_from_db()
    assert rsvp.status == Rsvp.Status.CANCELLED
    assert "You've cancelled this booking." in page_text(client.get(found["manage"]))


def test_without_the_tick_a_guest_gives_no_email_consent(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    wording(Purpose.EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:rsvp", args=[event.uuid]), {"guest_name": "Sam", "guest_email": "sam@example.org"})
    person = Person.objects.get(email="sam@example.org")
    assert consent_current(person=person, purpose=Purpose.EMAIL) is None
    assert len(mail.outbox) == 1  # the confirmation needs no marketing consent: the booking asked for it


def test_a_full_event_waitlists_the_guest_and_says_where_they_are(client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    RsvpFactory(event=event)
    RsvpFactory(event=event, status=Rsvp.Status.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:rsvp", args=[event.uuid]),
            {"guest_name": "Ali Khan", "guest_email": "ali@example.org"},
            follow=True,
        )

    body = page_text(response)
    assert "You're on the waiting list" in body and "You're number 2 on the waiting list" in body
    assert Rsvp.objects.get(person__email="ali@example.org").status == Rsvp.Status.WAITLISTED
    assert mail.outbox[0].subject.startswith("Waiting list:")
    assert "number 2" in mail.outbox[0].body


def test_cancelling_a_confirmed_place_promotes_and_emails_the_first_on_the_waiting_list(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    first = RsvpFactory(event=event)
    waiting = services.rsvp_create(event=event, person=PersonFactory(), acting=None)
    assert waiting.status == Rsvp.Status.WAITLISTED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:rsvp_cancel", args=[tokens.rsvp_token(first, tokens.MANAGE)]))

    waiting.refresh_from_db()
    assert waiting.status == Rsvp.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [[waiting.person.email]]
    assert mail.outbox[0].subject.startswith("A place has come up")


def test_a_guest_form_with_an_address_already_booked_tells_nothing_and_emails_its_owner(
    client, django_capture_on_commit_callbacks
):
    """Anyone can type anyone's address into the guest form: the page must not say whether, or how, that person
    booked. The details go to the address, whose owner can act on them."""
    event = EventFactory(capacity=1)
    RsvpFactory(event=event)
    owner = services.rsvp_create(event=event, person=PersonFactory(), acting=None).person

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:rsvp", args=[event.uuid]),
            {"guest_name": "Someone Else", "guest_email": owner.email},
            follow=True,
        )

    body = page_text(response)
    assert "Check your email" in body
    assert "waiting list" not in body and "already booked" not in body and owner.first_name not in body
    assert Rsvp.objects.filter(person=owner).count() == 1
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_a_guest_form_with_mistakes_is_shown_again_with_the_errors(client):
    event = EventFactory()
    response = client.post(reverse("events:rsvp", args=[event.uuid]), {"guest_name": "", "guest_email": "nope"})
    body = page_text(response)
    assert response.status_code == 200
    assert 'role="alert"' in body and "Enter a valid email address." in body
    assert 'aria-describedby="id_guest_email_helptext id_guest_email_error"' in body
    assert not Rsvp.objects.exists()


def test_a_signed_in_person_books_in_one_tap_and_can_cancel_from_the_event_page(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    person = signed_in(client)

    page = page_text(client.get(event.get_absolute_url()))
    assert 'name="guest_email"' not in page and "Book my place" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:rsvp", args=[event.uuid]))
    assert response.status_code == 302
    rsvp = Rsvp.objects.get(event=event, person=person)
    assert not rsvp.booked_as_guest
    assert mail.outbox[0].to == [person.email]
    booked = page_text(client.get(response["Location"]))
    assert reverse("events:rsvp_manage", args=[tokens.rsvp_token(rsvp, tokens.MANAGE)]) in booked

    page = page_text(client.get(event.get_absolute_url()))
    assert "You're booked." in page and "Cancel my booking" in page
    response = client.post(
        reverse("events:rsvp_cancel", args=[tokens.rsvp_token(rsvp, tokens.MANAGE)]),
        {"next": event.get_absolute_url()},
    )
    assert response["Location"] == event.get_absolute_url()
    rsvp.refresh_from_db()
    assert rsvp.status == Rsvp.Status.CANCELLED


def test_booking_twice_keeps_one_place_and_sends_one_email(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    signed_in(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:rsvp", args=[event.uuid]))
        response = client.post(reverse("events:rsvp", args=[event.uuid]), follow=True)
    assert Rsvp.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1
    assert "You had already booked this" in page_text(response)


def test_an_event_with_shifts_needs_a_shift(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    shift = ShiftFactory(event=event, capacity=1)
    signed_in(client)
    response = client.post(reverse("events:rsvp", args=[event.uuid]))
    assert response.status_code == 200 and "This field is required." in page_text(response)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:rsvp", args=[event.uuid]), {"shift": shift.pk})
    assert Rsvp.objects.get(event=event).shift == shift


def test_nobody_books_a_cancelled_or_finished_event(client):
    cancelled = EventFactory(status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    over = EventFactory(starts_at=in_days(-2))
    organiser = MembershipFactory(group=cancelled.host, role="organiser").person
    TOTP.activate(organiser.user, generate_totp_secret())
    signed_in(client, organiser)

    page = page_text(client.get(cancelled.get_absolute_url()))
    assert "This event has been cancelled." in page and 'class="rsvp-form"' not in page
    assert client.post(reverse("events:rsvp", args=[cancelled.uuid])).status_code == 403
    client.logout()
    page = page_text(client.get(over.get_absolute_url()))
    assert "This event is over." in page and 'class="rsvp-form"' not in page
    assert client.post(reverse("events:rsvp", args=[over.uuid]), {"guest_name": "A", "guest_email": "a@example.org"})
    assert not Rsvp.objects.exists()


# --- signed links -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["nonsense", "abc:def:ghi"])
def test_a_bad_token_is_404(client, token):
    assert client.get(reverse("events:rsvp_manage", args=[token])).status_code == 404
    assert client.post(reverse("events:rsvp_cancel", args=[token])).status_code == 404


def test_a_check_in_token_is_not_a_manage_token_and_tokens_expire():
    rsvp = RsvpFactory()
    check_in = tokens.rsvp_token(rsvp, tokens.CHECK_IN)
    with pytest.raises(signing.BadSignature):
        tokens.rsvp_from_token(check_in, tokens.MANAGE)
    assert tokens.rsvp_from_token(check_in, tokens.CHECK_IN) == rsvp
    manage = tokens.rsvp_token(rsvp, tokens.MANAGE)
    later = timezone.now() + tokens.TOKEN_MAX_AGE + datetime.timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.time", lambda: later.timestamp())
        with pytest.raises(signing.SignatureExpired):
            tokens.rsvp_from_token(manage, tokens.MANAGE)
    assert tokens.check_in_url(rsvp).startswith("http://127.0.0.1:8000/events/check-in/")
    assert tokens.manage_url(rsvp).startswith("http://127.0.0.1:8000/events/rsvp/")


def test_a_token_stops_working_when_the_person_is_erased(client):
    rsvp = RsvpFactory()
    token = tokens.rsvp_token(rsvp, tokens.MANAGE)
    Rsvp.objects.filter(pk=rsvp.pk).update(person=None, erased_at=timezone.now())
    assert client.get(reverse("events:rsvp_manage", args=[token])).status_code == 404


# --- calendars -------------------------------------------------------------------------------------------------------


def test_an_events_ical_download_parses_with_its_timezone(client):
    event = EventFactory(title="Doors in Allenton")
    response = client.get(reverse("events:event_ical", args=[event.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="doors-in-allenton.ics"' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Doors in Allenton"
    assert vevent["DTSTART"].dt == event.starts_at.replace(microsecond=0)
    assert str(vevent["DTSTART"].dt.tzinfo) == "Europe/London"
    assert str(vevent["URL"]) == f"http://testserver/events/{event.uuid}/"


def test_a_groups_feed_holds_its_public_events_and_its_subgroups(client):
    region = GroupFactory(slug="east-midlands", level="regional")
    derby = GroupFactory(parent=region)
    EventFactory(host=region, title="Regional rally")
    EventFactory(host=derby, title="Derby doors")
    EventFactory(host=derby, title="Members only", visibility=Event.Visibility.MEMBERS)
    EventFactory(title="Elsewhere")

    response = client.get(reverse("events:group_ical", args=["east-midlands"]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    summaries = {str(v["SUMMARY"]) for v in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}
    assert summaries == {"Regional rally", "Derby doors"}
    assert client.get(reverse("events:group_ical", args=["no-such-group"])).status_code == 404


# --- the sessions fragment -------------------------------------------------------------------------------------------


def test_the_sessions_fragment_lists_campaign_sessions_per_seat_for_out_of_band_swaps(client):
    north, south = make_seat("Derby North", "E14000663"), make_seat("Derby South", "E14000664")
    session = EventFactory(title="Doors north", target_seat=north)
    EventFactory(title="Rally north", kind=Event.Kind.RALLY, target_seat=north)
    EventFactory(title="Members' doors", target_seat=north, visibility=Event.Visibility.MEMBERS)

    response = client.get(reverse("events:sessions"), {"seats": "E14000663,e14000664,bogus"})

    body = page_text(response)
    assert response.status_code == 200
    assert 'id="seat-sessions-E14000663" hx-swap-oob="true"' in body
    assert 'id="seat-sessions-E14000664" hx-swap-oob="true"' in body
    assert "Doors north" in body and "Rally north" not in body and "Members' doors" not in body
    assert "No campaign sessions planned here yet." in body
    assert f'href="{session.get_absolute_url()}#book"' in body  # guests book on the event page
    assert "csrfmiddlewaretoken" not in body
    assert south  # listed though empty


def test_signed_in_people_get_one_tap_buttons_per_shift_and_see_what_they_booked(client):
    seat = make_seat()
    event = EventFactory(target_seat=seat)
    morning = ShiftFactory(event=event, capacity=1)
    afternoon = ShiftFactory(event=event, capacity=5)
    RsvpFactory(event=event, shift=morning)
    person = signed_in(client)
    RsvpFactory(event=event, shift=afternoon, person=person)

    body = page_text(client.get(reverse("events:sessions"), {"seats": seat.code}))
    assert f'hx-post="{reverse("events:rsvp", args=[event.uuid])}"' in body
    assert f'name="shift" value="{morning.pk}"' in body and "Join the waiting list" in body
    assert "Booked" in body and f'value="{afternoon.pk}"' not in body


def test_one_tap_from_the_fragment_answers_htmx_with_a_fragment(client, django_capture_on_commit_callbacks):
    event = EventFactory(target_seat=make_seat())
    signed_in(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:rsvp", args=[event.uuid]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "You're booked: " in page_text(response)
    assert "<html" not in page_text(response)
    assert len(mail.outbox) == 1


def test_the_find_page_has_a_placeholder_for_each_seat_and_a_fallback_link():
    """places renders the placeholders (it imports nothing of events: the template names the URL, if it exists)."""

    def row(code):
        seat = SimpleNamespace(code=code, name=code, position="gain", standing=None, reason="")
        return SimpleNamespace(seat=seat, distance_km=1.0, rank=1)

    lookup = SimpleNamespace(
        location=SimpleNamespace(postcode="DE22 1AA"),
        election=SimpleNamespace(year=2024, boundary_set=SimpleNamespace(slug="2024")),
        constituency=None,
        targets=[row("E14000663"), row("E14000664")],
        excluded=[],
    )
    html = render_to_string("places/_find_results.html", {"lookup": lookup})
    assert 'id="seat-sessions-E14000663"' in html and 'id="seat-sessions-E14000664"' in html
    assert 'hx-get="/events/sessions/?seats=E14000663,E14000664"' in html
    assert "/events/?postcode=DE22%201AA&amp;kind=campaign" in html

"""Organiser pages, flow by flow: creating and changing events and shifts (times in UK time, errors on the fields),
cancelling, proposals and the approval queue, an event's management page and CSV export (audited), check-in from the
list and by QR link, attendance and no-shows, the follow-up message, and the dashboard's figures.

Who may reach which URL at all is the permission matrix's job (permission_rows_organiser.py); these tests are about
what the pages do, with the permission cases that matter most spelled out."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groundgame.core.models import AuditEvent, MessageDelivery
from groundgame.events import organiser_selectors, services, tokens
from groundgame.events.models import Event, LiftOffer, LiftRequest, Rsvp
from groundgame.people.models import ConsentEvent, LocalGroup, Membership, Person, Purpose
from groundgame.people.services import consent_record
from tests.people.factories import GroupFactory, MembershipFactory, PersonFactory, PersonWithUserFactory, organiser_of

from .factories import EventFactory, RsvpFactory, ShiftFactory, in_days, make_seat

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def sign_in(client, person: Person):
    """Sign in; organisers get an authenticator app (they are sent to set one up otherwise)."""
    user = person.user
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return user


@pytest.fixture
def region():
    return GroupFactory(name="East Midlands", slug="east-midlands", level=LocalGroup.Level.REGIONAL)


@pytest.fixture
def group(region):
    return GroupFactory(name="Derby", slug="derby", parent=region)


@pytest.fixture
def other_group():
    return GroupFactory(name="Bolton", slug="bolton")


@pytest.fixture
def organiser(group):
    return organiser_of(group)


@pytest.fixture
def member(group):
    return MembershipFactory(group=group).person


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(group, **overrides) -> dict:
    return {
        "host": group.pk,
        "kind": Event.Kind.CANVASSING,
        "title": "Doors in Allenton",
        "description": "Meet at the library.",
        "visibility": Event.Visibility.PUBLIC,
        "starts_at": "2031-07-05T10:00",
        "ends_at": "2031-07-05T13:00",
        "venue_name": "Allenton library",
        "venue_address": "",
        "venue_postcode": "de22 1aa",
        "online_url": "",
        "target_seat": "",
        "capacity": "20",
        "accessibility": "Step-free access.",
        "organiser_contact": "",
    } | overrides


def booked_with_basis(event, n, shift=None) -> list[Rsvp]:
    """Bookings made through the service (which records the basis for event messages)."""
    return [services.rsvp_create(event=event, shift=shift, person=PersonFactory(), acting=None) for _ in range(n)]


def past_event(group, **values):
    return EventFactory(host=group, starts_at=in_days(-1, hour=10), ends_at=in_days(-1, hour=13), **values)


def move_to_yesterday(event) -> Event:
    """An event booked while it was ahead, now over."""
    Event.objects.filter(pk=event.pk).update(starts_at=in_days(-1, hour=10), ends_at=in_days(-1, hour=13))
    event.refresh_from_db()
    return event


# --- creating and changing events --------------------------------------------------------------------------------


def test_an_organiser_creates_an_event_in_uk_time_and_lands_on_its_management_page(client, places, group, organiser):
    sign_in(client, organiser)
    seat = make_seat()
    data = form_data(group, target_seat=seat.pk, organiser_contact=organiser.pk)

    response = client.post(reverse("events:organise_create"), data)

    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("events:organise_event", args=[event.uuid])
    assert event.status == Event.Status.APPROVED and event.host == group and event.target_seat == seat
    # 10:00 in July is British Summer Time: 09:00 UTC.
    assert event.starts_at == datetime.datetime(2031, 7, 5, 9, 0, tzinfo=datetime.UTC)
    assert event.venue_postcode == "DE22 1AA" and event.capacity == 20 and event.organiser_contact == organiser
    assert AuditEvent.objects.filter(action="event.create", target_id=str(event.pk)).exists()


def test_winter_times_are_gmt(client, places, group, organiser):
    sign_in(client, organiser)

    client.post(
        reverse("events:organise_create"), form_data(group, starts_at="2031-12-06T10:00", ends_at="2031-12-06T12:00")
    )

    assert Event.objects.get().starts_at == datetime.datetime(2031, 12, 6, 10, 0, tzinfo=datetime.UTC)


def test_host_choices_are_only_the_groups_the_user_organises(client, places, group, other_group, organiser):
    sign_in(client, organiser)

    page = client.get(reverse("events:organise_create"))
    response = client.post(reverse("events:organise_create"), form_data(other_group))

    assert list(page.context["form"].fields["host"].queryset) == [group]
    assert response.status_code == 400 and "host" in response.context["form"].errors
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2031-07-05T09:00"}, "ends_at"),
        ({"venue_postcode": "", "online_url": ""}, "venue_postcode"),
        ({"venue_postcode": "not a postcode"}, "venue_postcode"),
        ({"venue_postcode": "DE22"}, "venue_postcode"),
        ({"venue_postcode": "BX1 1LT"}, "venue_postcode"),  # well formed, but unknown: the service says so
        ({"starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T12:00"}, "ends_at"),
        ({"starts_at": "2031-03-30T01:30", "ends_at": "2031-03-30T03:00"}, "starts_at"),  # the clocks skip 01:30
        ({"title": ""}, "title"),
        ({"capacity": "-1"}, "capacity"),
        ({"online_url": "not a link", "venue_postcode": ""}, "online_url"),
    ],
)
def test_bad_input_is_shown_on_its_field(client, places, group, organiser, overrides, field):
    sign_in(client, organiser)

    response = client.post(reverse("events:organise_create"), form_data(group, **overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert b'class="field-error"' in response.content
    assert not Event.objects.exists()


def test_a_member_cannot_create_events(client, member):
    sign_in(client, member)

    assert client.get(reverse("events:organise_create")).status_code == 403


def test_raising_the_places_moves_people_up_from_the_waiting_list(client, places, group, organiser):
    event = EventFactory(host=group, capacity=1)
    first, second, third = booked_with_basis(event, 3)
    assert [r.status for r in (first, second, third)] == ["confirmed", "waitlisted", "waitlisted"]
    sign_in(client, organiser)
    data = form_data(
        group,
        title=event.title,
        starts_at=timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        capacity="2",
    )

    response = client.post(reverse("events:organise_edit", args=[event.uuid]), data)

    assert response.status_code == 302
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == ("confirmed", "waitlisted")
    assert "1 person moved up from the waiting list." in messages_of(response)
    assert AuditEvent.objects.filter(action="rsvp.promote", target_id=str(second.pk)).exists()
    assert "capacity" in AuditEvent.objects.get(action="event.update").fields


def test_raising_a_shifts_places_moves_people_up_on_that_shift(client, group, organiser):
    event = EventFactory(host=group)
    shift = ShiftFactory(event=event, capacity=1)
    _first, second = booked_with_basis(event, 2, shift=shift)
    sign_in(client, organiser)
    local = timezone.localtime

    response = client.post(
        reverse("events:organise_shift_edit", args=[event.uuid, shift.pk]),
        {
            "label": "Morning",
            "starts_at": local(shift.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local(shift.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "",  # no limit
        },
    )

    assert response.status_code == 302
    second.refresh_from_db()
    shift.refresh_from_db()
    assert second.status == "confirmed" and shift.capacity is None and shift.label == "Morning"


def test_shifts_are_added_within_the_events_times_and_removed_only_when_nobody_is_booked(client, group, organiser):
    event = EventFactory(host=group, starts_at=in_days(7, hour=10), ends_at=in_days(7, hour=16))
    sign_in(client, organiser)
    local = timezone.localtime
    url = reverse("events:organise_shift_create", args=[event.uuid])
    outside = {
        "label": "Late",
        "starts_at": local(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(event.ends_at + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "5",
    }
    inside = outside | {
        "label": "Morning",
        "starts_at": local(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(event.starts_at + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    }

    refused = client.post(url, outside)
    added = client.post(url, inside)

    assert refused.status_code == 400 and refused.context["form"].non_field_errors()
    assert added.status_code == 302
    shift = event.shifts.get()
    assert (shift.label, shift.capacity) == ("Morning", 5)
    booked_with_basis(event, 1, shift=shift)
    remove = reverse("events:organise_shift_delete", args=[event.uuid, shift.pk])
    response = client.post(remove)
    assert event.shifts.exists() and "cannot be removed" in " ".join(messages_of(response))
    Rsvp.objects.update(status="cancelled", cancelled_at=timezone.now())
    client.post(remove)
    assert not event.shifts.exists()
    assert AuditEvent.objects.filter(action="shift.delete", target_id=str(shift.pk)).exists()


def test_cancelling_needs_the_confirmation_box(client, group, organiser):
    event = EventFactory(host=group)
    sign_in(client, organiser)
    url = reverse("events:organise_cancel", args=[event.uuid])

    page = client.get(url)
    unconfirmed = client.post(url, {})
    event.refresh_from_db()
    assert page.status_code == 200 and unconfirmed.status_code == 400 and event.status == Event.Status.APPROVED

    confirmed = client.post(url, {"confirm": "on"})
    event.refresh_from_db()
    assert confirmed.status_code == 302 and event.status == Event.Status.CANCELLED


def test_the_organiser_of_another_group_cannot_see_or_change_an_event(client, places, group, other_group):
    public = EventFactory(host=group)
    proposal = EventFactory(host=group, status=Event.Status.PROPOSED, approved_at=None)
    outsider = organiser_of(other_group)
    sign_in(client, outsider)

    assert client.get(reverse("events:organise_event", args=[public.uuid])).status_code == 403
    assert client.get(reverse("events:organise_event", args=[proposal.uuid])).status_code == 404
    assert client.post(reverse("events:organise_edit", args=[public.uuid]), form_data(group)).status_code == 403
    assert client.get(reverse("events:organise_rsvps_csv", args=[public.uuid])).status_code == 403
    assert client.post(reverse("events:organise_approve", args=[proposal.uuid])).status_code == 404
    assert client.post(reverse("events:organise_cancel", args=[public.uuid]), {"confirm": "on"}).status_code == 403
    public.refresh_from_db()
    assert (
        public.status == Event.Status.APPROVED and not AuditEvent.objects.filter(action__startswith="event.").exists()
    )


def test_another_events_rsvp_and_shift_are_not_found_through_this_events_url(client, group, organiser):
    mine, theirs = EventFactory(host=group), EventFactory()
    rsvp, shift = RsvpFactory(event=theirs), ShiftFactory(event=theirs)
    sign_in(client, organiser)

    assert client.post(reverse("events:organise_rsvp_check_in", args=[mine.uuid, rsvp.pk])).status_code == 404
    assert client.get(reverse("events:organise_shift_edit", args=[mine.uuid, shift.pk])).status_code == 404


# --- proposals ---------------------------------------------------------------------------------------------------


def test_a_member_proposes_an_event_and_cannot_approve_it(client, places, group, member):
    sign_in(client, member)

    page = client.get(reverse("events:organise_propose"))
    response = client.post(reverse("events:organise_propose"), form_data(group))

    assert list(page.context["form"].fields["host"].queryset) == [group]
    assert "organiser_contact" not in page.context["form"].fields
    event = Event.objects.get()
    assert response.status_code == 302
    assert event.status == Event.Status.PROPOSED and event.proposed_by == member and event.organiser_contact == member
    assert client.post(reverse("events:organise_approve", args=[event.uuid])).status_code == 403
    assert client.get(reverse("events:organise_proposals")).status_code == 403
    event.refresh_from_db()
    assert event.status == Event.Status.PROPOSED


def test_a_member_cannot_propose_to_a_group_they_do_not_belong_to(client, places, group, other_group, member):
    sign_in(client, member)

    response = client.post(reverse("events:organise_propose"), form_data(other_group))

    assert response.status_code == 400 and "host" in response.context["form"].errors


def test_someone_in_no_group_is_told_to_join_one(client):
    sign_in(client, PersonWithUserFactory())

    response = client.get(reverse("events:organise_propose"))

    assert response.status_code == 200 and response.context["no_groups"]
    assert reverse("people:groups").encode() in response.content


def test_organisers_of_the_group_and_its_region_approve_from_the_queue(client, region, group, member):
    proposal = EventFactory(host=group, status=Event.Status.PROPOSED, approved_at=None, proposed_by=member)
    regional = organiser_of(region)
    sign_in(client, regional)

    queue = client.get(reverse("events:organise_proposals"))
    response = client.post(reverse("events:organise_approve", args=[proposal.uuid]))

    assert list(queue.context["proposals"]) == [proposal]
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Event.Status.APPROVED


def test_declining_cancels_the_proposal_and_emails_the_proposer_the_reason(
    client, group, organiser, member, django_capture_on_commit_callbacks
):
    proposal = EventFactory(host=group, status=Event.Status.PROPOSED, approved_at=None, proposed_by=member)
    consent_record(
        person=member,
        purpose=Purpose.EVENTS,
        basis=ConsentEvent.Basis.LEGITIMATE_INTERESTS,
        action=ConsentEvent.Action.GIVEN,
        method=ConsentEvent.Method.WEB_FORM,
        acting=None,
    )
    sign_in(client, organiser)
    url = reverse("events:organise_decline", args=[proposal.uuid])

    without_reason = client.post(url, {"reason": " "})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "We already have a session that morning."})

    assert without_reason.status_code == 200 and "reason" in without_reason.context["form"].errors
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Event.Status.CANCELLED
    assert AuditEvent.objects.filter(action="event.decline", target_id=str(proposal.pk)).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    assert "We already have a session that morning." in mail.outbox[0].body


# --- the management page, CSV, attendance ------------------------------------------------------------------------


def test_the_management_page_lists_bookings_by_status_with_counts(
    client, group, organiser, django_assert_max_num_queries
):
    event = EventFactory(host=group, capacity=2)
    confirmed = booked_with_basis(event, 2)
    waiting = booked_with_basis(event, 2)
    services.rsvp_cancel(rsvp=confirmed[0], acting=None)  # the first waiting moves up
    RsvpFactory.create_batch(10, event=event)  # more rows must not mean more queries
    sign_in(client, organiser)

    with django_assert_max_num_queries(25):
        response = client.get(reverse("events:organise_event", args=[event.uuid]))

    context = response.context
    assert [r.pk for r in context["waitlisted"]] == [waiting[1].pk]
    assert context["waitlisted"][0].position == 1
    assert waiting[0].pk in {r.pk for r in context["confirmed"]} and len(context["cancelled"]) == 1
    assert waiting[1].person.email in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_csv_lists_the_bookings_and_records_an_export_per_person(client, group, organiser):
    event = EventFactory(host=group)
    shift = ShiftFactory(event=event, label="Morning")
    rsvps = booked_with_basis(event, 2, shift=shift)
    rsvps[0].person.first_name = "=HYPERLINK(1)"
    rsvps[0].person.save()
    sign_in(client, organiser)

    response = client.get(reverse("events:organise_rsvps_csv", args=[event.uuid]))

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv") and len(rows) == 2
    assert {row["email"] for row in rows} == {r.person.email for r in rsvps}
    assert rows[0]["shift"] == "Morning" and rows[0]["status"] == "confirmed"
    assert rows[0]["first_name"] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet
    audit = AuditEvent.objects.filter(action="people.export", reason=f"event {event.pk} RSVP export")
    assert {a.target_id for a in audit} == {str(r.person.pk) for r in rsvps}
    assert {"email", "phone", "rsvps"} <= set(audit[0].fields)


def test_the_organiser_contact_sees_the_list_but_cannot_export_or_edit(client, group):
    contact = MembershipFactory(group=group, role=Membership.Role.VOLUNTEER).person
    event = EventFactory(host=group, organiser_contact=contact)
    sign_in(client, contact)

    assert client.get(reverse("events:organise_event", args=[event.uuid])).status_code == 200
    assert client.get(reverse("events:organise_check_in_list", args=[event.uuid])).status_code == 200
    assert client.get(reverse("events:organise_rsvps_csv", args=[event.uuid])).status_code == 403
    assert client.get(reverse("events:organise_edit", args=[event.uuid])).status_code == 403
    assert client.get(reverse("events:organise_follow_up", args=[event.uuid])).status_code == 403


def test_checking_in_from_the_list_swaps_the_row_with_htmx(client, group, organiser):
    event = EventFactory(host=group, starts_at=in_days(0.05), ends_at=in_days(0.2))
    rsvp = booked_with_basis(event, 1)[0]
    sign_in(client, organiser)
    url = reverse("events:organise_rsvp_check_in", args=[event.uuid, rsvp.pk])

    listing = client.get(reverse("events:organise_check_in_list", args=[event.uuid]))
    response = client.post(url, headers={"HX-Request": "true"})

    assert url.encode() in listing.content
    assert response.status_code == 200 and f'id="check-in-{rsvp.pk}"'.encode() in response.content
    assert "Checked in" in response.content.decode() and b"<html" not in response.content
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None and rsvp.attendance == Rsvp.Attendance.ATTENDED


def test_checking_in_without_javascript_goes_back_to_the_list(client, group, organiser):
    event = EventFactory(host=group, starts_at=in_days(0.05), ends_at=in_days(0.2))
    rsvp = booked_with_basis(event, 1)[0]
    sign_in(client, organiser)

    response = client.post(reverse("events:organise_rsvp_check_in", args=[event.uuid, rsvp.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("events:organise_check_in_list", args=[event.uuid])


def test_the_check_in_list_finds_a_name(client, group, organiser):
    event = EventFactory(host=group)
    wanted = RsvpFactory(event=event, person=PersonFactory(first_name="Nadia", last_name="Okafor"))
    RsvpFactory(event=event, person=PersonFactory(first_name="Tom", last_name="Hughes"))
    sign_in(client, organiser)

    response = client.get(reverse("events:organise_check_in_list", args=[event.uuid]), {"q": "nadia"})

    assert [r.pk for r in response.context["rsvps"]] == [wanted.pk] and response.context["total"] == 2


def test_attendance_is_marked_after_the_start_and_the_rest_recorded_as_no_shows(client, group, organiser):
    event = past_event(group)
    came, missed, unknown = RsvpFactory.create_batch(3, event=event)
    sign_in(client, organiser)

    row = client.post(
        reverse("events:organise_rsvp_attendance", args=[event.uuid, came.pk]),
        {"attended": "1"},
        headers={"HX-Request": "true"},
    )
    client.post(reverse("events:organise_rsvp_attendance", args=[event.uuid, missed.pk]), {"attended": "0"})
    response = client.post(reverse("events:organise_no_shows", args=[event.uuid]))

    assert f'id="rsvp-{came.pk}"'.encode() in row.content and b'aria-pressed="true"' in row.content
    for rsvp in (came, missed, unknown):
        rsvp.refresh_from_db()
    assert (came.attendance, missed.attendance, unknown.attendance) == ("attended", "no_show", "no_show")
    assert "1 no-show recorded." in messages_of(response)


def test_the_follow_up_goes_to_those_who_came_and_counts_who_could_not_be_emailed(
    client, group, organiser, django_capture_on_commit_callbacks
):
    event = EventFactory(host=group)
    with_basis = booked_with_basis(event, 2)  # bookings made the usual way record the basis for event messages
    move_to_yesterday(event)
    without_basis = RsvpFactory(event=event)
    no_show = RsvpFactory(event=event)
    Rsvp.objects.filter(pk__in=[r.pk for r in with_basis] + [without_basis.pk]).update(attendance="attended")
    Rsvp.objects.filter(pk=no_show.pk).update(attendance="no_show")
    next_event = EventFactory(host=group, title="Next Saturday")
    sign_in(client, organiser)
    url = reverse("events:organise_follow_up", args=[event.uuid])

    page = client.get(url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            url,
            {
                "audience": "attended",
                "subject": "Thank you",
                "body": "You knocked on 400 doors.",
                "next_action": "Book the next session",
                "next_event": next_event.pk,
            },
        )

    assert page.context["counts"] == {"attended": 3, "no_show": 1, "confirmed": 4}
    assert response.status_code == 302 and len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.person.email for r in with_basis)
    body = mail.outbox[0].body
    assert "You knocked on 400 doors." in body and "Next: Book the next session" in body
    assert str(next_event.uuid) in body
    refused = MessageDelivery.objects.get(status="refused")
    assert refused.recipient_id == without_basis.person_id and refused.purpose == Purpose.EVENTS
    assert AuditEvent.objects.filter(action="event.follow_up", target_id=str(event.pk)).exists()


def test_the_follow_up_reports_what_was_sent(transactional_db, client, places):
    """Outside a test transaction the messages go when the view's writes commit, and the page says how it went."""
    group = GroupFactory()
    organiser = organiser_of(group)
    event = EventFactory(host=group)
    sent = booked_with_basis(event, 1)[0]
    move_to_yesterday(event)
    refused = RsvpFactory(event=event)
    Rsvp.objects.filter(pk__in=[sent.pk, refused.pk]).update(attendance="attended")
    sign_in(client, organiser)

    response = client.post(
        reverse("events:organise_follow_up", args=[event.uuid]),
        {"audience": "attended", "subject": "Thank you", "body": "See you soon."},
    )

    assert messages_of(response) == [
        "1 email sent.",
        "1 person was not emailed: they have not agreed to messages about events.",
    ]


def test_no_follow_up_before_the_event_starts(client, group, organiser):
    event = EventFactory(host=group)
    booked_with_basis(event, 1)
    sign_in(client, organiser)

    response = client.post(
        reverse("events:organise_follow_up", args=[event.uuid]),
        {"audience": "confirmed", "subject": "Hi", "body": "Soon."},
    )

    assert response.status_code == 400 and not mail.outbox


# --- check-in by QR link -----------------------------------------------------------------------------------------


def qr_path(rsvp) -> str:
    return reverse("events:check_in", args=[tokens.rsvp_token(rsvp, tokens.CHECK_IN)])


def test_an_organiser_opening_the_qr_link_sees_the_person_and_checks_them_in(client, group, organiser):
    event = EventFactory(host=group, starts_at=in_days(0.05), ends_at=in_days(0.2))
    rsvp = booked_with_basis(event, 1)[0]
    sign_in(client, organiser)

    page = client.get(qr_path(rsvp))
    response = client.post(qr_path(rsvp))
    after = client.get(qr_path(rsvp))

    assert page.status_code == 200 and str(rsvp.person) in page.content.decode()
    assert b'class="button button--huge"' in page.content
    assert response.status_code == 302
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None
    assert "Checked in at" in after.content.decode()


def test_the_qr_link_is_for_the_events_organisers_only(client, group, other_group, member):
    event = EventFactory(host=group, starts_at=in_days(0.05), ends_at=in_days(0.2))
    rsvp = booked_with_basis(event, 1)[0]
    path = qr_path(rsvp)

    anonymous = client.get(path)
    sign_in(client, member)
    as_member = client.post(path)
    sign_in(client, organiser_of(other_group))
    as_outsider = client.get(path)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    assert as_member.status_code == 403 and as_outsider.status_code == 403
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_a_forged_or_manage_token_is_not_found(client, group, organiser):
    rsvp = booked_with_basis(EventFactory(host=group), 1)[0]
    sign_in(client, organiser)

    assert client.get(reverse("events:check_in", args=["forged"])).status_code == 404
    manage = tokens.rsvp_token(rsvp, tokens.MANAGE)
    assert client.get(reverse("events:check_in", args=[manage])).status_code == 404


def test_check_in_waits_until_three_hours_before_the_start(client, group, organiser):
    rsvp = booked_with_basis(EventFactory(host=group), 1)[0]  # in a week
    sign_in(client, organiser)

    page = client.get(qr_path(rsvp))
    response = client.post(qr_path(rsvp))

    assert b"button--huge" not in page.content and "three hours" in page.content.decode()
    assert response.status_code == 400
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


# --- the dashboard -----------------------------------------------------------------------------------------------


def test_the_dashboard_shows_bookings_attendance_volunteers_per_seat_and_lifts(
    client, group, other_group, organiser, django_assert_max_num_queries
):
    seat = make_seat()
    upcoming = EventFactory(host=group, capacity=10, target_seat=seat)
    booked = booked_with_basis(upcoming, 3)
    with_shifts = EventFactory(host=group)
    ShiftFactory(event=with_shifts, capacity=4)
    ShiftFactory(event=with_shifts, capacity=6)
    past = past_event(group, target_seat=seat)
    RsvpFactory(event=past, person=booked[0].person, attendance="attended")  # the same volunteer, twice
    RsvpFactory(event=past, attendance="attended")
    RsvpFactory(event=past, attendance="no_show")
    EventFactory(host=other_group, target_seat=seat)  # not theirs
    driver, rider = PersonFactory(), PersonFactory()
    offer = LiftOffer.objects.create(event=upcoming, driver=driver, pickup_postcode="DE1 1AA", seats=3, seats_taken=1)
    LiftRequest.objects.create(
        event=upcoming,
        rider=rider,
        offer=offer,
        status="confirmed",
        confirmed_at=timezone.now(),
        matched_at=timezone.now(),
    )
    LiftRequest.objects.create(event=upcoming, rider=PersonFactory())
    sign_in(client, organiser)

    with django_assert_max_num_queries(22):  # the same for any number of events
        response = client.get(reverse("events:organise"))

    dashboard = response.context["dashboard"]
    rows = {row.event: row for row in dashboard.upcoming}
    assert set(rows) == {upcoming, with_shifts}
    assert (rows[upcoming].confirmed, rows[upcoming].places, rows[upcoming].full_percent) == (3, 10, 30)
    assert rows[with_shifts].places == 10
    assert [row.event for row in dashboard.past] == [past]
    assert (dashboard.attended, dashboard.no_shows, dashboard.attendance_percent) == (2, 1, 67)
    (seat_row,) = dashboard.seats
    assert (seat_row.seat, seat_row.sessions, seat_row.booked, seat_row.came) == (seat, 2, 5, 2)
    assert (dashboard.lifts.seats_offered, dashboard.lifts.filled, dashboard.lifts.looking) == (3, 1, 1)
    assert "67%" in response.content.decode()


def test_the_dashboard_is_for_organisers(client, member):
    sign_in(client, member)

    assert client.get(reverse("events:organise")).status_code == 403


def test_volunteers_per_seat_count_each_person_once_and_skip_cancelled_events(group):
    seat = make_seat()
    person = PersonFactory()
    for _ in range(2):
        RsvpFactory(event=EventFactory(host=group, target_seat=seat), person=person)
    cancelled = EventFactory(host=group, target_seat=seat, status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    RsvpFactory(event=cancelled)
    RsvpFactory(event=EventFactory(host=group, target_seat=seat, kind=Event.Kind.RALLY))  # not a campaign session

    (row,) = organiser_selectors.volunteers_by_seat(events=Event.objects.filter(host=group))

    assert (row.sessions, row.booked) == (2, 1)


def test_times_on_the_edit_form_are_shown_in_uk_time(client, group, organiser):
    event = EventFactory(
        host=group,
        starts_at=datetime.datetime(2031, 7, 5, 10, 0, tzinfo=LONDON),
        ends_at=datetime.datetime(2031, 7, 5, 13, 0, tzinfo=LONDON),
    )
    sign_in(client, organiser)

    response = client.get(reverse("events:organise_edit", args=[event.uuid]))

    assert b'value="2031-07-05T10:00"' in response.content


# --- the services behind these pages -----------------------------------------------------------------------------


def test_lowering_the_places_keeps_everyone_booked_and_later_bookings_wait(group):
    event = EventFactory(host=group, capacity=3)
    booked = booked_with_basis(event, 3)

    update = services.event_update(event=event, acting=None, capacity=1)
    late = booked_with_basis(event, 1)[0]

    assert update.changed == ["capacity"] and update.promoted == []
    assert all(Rsvp.objects.get(pk=r.pk).status == "confirmed" for r in booked)
    assert late.status == "waitlisted"


def test_an_update_that_changes_nothing_saves_nothing(group):
    event = EventFactory(host=group, capacity=3, title="Doors")

    update = services.event_update(event=event, acting=None, title=" Doors ", capacity=3)

    assert update.changed == [] and not AuditEvent.objects.filter(action="event.update").exists()


def test_an_event_cannot_be_moved_away_from_its_shifts_or_changed_once_cancelled(group):
    event = EventFactory(host=group, starts_at=in_days(7, hour=10), ends_at=in_days(7, hour=16))
    ShiftFactory(event=event, starts_at=event.starts_at, ends_at=event.starts_at + datetime.timedelta(hours=2))

    with pytest.raises(ValidationError, match="shifts must fall within"):
        services.event_update(event=event, acting=None, starts_at=event.starts_at + datetime.timedelta(hours=1))
    services.event_cancel(event=event, acting=None)
    with pytest.raises(ValidationError, match="cancelled"):
        services.event_update(event=event, acting=None, title="Other")


def test_a_new_venue_postcode_moves_the_event(places, group):
    event = EventFactory(host=group)

    update = services.event_update(event=event, acting=None, venue_postcode="ng1 1aa")

    event.refresh_from_db()
    assert event.venue_postcode == "NG1 1AA" and set(update.changed) == {"venue_postcode", "latitude", "longitude"}
    assert (event.latitude, event.longitude) == (52.9548, -1.1581)


def test_declining_needs_a_reason_and_a_proposal(group, member):
    approved = EventFactory(host=group)
    proposal = EventFactory(host=group, status=Event.Status.PROPOSED, approved_at=None, proposed_by=member)

    with pytest.raises(ValidationError):
        services.event_decline(event=proposal, acting=None, reason="")
    with pytest.raises(ValidationError, match="Only a proposed event"):
        services.event_decline(event=approved, acting=None, reason="No.")


def test_a_follow_up_to_no_shows_goes_to_each_person_once(group, django_capture_on_commit_callbacks):
    event = EventFactory(host=group)
    shifts = ShiftFactory.create_batch(2, event=event)
    person = PersonFactory()
    for shift in shifts:
        services.rsvp_create(event=event, shift=shift, person=person, acting=None)
    move_to_yesterday(event)
    Rsvp.objects.update(attendance="no_show")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.event_follow_up(
            event=event, acting=None, audience="no_show", subject="We missed you", body="Next time?"
        )

    assert (result.recipients, result.sent, result.no_basis, result.done) == (1, 1, 0, True)
    assert len(mail.outbox) == 1

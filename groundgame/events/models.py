"""Events: canvassing sessions, phone banks, rallies, festivals, socials and gigs, trainings and meetings; their
shifts (time slots with places of their own) and RSVPs (confirmed, waitlisted or cancelled; checked in; attended or
a no-show).

Every event takes place in Europe/London; times are stored in UTC (USE_TZ) and shown in local time. Capacity is
enforced by `services.rsvp_create` under a lock on the event row (a count cannot be a constraint); the database
holds every other invariant: one live RSVP per person per shift, events and shifts end after they start,
capacities are not negative, an RSVP names a person until erasure.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import EventQuerySet, RsvpQuerySet


class Event(models.Model):
    """Something people come to, hosted by a group. Volunteer-hosted events start as proposals that organisers of
    the host group (or of a group above it) approve."""

    class Kind(models.TextChoices):
        CANVASSING = "canvassing", _("Canvassing session")
        PHONE_BANK = "phonebank", _("Phone bank")
        RALLY = "rally", _("Rally")
        FESTIVAL = "festival", _("Festival")
        SOCIAL = "social", _("Social or gig")
        TRAINING = "training", _("Training")
        MEETING = "meeting", _("Meeting")

    # Campaign sessions: the work that wins a target seat.
    CAMPAIGN_KINDS = (Kind.CANVASSING, Kind.PHONE_BANK)

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(_("share id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    visibility = models.CharField(
        _("who can see it"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    host = models.ForeignKey(
        "people.LocalGroup", on_delete=models.PROTECT, related_name="events", verbose_name=_("host group")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    venue_postcode = models.CharField(_("venue postcode"), max_length=8, blank=True)  # normalised, e.g. "DE22 1AA"
    # Where the venue postcode lies (the postcode's centroid, or its district's when the postcode is unknown).
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    target_seat = models.ForeignKey(
        "places.Constituency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target seat"),
    )
    # Places for RSVPs to the whole event (an event with shifts counts places per shift). Empty: no limit.
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    organiser_contact = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_by = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        indexes = [
            models.Index(fields=["status", "ends_at"], name="event_upcoming"),
            # Status first, as in event_upcoming: SQLite (without ANALYZE statistics) then prefers this index for a
            # search near a point, whose latitude range is two-sided, over scanning every upcoming event.
            models.Index(fields=["status", "latitude", "longitude"], name="event_location"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_it_starts",
                violation_error_message=_("An event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="event_capacity_not_negative",
                violation_error_message=_("Places cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(venue_postcode="") | ~Q(online_url=""),
                name="event_has_a_venue_or_a_link",
                violation_error_message=_("Give the venue's postcode or an online link."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="event_located_by_both_coordinates",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="event_cancelled_when_cancelled_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="event_approved_with_a_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event", args=[self.uuid])

    @property
    def is_campaign_session(self) -> bool:
        return self.kind in self.CAMPAIGN_KINDS

    @property
    def is_online(self) -> bool:
        return not self.venue_postcode and bool(self.online_url)

    @property
    def local_starts_at(self):
        return timezone.localtime(self.starts_at)

    @property
    def local_ends_at(self):
        return timezone.localtime(self.ends_at)


class EventProposal(Event):
    """An event seen from the member who proposed it. Only the privacy registry uses it: an entry there follows one
    path to a person, and an event names two people (its organiser contact and its proposer)."""

    class Meta:
        proxy = True
        verbose_name = _("event proposal")


class Shift(models.Model):
    """A time slot of an event with places of its own ("Saturday morning doors", "Phone bank 6-8pm")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    label = models.CharField(_("label"), max_length=80, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)  # empty: no limit

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("shift")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="shift_ends_after_it_starts",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="shift_capacity_not_negative",
                violation_error_message=_("Places cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.label or timezone.localtime(self.starts_at).strftime("%a %d %b %H:%M")


class Rsvp(models.Model):
    """A person's booking for an event, or for one shift of it.

    A guest (someone RSVPing without signing in) is a person too, recorded without an account: consent, messages,
    subject access and erasure all work on people. After erasure the row stays without a person, so attendance
    figures keep their counts."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE = (Status.CONFIRMED, Status.WAITLISTED)

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Not recorded")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, null=True, blank=True, related_name="rsvps")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="rsvps")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    booked_as_guest = models.BooleanField(_("booked without signing in"), default=False)
    # Waiting-list order is (created_at, pk): the earliest waitlisted RSVP is promoted first.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    attendance = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices, blank=True, default="")
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    objects = RsvpQuerySet.as_manager()

    class Meta:
        ordering = ["event_id", "shift_id", "created_at", "pk"]
        verbose_name = _("RSVP")
        indexes = [models.Index(fields=["event", "shift", "status", "created_at"], name="rsvp_places")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "shift"],
                condition=Q(status__in=["confirmed", "waitlisted"], shift__isnull=False),
                name="rsvp_one_live_per_person_per_shift",
                violation_error_message=_("This person is already booked on this shift."),
            ),
            models.UniqueConstraint(
                fields=["person", "event"],
                condition=Q(status__in=["confirmed", "waitlisted"], shift__isnull=True),
                name="rsvp_one_live_per_person_per_event",
                violation_error_message=_("This person is already booked on this event."),
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(erased_at__isnull=False),
                name="rsvp_names_a_person_until_erased",
                violation_error_message=_("An RSVP needs a person."),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="rsvp_cancelled_when_cancelled_at",
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(attendance="attended"),
                name="rsvp_checked_in_means_attended",
            ),
            models.CheckConstraint(
                condition=Q(attendance="") | Q(status="confirmed"),
                name="rsvp_attendance_only_when_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"RSVP {self.pk}: person {self.person_id} for event {self.event_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


# --- lifts -------------------------------------------------------------------------------------------------------

LIFT_MAX_SEATS = 8


class LiftOffer(models.Model):
    """A driver's free seats to an event, from a pickup postcode. `seats_taken` counts the riders the driver has
    accepted (their requests hold a seat); the services change it under the event's lock and the database refuses
    more riders than seats (constraint lift_offer_not_over_allocated).

    Riders see the pickup's district and its distance from them; the full postcode, the driver's name and contact
    details only once a lift is confirmed by both. After erasure the row stays, without a driver, as a count."""

    MAX_SEATS = LIFT_MAX_SEATS

    class Status(models.TextChoices):
        OPEN = "open", _("Offered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="lift_offers")
    driver = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="lift_offers"
    )
    pickup_postcode = models.CharField(_("pickup postcode"), max_length=8, blank=True)  # normalised; "" once erased
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    seats = models.PositiveSmallIntegerField(_("free seats"))
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        ordering = ["event_id", "created_at", "pk"]
        verbose_name = _("lift offer")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=LIFT_MAX_SEATS),
                name="lift_offer_seats_between_1_and_8",
                violation_error_message=_("Offer between 1 and 8 seats."),
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__gte=0, seats_taken__lte=F("seats")),
                name="lift_offer_not_over_allocated",
                violation_error_message=_("There are no free seats left in this car."),
            ),
            models.UniqueConstraint(
                fields=["event", "driver"],
                condition=Q(status="open"),
                name="lift_offer_one_open_per_driver_per_event",
                violation_error_message=_("You are already offering a lift to this event."),
            ),
            models.CheckConstraint(
                condition=Q(driver__isnull=False) | Q(erased_at__isnull=False),
                name="lift_offer_names_a_driver_until_erased",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="lift_offer_located_by_both_coordinates",
            ),
            models.CheckConstraint(
                condition=Q(status="withdrawn", withdrawn_at__isnull=False)
                | (~Q(status="withdrawn") & Q(withdrawn_at__isnull=True)),
                name="lift_offer_withdrawn_when_withdrawn_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Lift offer {self.pk}: {self.seats_taken}/{self.seats} seats to event {self.event_id} ({self.status})"

    @property
    def seats_free(self) -> int:
        return max(0, self.seats - self.seats_taken)

    @property
    def pickup_district(self) -> str:
        """The outward code ("DE22"): what riders see before a lift is confirmed."""
        return self.pickup_postcode.split(" ")[0]


class LiftRequest(models.Model):
    """A rider asking for a lift to an event, from their postcode; and, once matched, their seat on one offer.

    open (looking) -> requested (asked one driver) -> accepted (the driver said yes: a seat is held) -> confirmed
    (the rider said yes too: each sees the other's name and contact details). A driver may also invite an open
    request straight to accepted. Declining goes back to open; cancelling ends it (a held seat is freed)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Looking for a lift")
        REQUESTED = "requested", _("Asked a driver")
        ACCEPTED = "accepted", _("Seat offered: waiting for the rider")
        CONFIRMED = "confirmed", _("Lift confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE = (Status.OPEN, Status.REQUESTED, Status.ACCEPTED, Status.CONFIRMED)
    MATCHED = (Status.REQUESTED, Status.ACCEPTED, Status.CONFIRMED)  # linked to an offer
    HOLDS_SEAT = (Status.ACCEPTED, Status.CONFIRMED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="lift_requests")
    rider = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="lift_requests"
    )
    # RESTRICT: an offer is only ever deleted with its event (or its driver), never from under a rider's request.
    offer = models.ForeignKey(LiftOffer, on_delete=models.RESTRICT, null=True, blank=True, related_name="requests")
    postcode = models.CharField(_("postcode"), max_length=8, blank=True)  # normalised; "" once erased
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        ordering = ["event_id", "created_at", "pk"]
        verbose_name = _("lift request")
        indexes = [models.Index(fields=["event", "status"], name="liftrequest_event_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "rider"],
                condition=Q(status__in=["open", "requested", "accepted", "confirmed"]),
                name="lift_request_one_live_per_rider_per_event",
                violation_error_message=_("You are already asking for a lift to this event."),
            ),
            models.CheckConstraint(
                condition=Q(offer__isnull=True, status="open")
                | Q(offer__isnull=False, status__in=["requested", "accepted", "confirmed"])
                | Q(status="cancelled"),
                name="lift_request_matched_has_an_offer",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="lift_request_confirmed_with_a_time",
            ),
            models.CheckConstraint(
                condition=Q(rider__isnull=False) | Q(erased_at__isnull=False),
                name="lift_request_names_a_rider_until_erased",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="lift_request_located_by_both_coordinates",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="lift_request_cancelled_when_cancelled_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Lift request {self.pk}: rider {self.rider_id} to event {self.event_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def holds_seat(self) -> bool:
        return self.status in self.HOLDS_SEAT

    @property
    def district(self) -> str:
        return self.postcode.split(" ")[0]


# --- reminders ---------------------------------------------------------------------------------------------------


class Reminder(models.Model):
    """One reminder of one booking, and what became of it: written (claimed) before the message goes, so the
    unique (rsvp, kind) pair makes each reminder go at most once however many workers run (events.reminders)."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "day_before", _("The day before")
        MORNING_OF = "morning_of", _("The morning of the event")
        HOUR_BEFORE = "hour_before", _("An hour before")

    class Outcome(models.TextChoices):
        SENDING = "sending", _("Sending")  # claimed; left so if the worker died mid-send (never sent twice)
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")  # the email backend failed; retried while still on time
        REFUSED = "refused", _("Refused")  # no lawful basis, no address, or a suppressed address: not retried
        SKIPPED = "skipped", _("Skipped")  # too late to be useful

    rsvp = models.ForeignKey(Rsvp, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    due_at = models.DateTimeField(_("due at"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    handled_at = models.DateTimeField(_("handled at"), default=timezone.now)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("reminder")
        constraints = [
            models.UniqueConstraint(fields=["rsvp", "kind"], name="reminder_once_per_rsvp_and_kind"),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.kind} of RSVP {self.rsvp_id}: {self.outcome}"

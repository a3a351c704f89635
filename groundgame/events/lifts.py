"""Lifts to events: every write (reads are in lift_selectors.py). Keyword-only, atomic, validating, audited.

    rider   lift_request ............ asks for a lift from a postcode                     (open)
    rider   lift_request_seat ....... asks one driver for a seat                          (requested)
    driver  lift_accept ............. says yes: a seat is held                            (accepted)
    driver  lift_invite ............. or offers a seat to someone still looking          (accepted)
    rider   lift_confirm ............ says yes too: each now sees the other's contacts   (confirmed)
    either  lift_decline ............ ends the match; the rider is looking again          (open, seat freed)
    rider   lift_cancel ............. needs no lift after all                             (cancelled, seat freed)
    driver  lift_offer / lift_offer_withdraw: offers seats / can't drive after all (riders look again)

Only people with a live RSVP for the event (confirmed or waitlisted) may offer or ask, for an approved event with a
venue that has not started yet. `lifts_end_for` ends a person's lifts when their booking ends.

A seat is never given twice. Every write takes the event's lock, as the RSVP services do (SELECT ... FOR UPDATE on the
event row on PostgreSQL; SQLite's transactions begin IMMEDIATE), and re-reads its rows under it; a seat is taken with
a compare-and-set (`seats_taken < seats`); and the database refuses more riders than seats (constraint
lift_offer_not_over_allocated). tests/events/test_lifts.py races accepts on one seat.

Services validate; who may act on which offer or request is checked by the caller (lift_views).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.core.audit import audit_record
from groundgame.people.models import Person
from groundgame.places import postcodes
from groundgame.places.selectors import UnknownPostcode, locate_postcode

from .models import Event, LiftOffer, LiftRequest, Rsvp

NOTES_MAX = 300


# --- checks ------------------------------------------------------------------------------------------------------


def _lock(event: Event) -> Event:
    """The event's lock (the one the RSVP services take), and the event re-read under it."""
    event.refresh_from_db(from_queryset=Event.objects.select_for_update())
    return event


def check_open_for_lifts(event: Event) -> None:
    """New offers, requests and matches: an approved event with a venue, not started yet."""
    if event.status != Event.Status.APPROVED:
        raise ValidationError(_("This event is not going ahead."))
    if event.starts_at <= timezone.now():
        raise ValidationError(_("This event has started: lifts can no longer be arranged."))
    if event.latitude is None:
        raise ValidationError(_("This event is online: there is nowhere to give a lift to."))


def _check_not_over(event: Event) -> None:
    """Declining, cancelling and withdrawing: until the event is over."""
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over."))


def has_live_rsvp(*, event: Event, person: Person | None) -> bool:
    return (
        person is not None
        and person.erased_at is None
        and Rsvp.objects.live().filter(event=event, person=person).exists()
    )


def _check_booked(event: Event, person: Person | None, *, who: str = "you") -> None:
    if not has_live_rsvp(event=event, person=person):
        raise ValidationError(
            {
                "you": _("Book a place at the event first: lifts are for people who are coming."),
                "rider": _("The rider is no longer booked on this event."),
                "driver": _("The driver is no longer booked on this event."),
            }[who]
        )


def _located(text: str, field: str) -> tuple[str, float, float]:
    """(normalised postcode, latitude, longitude); the district's centre for a full postcode we don't hold."""
    try:
        parsed = postcodes.parse(text or "")
    except postcodes.InvalidPostcode:
        raise ValidationError({field: _("Enter a UK postcode like DE22 1AA.")}) from None
    if not parsed.is_full:
        raise ValidationError({field: _("Enter the full postcode, like DE22 1AA.")})
    try:
        where = locate_postcode(parsed.text)
    except UnknownPostcode:
        raise ValidationError({field: _("We can't find that postcode. Check it and try again.")}) from None
    return parsed.text, where.lat, where.lon


def _clean_notes(notes: str) -> str:
    notes = " ".join((notes or "").split())
    if len(notes) > NOTES_MAX:
        raise ValidationError({"notes": _("Keep notes under %(max)d characters.") % {"max": NOTES_MAX}})
    return notes


def _reload(lift_request: LiftRequest) -> tuple[LiftRequest, LiftOffer | None]:
    """The request and its offer, read again under the lock."""
    lift_request.refresh_from_db()
    offer = LiftOffer.objects.get(pk=lift_request.offer_id) if lift_request.offer_id else None
    lift_request.offer = offer
    return lift_request, offer


def _take_seat(offer: LiftOffer) -> None:
    """Compare-and-set: one more seat taken only while one is free (the constraint would refuse it anyway)."""
    taken = LiftOffer.objects.filter(pk=offer.pk, seats_taken__lt=F("seats")).update(seats_taken=F("seats_taken") + 1)
    if taken != 1:
        raise ValidationError(_("This car is full."))
    offer.refresh_from_db(fields=["seats_taken"])


def _free_seat(offer_id: int) -> None:
    LiftOffer.objects.filter(pk=offer_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def _save(lift_request: LiftRequest, fields: list[str], *, acting, action: str) -> LiftRequest:
    lift_request.save(update_fields=fields)
    audit_record(actor=acting, action=f"liftrequest.{action}", target=lift_request, fields=fields)
    return lift_request


def _back_to_looking(lift_request: LiftRequest, *, acting, action: str) -> LiftRequest:
    """End a match: free the seat it held; the rider is looking for a lift again."""
    if lift_request.holds_seat:
        _free_seat(lift_request.offer_id)
    lift_request.status, lift_request.offer = LiftRequest.Status.OPEN, None
    lift_request.matched_at = lift_request.confirmed_at = None
    return _save(lift_request, ["status", "offer", "matched_at", "confirmed_at"], acting=acting, action=action)


# --- drivers -----------------------------------------------------------------------------------------------------


@transaction.atomic
def lift_offer(*, event: Event, driver: Person, pickup_postcode: str, seats: int, notes: str = "", acting) -> LiftOffer:
    """Offer `seats` free seats to `event` from a pickup postcode."""
    postcode, lat, lon = _located(pickup_postcode, "pickup_postcode")
    notes = _clean_notes(notes)
    if not isinstance(seats, int) or not 1 <= seats <= LiftOffer.MAX_SEATS:
        raise ValidationError({"seats": _("Offer between 1 and %(max)d seats.") % {"max": LiftOffer.MAX_SEATS}})
    _lock(event)
    check_open_for_lifts(event)
    _check_booked(event, driver)
    if LiftOffer.objects.filter(event=event, driver=driver, status=LiftOffer.Status.OPEN).exists():
        raise ValidationError(_("You are already offering a lift to this event."))
    if LiftRequest.objects.filter(event=event, rider=driver, status__in=LiftRequest.LIVE).exists():
        raise ValidationError(_("You are asking for a lift to this event: cancel that first to offer one."))
    offer = LiftOffer(
        event=event,
        driver=driver,
        pickup_postcode=postcode,
        latitude=lat,
        longitude=lon,
        seats=seats,
        notes=notes,
    )
    offer.full_clean(exclude=["event", "driver"], validate_unique=False, validate_constraints=False)
    offer.save()
    audit_record(
        actor=acting,
        action="liftoffer.create",
        target=offer,
        fields=["event", "driver", "pickup_postcode", "latitude", "longitude", "seats", "notes"],
    )
    return offer


@transaction.atomic
def lift_offer_withdraw(*, offer: LiftOffer, acting) -> LiftOffer:
    """The driver can't go after all: the offer closes and its riders are looking for a lift again."""
    event = _lock(offer.event)
    offer.refresh_from_db()
    if offer.status == LiftOffer.Status.WITHDRAWN:
        return offer
    _check_not_over(event)
    for lift_request in LiftRequest.objects.filter(offer=offer, status__in=LiftRequest.MATCHED):
        _back_to_looking(lift_request, acting=acting, action="release")
    offer.refresh_from_db(fields=["seats_taken"])
    offer.status, offer.withdrawn_at = LiftOffer.Status.WITHDRAWN, timezone.now()
    offer.save(update_fields=["status", "withdrawn_at"])
    audit_record(actor=acting, action="liftoffer.withdraw", target=offer, fields=["status", "withdrawn_at"])
    return offer


@transaction.atomic
def lift_accept(*, lift_request: LiftRequest, acting) -> LiftRequest:
    """The driver says yes to a rider who asked: a seat is held for them until they confirm or decline."""
    event = _lock(lift_request.event)
    lift_request, offer = _reload(lift_request)
    if lift_request.status != LiftRequest.Status.REQUESTED:
        raise ValidationError(_("This rider is no longer waiting for an answer."))
    check_open_for_lifts(event)
    _check_booked(event, offer.driver)
    _check_booked(event, lift_request.rider, who="rider")
    _take_seat(offer)
    lift_request.status = LiftRequest.Status.ACCEPTED
    return _save(lift_request, ["status"], acting=acting, action="accept")


@transaction.atomic
def lift_invite(*, lift_request: LiftRequest, offer: LiftOffer, acting) -> LiftRequest:
    """The driver offers a seat to someone still looking for a lift: the seat is held until they confirm or
    decline."""
    event = _lock(lift_request.event)
    lift_request, _offer = _reload(lift_request)
    offer.refresh_from_db()
    _check_match(event, lift_request, offer)
    _check_booked(event, offer.driver)
    _check_booked(event, lift_request.rider, who="rider")
    _take_seat(offer)
    lift_request.status, lift_request.offer, lift_request.matched_at = (
        LiftRequest.Status.ACCEPTED,
        offer,
        timezone.now(),
    )
    return _save(lift_request, ["status", "offer", "matched_at"], acting=acting, action="invite")


# --- riders ------------------------------------------------------------------------------------------------------


@transaction.atomic
def lift_request(*, event: Event, rider: Person, postcode: str, notes: str = "", acting) -> LiftRequest:
    """Ask for a lift to `event` from a postcode."""
    postcode, lat, lon = _located(postcode, "postcode")
    notes = _clean_notes(notes)
    _lock(event)
    check_open_for_lifts(event)
    _check_booked(event, rider)
    if LiftRequest.objects.filter(event=event, rider=rider, status__in=LiftRequest.LIVE).exists():
        raise ValidationError(_("You are already asking for a lift to this event."))
    if LiftOffer.objects.filter(event=event, driver=rider, status=LiftOffer.Status.OPEN).exists():
        raise ValidationError(_("You are offering a lift to this event: withdraw it first to ask for one."))
    wanted = LiftRequest(event=event, rider=rider, postcode=postcode, latitude=lat, longitude=lon, notes=notes)
    wanted.full_clean(exclude=["event", "rider", "offer"], validate_unique=False, validate_constraints=False)
    wanted.save()
    audit_record(
        actor=acting,
        action="liftrequest.create",
        target=wanted,
        fields=["event", "rider", "postcode", "latitude", "longitude", "notes"],
    )
    return wanted


def _check_match(event: Event, lift_request: LiftRequest, offer: LiftOffer) -> None:
    check_open_for_lifts(event)
    if offer.event_id != lift_request.event_id:
        raise ValidationError(_("That lift is for another event."))
    if lift_request.status != LiftRequest.Status.OPEN:
        raise ValidationError(_("This rider has already been matched with a driver."))
    if offer.status != LiftOffer.Status.OPEN:
        raise ValidationError(_("This driver has withdrawn their offer."))
    if offer.driver_id == lift_request.rider_id:
        raise ValidationError(_("You can't give yourself a lift."))
    if offer.seats_free <= 0:
        raise ValidationError(_("This car is full."))


@transaction.atomic
def lift_request_seat(*, lift_request: LiftRequest, offer: LiftOffer, acting) -> LiftRequest:
    """The rider asks one driver for a seat; the driver accepts or declines. No seat is held yet."""
    event = _lock(lift_request.event)
    lift_request, _offer = _reload(lift_request)
    offer.refresh_from_db()
    _check_match(event, lift_request, offer)
    _check_booked(event, lift_request.rider)
    _check_booked(event, offer.driver, who="driver")
    lift_request.status, lift_request.offer, lift_request.matched_at = (
        LiftRequest.Status.REQUESTED,
        offer,
        timezone.now(),
    )
    return _save(lift_request, ["status", "offer", "matched_at"], acting=acting, action="ask")


@transaction.atomic
def lift_confirm(*, lift_request: LiftRequest, acting) -> LiftRequest:
    """The rider takes the seat the driver offered: the lift is confirmed by both, and each may now see the other's
    name and contact details."""
    event = _lock(lift_request.event)
    lift_request, offer = _reload(lift_request)
    if lift_request.status == LiftRequest.Status.CONFIRMED:
        return lift_request
    if lift_request.status != LiftRequest.Status.ACCEPTED:
        raise ValidationError(_("The driver hasn't offered you a seat yet."))
    check_open_for_lifts(event)
    _check_booked(event, lift_request.rider)
    _check_booked(event, offer.driver, who="driver")
    lift_request.status, lift_request.confirmed_at = LiftRequest.Status.CONFIRMED, timezone.now()
    return _save(lift_request, ["status", "confirmed_at"], acting=acting, action="confirm")


@transaction.atomic
def lift_decline(*, lift_request: LiftRequest, acting) -> LiftRequest:
    """End a match, whoever ends it (the driver saying no, or no longer; the rider turning down a seat): a held seat
    is freed and the rider is looking for a lift again."""
    event = _lock(lift_request.event)
    lift_request, _offer = _reload(lift_request)
    if lift_request.status not in LiftRequest.MATCHED:
        raise ValidationError(_("This lift is not arranged with a driver."))
    _check_not_over(event)
    return _back_to_looking(lift_request, acting=acting, action="decline")


@transaction.atomic
def lift_cancel(*, lift_request: LiftRequest, acting) -> LiftRequest:
    """The rider needs no lift after all: a held seat is freed."""
    event = _lock(lift_request.event)
    lift_request, _offer = _reload(lift_request)
    if lift_request.status == LiftRequest.Status.CANCELLED:
        return lift_request
    _check_not_over(event)
    if lift_request.holds_seat:
        _free_seat(lift_request.offer_id)
    lift_request.status, lift_request.cancelled_at = LiftRequest.Status.CANCELLED, timezone.now()
    return _save(lift_request, ["status", "cancelled_at"], acting=acting, action="cancel")


# --- when a booking ends -----------------------------------------------------------------------------------------


@transaction.atomic
def lifts_end_for(*, event: Event, person: Person, acting) -> None:
    """End `person`'s lifts to `event` once they are no longer booked on it (call it after cancelling a booking):
    their offer is withdrawn (its riders look again) and their request cancelled (its seat freed). Nothing happens
    while they still have a live booking (another shift), or once the event is over."""
    _lock(event)
    if event.ends_at <= timezone.now() or has_live_rsvp(event=event, person=person):
        return
    for offer in LiftOffer.objects.filter(event=event, driver=person, status=LiftOffer.Status.OPEN):
        lift_offer_withdraw(offer=offer, acting=acting)
    for wanted in LiftRequest.objects.filter(event=event, rider=person, status__in=LiftRequest.LIVE):
        lift_cancel(lift_request=wanted, acting=acting)


# --- erasure (called by the privacy registry's anonymise values: events/privacy.py) --------------------------------


def release_riders_on_erasure(offer: LiftOffer) -> None:
    """The driver's data is being erased before the event: their riders are looking for a lift again."""
    _lock(offer.event)
    for lift_request in LiftRequest.objects.filter(offer=offer, status__in=LiftRequest.MATCHED):
        _back_to_looking(lift_request, acting=None, action="release")


def free_seat_on_erasure(lift_request: LiftRequest) -> None:
    """The rider's data is being erased before the event: the seat they held goes back to the driver."""
    _lock(lift_request.event)
    if lift_request.holds_seat:
        _free_seat(lift_request.offer_id)

"""The lifts page of an event, and its actions: offer seats, ask for a lift, ask a driver, accept, invite, confirm,
decline, cancel, withdraw.

Who may do what:
- the page: any signed-in user who may see the event (404 otherwise); what they see is their own lifts only
  (events.lift_selectors.lifts_of), and another person's name and contact details only for a lift both confirmed;
- offering and asking: people with a live RSVP for the event (403 otherwise);
- acting on an offer or a request: its driver or its rider only. The objects are looked up through the signed-in
  person (their open offer, their live request), so anyone else's id answers 404, organisers and administrators
  included: lifts are between the two people.
Every write goes through events.lifts; a refusal (a full car, a withdrawn offer...) comes back as a message.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from groundgame.people.models import Person
from groundgame.people.rules import person_of

from . import lifts, selectors
from .lift_forms import LiftOfferForm, LiftRequestForm
from .lift_selectors import lifts_of
from .models import Event, LiftOffer, LiftRequest


def _event(request, uuid: UUID) -> Event:
    event = selectors.event_for(user=request.user, uuid=uuid)
    if event is None:
        raise Http404
    return event


def _page_url(event: Event, anchor: str = "") -> str:
    return reverse("events:lifts", args=[event.uuid]) + (f"#{anchor}" if anchor else "")


def _render(request, event: Event, *, offer_form=None, ask_form=None, status: int = 200):
    person = person_of(request.user)
    mine = lifts_of(event=event, person=person)
    postcode = person.postcode if person is not None else ""
    context = {
        "event": event,
        "mine": mine,
        "offer_form": offer_form or LiftOfferForm(prefix="offer", initial={"pickup_postcode": postcode}),
        "ask_form": ask_form or LiftRequestForm(prefix="ask", initial={"postcode": postcode}),
        "closed": _closed_reason(event),
    }
    return render(request, "events/lifts/lifts.html", context, status=status)


def _closed_reason(event: Event) -> str:
    try:
        lifts.check_open_for_lifts(event)
    except ValidationError as refusal:
        return " ".join(refusal.messages)
    return ""


def _booked_person(request, event: Event) -> Person:
    """The signed-in person, who must be booked on the event to offer or ask."""
    person = person_of(request.user)
    if not lifts.has_live_rsvp(event=event, person=person):
        raise PermissionDenied
    return person


def _add_errors(form, refusal: ValidationError) -> None:
    if hasattr(refusal, "error_dict"):
        for name, errors in refusal.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, refusal.messages)


def _act(request, event: Event, write, done: str, anchor: str = "my-lift"):
    """Run one write; say what happened (or why not) and go back to the lifts page."""
    try:
        write()
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, done)
    return redirect(_page_url(event, anchor))


def _me(request) -> Person:
    person = person_of(request.user)
    if person is None:
        raise Http404
    return person


def _my_offer(request, event: Event) -> LiftOffer:
    """The signed-in person's open offer to the event (404 when they have none)."""
    return get_object_or_404(
        LiftOffer.objects.select_related("event"), event=event, driver=_me(request), status=LiftOffer.Status.OPEN
    )


def _my_request(request, event: Event) -> LiftRequest:
    """The signed-in person's live request for a lift to the event (404 when they have none)."""
    return get_object_or_404(
        LiftRequest.objects.select_related("event"), event=event, rider=_me(request), status__in=LiftRequest.LIVE
    )


# --- the page ----------------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def lifts_page(request, uuid: UUID):
    """The signed-in person's lifts to the event: their offer and its riders, or their request and the drivers near
    them; the two forms while they have neither."""
    return _render(request, _event(request, uuid))


# --- drivers -----------------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_POST
def lift_offer(request, uuid: UUID):
    event = _event(request, uuid)
    driver = _booked_person(request, event)
    form = LiftOfferForm(request.POST, prefix="offer")
    if form.is_valid():
        try:
            lifts.lift_offer(event=event, driver=driver, acting=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            _add_errors(form, refusal)
        else:
            messages.success(request, _("Thank you: your lift is offered. Riders near you can now ask for a seat."))
            return redirect(_page_url(event, "my-lift"))
    return _render(request, event, offer_form=form)


@login_required
@require_POST
def lift_offer_withdraw(request, uuid: UUID):
    event = _event(request, uuid)
    offer = _my_offer(request, event)
    return _act(
        request,
        event,
        lambda: lifts.lift_offer_withdraw(offer=offer, acting=request.user),
        _("Your lift offer is withdrawn. Your riders are looking for another lift."),
        anchor="",
    )


def _request_on_my_offer(request, event: Event, pk: int) -> LiftRequest:
    offer = _my_offer(request, event)
    return get_object_or_404(LiftRequest.objects.select_related("event"), pk=pk, event=event, offer=offer)


@login_required
@require_POST
def lift_accept(request, uuid: UUID, pk: int):
    event = _event(request, uuid)
    wanted = _request_on_my_offer(request, event, pk)
    return _act(
        request,
        event,
        lambda: lifts.lift_accept(lift_request=wanted, acting=request.user),
        _("Seat offered. Once the rider confirms, you'll both see each other's contact details."),
    )


@login_required
@require_POST
def lift_decline(request, uuid: UUID, pk: int):
    event = _event(request, uuid)
    wanted = _request_on_my_offer(request, event, pk)
    return _act(
        request,
        event,
        lambda: lifts.lift_decline(lift_request=wanted, acting=request.user),
        _("Done: the rider can look for another lift."),
    )


@login_required
@require_POST
def lift_invite(request, uuid: UUID, pk: int):
    event = _event(request, uuid)
    offer = _my_offer(request, event)
    wanted = get_object_or_404(LiftRequest.objects.select_related("event"), pk=pk, event=event)
    return _act(
        request,
        event,
        lambda: lifts.lift_invite(lift_request=wanted, offer=offer, acting=request.user),
        _("Seat offered. Once the rider confirms, you'll both see each other's contact details."),
    )


# --- riders ------------------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_POST
def lift_ask(request, uuid: UUID):
    event = _event(request, uuid)
    rider = _booked_person(request, event)
    form = LiftRequestForm(request.POST, prefix="ask")
    if form.is_valid():
        try:
            lifts.lift_request(event=event, rider=rider, acting=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            _add_errors(form, refusal)
        else:
            messages.success(request, _("You're looking for a lift. Ask one of the drivers below for a seat."))
            return redirect(_page_url(event, "my-lift"))
    return _render(request, event, ask_form=form)


@login_required
@require_POST
def lift_request_seat(request, uuid: UUID, offer_pk: int):
    event = _event(request, uuid)
    wanted = _my_request(request, event)
    offer = get_object_or_404(LiftOffer.objects.select_related("event"), pk=offer_pk, event=event)
    return _act(
        request,
        event,
        lambda: lifts.lift_request_seat(lift_request=wanted, offer=offer, acting=request.user),
        _("Asked. The driver's answer will show here."),
    )


@login_required
@require_POST
def lift_confirm(request, uuid: UUID):
    event = _event(request, uuid)
    wanted = _my_request(request, event)
    return _act(
        request,
        event,
        lambda: lifts.lift_confirm(lift_request=wanted, acting=request.user),
        _("Thank you. Your driver can now see your contact details too."),
    )


@login_required
@require_POST
def lift_turn_down(request, uuid: UUID):
    """The rider no longer wants this driver's seat (or stops waiting for an answer), and looks again."""
    event = _event(request, uuid)
    wanted = _my_request(request, event)
    return _act(
        request,
        event,
        lambda: lifts.lift_decline(lift_request=wanted, acting=request.user),
        _("Done. You're looking for a lift again."),
    )


@login_required
@require_POST
def lift_cancel(request, uuid: UUID):
    event = _event(request, uuid)
    wanted = _my_request(request, event)
    return _act(
        request,
        event,
        lambda: lifts.lift_cancel(lift_request=wanted, acting=request.user),
        _("You're no longer asking for a lift."),
        anchor="",
    )

"""Public events pages, phone first: discovery (a list that works without JavaScript, with a Leaflet map on top),
the event page with its RSVP form (one tap when signed in, a guest form otherwise), the booking's confirmation, the
signed-link page where anyone with the confirmation email sees or cancels a booking and shows a check-in QR code,
iCal downloads and feeds, and the "sessions in these seats" fragment the "Find where you're needed" page loads.

What a user sees comes from events.selectors (events_visible_to); who may book from events.rules. Writes go through
events.services; the confirmation email through core.messaging (booking_emails), after the booking commits.
Organisers' pages are in organiser_views.py.
"""

import datetime
import re
from collections import defaultdict
from uuid import UUID

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from groundgame.people import services as people_services
from groundgame.people.models import ConsentWording, LocalGroup, Purpose
from groundgame.people.rules import person_of
from groundgame.places.selectors import UnknownPostcode, locate_postcode

from . import booking_emails, ical, selectors, services, tokens
from .formatting import shift_text, when_text
from .forms import CAMPAIGN, DiscoveryForm, GuestRsvpForm, RsvpForm
from .models import Event, Rsvp

PAGE_SIZE = 20
MAP_MARKERS = 200  # the map shows at most this many of the results (the list pages through them all)
SESSIONS_PER_SEAT = 3  # in the "Find where you're needed" fragment; a link leads to the rest
MAX_SEATS = 20
BOOKED_SESSION_KEY = "events_booked"  # {rsvp id: whether the confirmation email went}, for the confirmation page
# Map tiles: any XYZ tile server (GROUNDGAME_MAP_TILE_URL, GROUNDGAME_MAP_ATTRIBUTION); OpenStreetMap's by default.
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
GSS_CODE = re.compile(r"^[A-Z][0-9]{8}$")


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- finding an event --------------------------------------------------------------------------------------------


def _visible_event(request, uuid: UUID) -> Event | None:
    return (
        selectors.events_visible_to(user=request.user)
        .select_related("target_seat__boundary_set")
        .filter(uuid=uuid)
        .first()
    )


def _event_or_refusal(request, uuid: UUID) -> tuple[Event | None, HttpResponse | None]:
    """The event the user may see, or the answer instead: a members-only event sends an anonymous visitor to sign
    in; anything else they may not see is 404."""
    event = _visible_event(request, uuid)
    if event is not None:
        return event, None
    if not request.user.is_authenticated:
        members_only = Event.objects.approved().filter(uuid=uuid, visibility=Event.Visibility.MEMBERS)
        if members_only.exists():
            return None, redirect_to_login(request.get_full_path())
    raise Http404


@require_GET
def event_list(request):
    """Upcoming events the user may see, filtered by postcode and distance, target seat, kind and dates; a page of
    PAGE_SIZE at a time, and the results on a map when JavaScript runs."""
    upcoming = selectors.events_visible_to(user=request.user).approved().upcoming()
    seats = list(
        upcoming.filter(target_seat__isnull=False)
        .order_by()
        .values_list("target_seat__code", "target_seat__name")
        .distinct()
    )
    form = DiscoveryForm(request.GET or None, seats=seats)
    events = upcoming.select_related("host", "target_seat")
    location, valid = None, True
    if form.is_bound:
        valid = form.is_valid()
        if valid:
            events, location, valid = _filter(form, events)
    context = {"form": form, "location": location, "page": None, "total": 0, "query": ""}
    if valid:
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        for event in page.object_list:
            event.when = when_text(event)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            page=page,
            total=page.paginator.count,
            query=query.urlencode(),
            markers=_markers(events),
            tile_url=getattr(settings, "GROUNDGAME_MAP_TILE_URL", DEFAULT_TILE_URL),
            attribution=getattr(settings, "GROUNDGAME_MAP_ATTRIBUTION", DEFAULT_ATTRIBUTION),
            filtered=form.is_bound
            and any(form.cleaned_data.get(name) for name in ("postcode", "kind", "seat", "date_from", "date_to")),
        )
    return render(request, "events/event_list.html", context)


def _filter(form: DiscoveryForm, events):
    """Apply the valid form's filters: (events, location or None, still valid)."""
    data = form.cleaned_data
    if data["kind"] == CAMPAIGN:
        events = events.campaign_sessions()
    elif data["kind"]:
        events = events.of_kind(data["kind"])
    if data["seat"]:
        events = events.filter(target_seat__code=data["seat"])
    start, end = form.period()
    if start:
        events = events.filter(ends_at__gt=start)
    if end:
        events = events.filter(starts_at__lt=end)
    location = None
    if data["postcode"]:
        try:
            location = locate_postcode(data["postcode"])
        except UnknownPostcode as exc:
            form.add_error("postcode", str(exc))
            return events, None, False
        events = events.near(location.lat, location.lon, data["km"])
        if data["order"] != DiscoveryForm.NEAREST:
            events = events.order_by("starts_at", "pk")
    return events, location, True


def _markers(events) -> list[dict]:
    rows = events.filter(latitude__isnull=False).values("uuid", "title", "starts_at", "latitude", "longitude")
    return [
        {
            "lat": row["latitude"],
            "lon": row["longitude"],
            "title": row["title"],
            "url": reverse("events:event", args=[row["uuid"]]),
            "when": date_format(timezone.localtime(row["starts_at"]), "D j M, H:i"),
        }
        for row in rows[:MAP_MARKERS]
    ]


# --- the event page and booking ---------------------------------------------------------------------------------


def _email_wording() -> ConsentWording | None:
    """The current wording for email updates (the newest version), shown beside the guest form's tick box."""
    return ConsentWording.objects.filter(purpose=Purpose.EMAIL).order_by("-version").first()


def _places(event: Event) -> tuple[list, list, dict]:
    """(per-shift or whole-event places, the shifts, shift id -> free places)."""
    places = selectors.event_places(event=event)
    shifts = [row.shift for row in places if row.shift is not None]
    return places, shifts, {row.shift.pk: row.free for row in places if row.shift is not None}


def _closed_reason(request, event: Event, shifts: list) -> str:
    """Why the user cannot book this event, or "" when they can."""
    now = timezone.now()
    if event.status == Event.Status.CANCELLED:
        return _("This event has been cancelled.")
    if event.status != Event.Status.APPROVED:
        return _("This event is waiting for approval: bookings open once an organiser approves it.")
    if event.ends_at <= now or (shifts and all(shift.ends_at <= now for shift in shifts)):
        return _("This event is over.")
    if not request.user.has_perm("events.rsvp_event", event):
        return _("This event is for members of the movement.")
    return ""


def _rsvp_form(request, event: Event, shifts: list, free: dict, data=None):
    if request.user.is_authenticated:
        return RsvpForm(data, event=event, shifts=shifts, places=free)
    return GuestRsvpForm(data, event=event, shifts=shifts, places=free, wording=_email_wording())


def _my_bookings(request, event: Event) -> list[Rsvp]:
    """The signed-in user's live bookings for this event, each with its manage token and waiting-list position."""
    person = person_of(request.user)
    if person is None:
        return []
    bookings = list(selectors.rsvps_of(person=person).filter(event=event))
    for rsvp in bookings:
        rsvp.manage_token = tokens.rsvp_token(rsvp, tokens.MANAGE)
        rsvp.position = selectors.waitlist_position(rsvp=rsvp)
        rsvp.when = when_text(rsvp.shift or event)
    return bookings


def _event_context(request, event: Event, form=None) -> dict:
    places, shifts, free = _places(event)
    closed = _closed_reason(request, event, shifts)
    if form is None and not closed:
        form = _rsvp_form(request, event, shifts, free)
    for row in places:
        if row.shift is not None:
            row.when = when_text(row.shift)
    when = when_text(event)
    return {
        "event": event,
        "when": when,
        "summary": _summary(event, when),
        "full": all(row.free == 0 for row in places),
        "places": places,
        "has_shifts": bool(shifts),
        "closed": closed,
        "form": None if closed else form,
        "bookings": _my_bookings(request, event),
        "share_url": request.build_absolute_uri(event.get_absolute_url()),
        "is_over": event.ends_at <= timezone.now(),
    }


def _summary(event: Event, when: str) -> str:
    """One line for link previews and search results: when, where, and the start of the description."""
    where = (event.venue_name or event.venue_postcode) if event.venue_postcode else _("Online")
    parts = [when, where, " ".join(event.description.split())]
    text = " · ".join(part for part in parts if part)
    return text if len(text) <= 200 else text[:199].rstrip() + "…"


@require_GET
def event_detail(request, uuid: UUID):
    """An event's public page (its share link): what, when, where, places, and the RSVP form."""
    event, refusal = _event_or_refusal(request, uuid)
    if refusal is not None:
        return refusal
    return render(request, "events/event_detail.html", _event_context(request, event))


@require_POST
def event_rsvp(request, uuid: UUID):
    """Book: a signed-in person in one tap (with a shift when the event has shifts), or a guest by name and email.
    The confirmation email goes once the booking is committed; then the confirmation page (PRG). From htmx (the
    one-tap buttons of the sessions fragment) the answer is a fragment to swap in."""
    event, refusal = _event_or_refusal(request, uuid)
    if refusal is not None:
        return refusal
    if not request.user.has_perm("events.rsvp_event", event):
        if not request.user.is_authenticated:
            return redirect_to_login(event.get_absolute_url())
        raise PermissionDenied
    _places_rows, shifts, free = _places(event)
    form = _rsvp_form(request, event, shifts, free, data=request.POST)
    if form.is_valid():
        try:
            rsvp = _book(request, event, form)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if _is_htmx(request):
                rsvp.position = selectors.waitlist_position(rsvp=rsvp)
                rsvp.when = shift_text(rsvp.shift, event) if rsvp.shift else when_text(event)
                return render(request, "events/_rsvp_result.html", {"event": event, "rsvp": rsvp})
            _remember_booking(request, rsvp)
            return redirect("events:booked", uuid=event.uuid)
    if _is_htmx(request):
        return render(request, "events/_rsvp_result.html", {"event": event, "form": form})
    return render(request, "events/event_detail.html", _event_context(request, event, form=form))


def _book(request, event: Event, form) -> Rsvp:
    """Make the booking and send its confirmation email once it is committed: for a new booking (`rsvp.is_new`),
    and for a guest whose address was booked already (the email goes to the address's owner, and the page says no
    more than "check your email": a guest form must not tell who has booked)."""
    shift = form.cleaned_data.get("shift")
    started = timezone.now()
    with transaction.atomic():
        if request.user.is_authenticated:
            person = people_services.person_for_account(user=request.user)
            rsvp = services.rsvp_create(event=event, acting=request.user, person=person, shift=shift)
            acting = request.user
        else:
            rsvp = services.rsvp_create(
                event=event,
                acting=None,
                shift=shift,
                guest_name=form.cleaned_data["guest_name"],
                guest_email=form.cleaned_data["guest_email"],
                email_consent=form.email_consent,
            )
            acting = None
        rsvp.is_new = rsvp.created_at >= started
        if rsvp.is_new or not request.user.is_authenticated:
            transaction.on_commit(lambda: booking_emails.send_booking_confirmation(rsvp, acting=acting))
    return rsvp


def _remember_booking(request, rsvp: Rsvp) -> None:
    """Keep the booking's id in the session (the last ten), for the confirmation page."""
    booked = dict(request.session.get(BOOKED_SESSION_KEY, {}))
    booked[str(rsvp.pk)] = {"new": rsvp.is_new, "guest": not request.user.is_authenticated}
    request.session[BOOKED_SESSION_KEY] = dict(list(booked.items())[-10:])


@never_cache
@require_GET
def event_booked(request, uuid: UUID):
    """The confirmation page after booking: booked, or on the waiting list with a position; whether the email went.
    Shows the bookings this browser just made for the event (kept in the session); anyone else goes to the event."""
    event, refusal = _event_or_refusal(request, uuid)
    if refusal is not None:
        return refusal
    booked = request.session.get(BOOKED_SESSION_KEY, {})
    ids = [int(key) for key in booked if key.isdigit()]
    rsvps = list(Rsvp.objects.filter(pk__in=ids, event=event, person__isnull=False).select_related("shift", "person"))
    if not rsvps:
        return redirect(event)
    me = person_of(request.user)
    for rsvp in rsvps:
        rsvp.position = selectors.waitlist_position(rsvp=rsvp)
        rsvp.when = when_text(rsvp.shift or event)
        rsvp.emailed = booking_emails.confirmation_sent(rsvp)
        rsvp.is_new = booked[str(rsvp.pk)]["new"]
        # Booked before, through the guest form: perhaps by someone else, with this address. Say nothing about it.
        rsvp.discreet = not rsvp.is_new and booked[str(rsvp.pk)].get("guest", False)
        rsvp.manage_token = tokens.rsvp_token(rsvp, tokens.MANAGE) if me and rsvp.person_id == me.pk else ""
    return render(request, "events/booked.html", {"event": event, "rsvps": rsvps, "when": when_text(event)})


# --- a booking, by its signed link ------------------------------------------------------------------------------


def _rsvp_or_invalid(request, token: str) -> tuple[Rsvp | None, HttpResponse | None]:
    try:
        return tokens.rsvp_from_token(token, tokens.MANAGE), None
    except signing.BadSignature:
        return None, _private(render(request, "events/rsvp_invalid.html", status=404))


def _private(response: HttpResponse) -> HttpResponse:
    """A page reached by a secret link: never indexed, and the link is not sent on to other sites."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#1d1d1f", light="#ffffff", omitsize=True)


@never_cache
@require_GET
def rsvp_manage(request, token: str):
    """The booking's own page (the link in the confirmation email): what, when, the status or waiting-list
    position, a Cancel button, and the QR code with the check-in link to show at the door."""
    rsvp, invalid = _rsvp_or_invalid(request, token)
    if invalid is not None:
        return invalid
    event = rsvp.event
    now = timezone.now()
    live = rsvp.is_live and event.status == Event.Status.APPROVED and event.ends_at > now
    context = {
        "rsvp": rsvp,
        "event": event,
        "token": token,
        "when": when_text(rsvp.shift or event),
        "position": selectors.waitlist_position(rsvp=rsvp),
        "can_cancel": live,
        "can_book_again": event.status == Event.Status.APPROVED and event.ends_at > now,
        "qr_svg": _qr_svg(tokens.check_in_url(rsvp)) if live else "",
        "event_visible": _visible_event(request, event.uuid) is not None,
    }
    return _private(render(request, "events/rsvp_manage.html", context))


@never_cache
@require_POST
def rsvp_cancel(request, token: str):
    """Cancel the booking a signed link names; a freed place goes to the first on the waiting list, who is emailed.
    Back to the booking's page, or to `next` on this site (the event page's Cancel button)."""
    rsvp, invalid = _rsvp_or_invalid(request, token)
    if invalid is not None:
        return invalid
    acting = request.user if request.user.is_authenticated else None
    try:
        with transaction.atomic():
            cancellation = services.rsvp_cancel(rsvp=rsvp, acting=acting)
            for promoted in cancellation.promoted:
                transaction.on_commit(lambda promoted=promoted: booking_emails.send_place_offered(promoted))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your booking is cancelled. Thank you for letting us know."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("events:rsvp_manage", token=token)


# --- calendars ---------------------------------------------------------------------------------------------------


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


@require_GET
def event_ical(request, uuid: UUID):
    """ "Add to calendar": the event as an iCalendar file."""
    event, refusal = _event_or_refusal(request, uuid)
    if refusal is not None:
        return refusal
    body = ical.event_calendar(event, url=request.build_absolute_uri(event.get_absolute_url()))
    return _calendar_response(body, slugify(event.title)[:60] or "event")


@require_GET
def group_ical(request, slug: str):
    """A group's public calendar feed: the upcoming public events of the group and the groups below it. Calendar
    apps subscribe without signing in, so it never holds members-only events."""
    group = get_object_or_404(LocalGroup, slug=slug)
    events = selectors.group_calendar_events(group=group).select_related("host")
    body = ical.events_calendar(
        events,
        name=_("%(group)s events") % {"group": group.name},
        url_for=lambda event: request.build_absolute_uri(event.get_absolute_url()),
    )
    return _calendar_response(body, group.slug)


# --- "Find where you're needed": sessions in target seats ---------------------------------------------------------


def _seat_codes(text: str) -> list[str]:
    codes = []
    for part in text.upper().split(","):
        code = part.strip()
        if GSS_CODE.match(code) and code not in codes:
            codes.append(code)
    return codes[:MAX_SEATS]


def _confirmed_counts(event_ids: list[int]) -> dict[tuple[int, int | None], int]:
    """(event id, shift id or None) -> confirmed places taken, for many events in one query."""
    rows = (
        Rsvp.objects.confirmed()
        .filter(event_id__in=event_ids)
        .values("event_id", "shift_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["event_id"], row["shift_id"]): row["n"] for row in rows}


@require_GET
def seat_sessions(request):
    """An HTML fragment for the "Find where you're needed" page: for each seat code in `seats` (comma-separated),
    the next SESSIONS_PER_SEAT campaign sessions there, with a one-tap RSVP for signed-in users (a link to the event
    for everyone else). Each seat's block carries hx-swap-oob, so one request fills the placeholder of every seat
    (id="seat-sessions-<code>")."""
    codes = _seat_codes(request.GET.get("seats", ""))
    sessions = (
        selectors.events_visible_to(user=request.user)
        .approved()
        .upcoming()
        .campaign_sessions()
        .filter(target_seat__code__in=codes)
        .select_related("target_seat")
        .prefetch_related("shifts")
    )
    by_code: dict[str, list[Event]] = defaultdict(list)
    more: set[str] = set()
    for event in sessions[: MAX_SEATS * SESSIONS_PER_SEAT * 4] if codes else []:
        code = event.target_seat.code
        if len(by_code[code]) < SESSIONS_PER_SEAT:
            by_code[code].append(event)
        else:
            more.add(code)
    events = [event for code in codes for event in by_code[code]]
    counts = _confirmed_counts([event.pk for event in events])
    person = person_of(request.user)
    mine = set()
    if person is not None and events:
        mine = set(
            Rsvp.objects.live().filter(person=person, event__in=events).values_list("event_id", "shift_id").order_by()
        )
    now = timezone.now()
    can_book = request.user.is_authenticated
    for event in events:
        event.when = when_text(event)
        event.options = _booking_options(event, counts, mine, now) if can_book else []
        event.booked = any(event_id == event.pk for event_id, _shift in mine)
    seats = [{"code": code, "sessions": by_code[code], "more": code in more} for code in codes]
    return render(request, "events/_seat_sessions.html", {"seats": seats, "can_book": can_book})


def _booking_options(event: Event, counts: dict, mine: set, now: datetime.datetime) -> list[dict]:
    """The one-tap buttons of a session (approved, visible and not over: the query saw to that): one for the event,
    or one per shift not yet over (at most three; the event page has them all)."""
    every_shift = list(event.shifts.all())
    shifts = [shift for shift in every_shift if shift.ends_at > now]
    if every_shift and not shifts:
        return []
    options = []
    for shift in shifts[:3] if every_shift else [None]:
        capacity = shift.capacity if shift else event.capacity
        taken = counts.get((event.pk, shift.pk if shift else None), 0)
        options.append(
            {
                "shift": shift,
                "label": shift_text(shift, event) if shift else "",
                "free": None if capacity is None else max(0, capacity - taken),
                "booked": (event.pk, shift.pk if shift else None) in mine,
            }
        )
    return options

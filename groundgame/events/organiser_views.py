"""Organiser pages: the dashboard, creating and changing events and shifts, proposals and their approval queue, an
event's management page (RSVPs, CSV export, attendance, follow-up), check-in from a list or by QR code.

Every view checks an `events.*` rule on the event it acts on (rules.py). An event the user may not see at all
answers 404 (a proposal of another group is not theirs to know of); one they may see (a public event) but not act
on answers 403; anonymous visitors are sent to sign in. Writes go through events.services; pages with personal data
are never cached.
"""

import csv
import io
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundgame.core.audit import audit_record_many
from groundgame.people.models import LocalGroup
from groundgame.people.rules import person_of
from groundgame.people.services import person_for_account

from . import organiser_selectors as org
from . import selectors, services, tokens
from .models import Event, Rsvp, Shift
from .organiser_forms import AttendanceForm, ConfirmForm, DeclineForm, EventForm, FollowUpForm, ShiftForm


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _event(user, uuid, perm: str) -> Event:
    """The event (404 when the user may not see it at all; 403 without `perm` on it)."""
    event = (
        Event.objects.select_related("host", "target_seat", "organiser_contact", "proposed_by")
        .filter(uuid=uuid)
        .first()
    )
    if event is None or not user.has_perm("events.view_event", event):
        raise Http404
    _require(user, perm, event)
    return event


def _rsvp(event: Event, rsvp_id: int) -> Rsvp:
    """One of the event's RSVPs (404 for another event's, even by id)."""
    rsvp = Rsvp.objects.select_related("event", "shift", "person").filter(event=event, pk=rsvp_id).first()
    if rsvp is None:
        raise Http404
    return rsvp


def _shift(event: Event, shift_id: int) -> Shift:
    shift = Shift.objects.filter(event=event, pk=shift_id).first()
    if shift is None:
        raise Http404
    return shift


def _data(request):
    """The posted data, or None for a GET (an empty POST is still a submission, with errors to show)."""
    return request.POST if request.method == "POST" else None


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _error_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def public_url(event: Event) -> str | None:
    """The event's public page (the public pages' view), or None where there is none."""
    try:
        return reverse("events:event", args=[event.uuid])
    except NoReverseMatch:
        return None


def _manage(event: Event):
    return redirect("events:organise_event", uuid=event.uuid)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _promoted_message(request, promoted: list[Rsvp]) -> None:
    if promoted:
        messages.success(
            request,
            ngettext(
                "%(count)d person moved up from the waiting list.",
                "%(count)d people moved up from the waiting list.",
                len(promoted),
            )
            % {"count": len(promoted)},
        )


def _sent_message(request, result: services.MessagesSent) -> None:
    """Say how a batch of messages went (sent once the view's writes committed)."""
    if not result.done:
        messages.info(request, _("The messages will be sent shortly."))
        return
    if result.sent:
        messages.success(
            request,
            ngettext("%(count)d email sent.", "%(count)d emails sent.", result.sent) % {"count": result.sent},
        )
    if result.no_basis:
        messages.warning(
            request,
            ngettext(
                "%(count)d person was not emailed: they have not agreed to messages about events.",
                "%(count)d people were not emailed: they have not agreed to messages about events.",
                result.no_basis,
            )
            % {"count": result.no_basis},
        )
    if result.refused or result.failed:
        count = result.refused + result.failed
        messages.warning(
            request,
            ngettext(
                "%(count)d person could not be emailed (no address, unsubscribed, or the email failed).",
                "%(count)d people could not be emailed (no address, unsubscribed, or the email failed).",
                count,
            )
            % {"count": count},
        )


# --- the dashboard and the approval queue ------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def dashboard(request):
    """Upcoming events with bookings against places, attendance at recent events, volunteers per target seat."""
    _require(request.user, "events.organise_events")
    context = {
        "dashboard": org.organiser_dashboard(user=request.user),
        "can_create": org.groups_to_host(user=request.user).exists(),
    }
    return render(request, "events/organiser/dashboard.html", context)


@never_cache
@login_required
@require_GET
def proposals(request):
    """The approval queue: events members proposed to the groups the user organises."""
    _require(request.user, "events.organise_events")
    queue = list(selectors.proposals_to_approve(user=request.user).select_related("target_seat"))
    return render(request, "events/organiser/proposals.html", {"proposals": queue})


@login_required
@require_POST
def event_approve(request, uuid):
    event = _event(request.user, uuid, "events.approve_event")
    try:
        services.event_approve(event=event, acting=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("Approved: “%(title)s” is open for bookings.") % {"title": event.title})
    return redirect("events:organise_proposals")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def event_decline(request, uuid):
    """Decline a proposal, saying why (emailed to the member who proposed it)."""
    event = _event(request.user, uuid, "events.approve_event")
    if event.status != Event.Status.PROPOSED:
        messages.error(request, _("Only a proposed event can be declined."))
        return redirect("events:organise_proposals")
    form = DeclineForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.event_decline(event=event, acting=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Declined: “%(title)s”.") % {"title": event.title})
            if result.recipients and result.done and not result.sent:
                messages.warning(request, _("We could not email the member who proposed it: tell them yourself."))
            return redirect("events:organise_proposals")
    return render(request, "events/organiser/event_decline.html", {"event": event, "form": form})


# --- creating and changing events --------------------------------------------------------------------------------


def _render_event_form(request, form, *, event=None, proposing=False, status=200):
    context = {"form": form, "event": event, "proposing": proposing}
    return render(request, "events/organiser/event_form.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    """A new event of a group the user organises: approved, and open for bookings, at once."""
    hosts = org.groups_to_host(user=request.user)
    if not hosts.exists():
        raise PermissionDenied
    form = EventForm(
        _data(request),
        hosts=hosts,
        seats=org.current_seats(),
        contacts=org.contacts_to_choose(user=request.user, groups=hosts),
        initial={"organiser_contact": person_of(request.user), "visibility": Event.Visibility.PUBLIC},
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        _require(request.user, "events.create_event", values["host"])
        try:
            event = services.event_create(acting=request.user, **values)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Event created. Add shifts if people come at different times."))
            return _manage(event)
    return _render_event_form(request, form, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def event_propose(request):
    """A member proposes an event to a group they belong to; the group's organisers approve it (or not)."""
    hosts = org.groups_to_propose_for(user=request.user)
    form = EventForm(
        _data(request), hosts=hosts, seats=org.current_seats(), initial={"visibility": Event.Visibility.PUBLIC}
    )
    if request.method == "POST" and hosts.exists() and form.is_valid():
        values = form.values()
        _require(request.user, "events.propose_event", values["host"])
        try:
            with transaction.atomic():
                me = person_for_account(user=request.user)
                event = services.event_propose(acting=request.user, proposed_by=me, **values)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Thank you: your event was sent to the organisers of %(group)s for approval.")
                % {"group": event.host.name},
            )
            return redirect(public_url(event) or reverse("events:organise_propose"))
    context = {"form": form, "event": None, "proposing": True, "no_groups": not hosts.exists()}
    return render(request, "events/organiser/event_form.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, uuid):
    """Change an event (its organisers), or a proposal (its proposer, until it is approved)."""
    event = _event(request.user, uuid, "events.change_event")
    runs = request.user.has_perm("events.approve_event", event)
    hosts = org.groups_to_host(user=request.user) if runs else org.groups_to_propose_for(user=request.user)
    hosts = LocalGroup.objects.filter(Q(pk__in=hosts.values("pk")) | Q(pk=event.host_id)).order_by("name")
    contacts = (
        org.contacts_to_choose(user=request.user, groups=hosts, current=event.organiser_contact) if runs else None
    )
    form = EventForm(_data(request), hosts=hosts, seats=org.current_seats(), contacts=contacts, event=event)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if values["host"].pk != event.host_id:
            _require(request.user, "events.create_event" if runs else "events.propose_event", values["host"])
        try:
            update = services.event_update(event=event, acting=request.user, **values)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved.") if update.changed else _("Nothing changed."))
            _promoted_message(request, update.promoted)
            if runs:
                return _manage(event)
            return redirect(public_url(event) or reverse("events:organise_edit", args=[event.uuid]))
    return _render_event_form(request, form, event=event, proposing=not runs, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request, uuid):
    """Cancel an event (or withdraw a proposal) after a confirmation step."""
    event = _event(request.user, uuid, "events.cancel_event")
    form = ConfirmForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(event=event, acting=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is cancelled.") % {"title": event.title})
            if request.user.has_perm("events.organise_events"):
                return redirect("events:organise")
            return redirect(public_url(event) or reverse("events:organise_propose"))
    places = selectors.event_places(event=event)
    booked = sum(p.confirmed + p.waitlisted for p in places)
    context = {"event": event, "form": form, "booked": booked}
    return render(request, "events/organiser/event_cancel.html", context, status=400 if form.errors else 200)


# --- shifts ------------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def shift_create(request, uuid):
    event = _event(request.user, uuid, "events.change_event")
    form = ShiftForm(_data(request), event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_create(event=event, acting=request.user, **form.values())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Shift added."))
            return _manage(event)
    context = {"event": event, "form": form, "shift": None}
    return render(request, "events/organiser/shift_form.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def shift_edit(request, uuid, shift_id: int):
    event = _event(request.user, uuid, "events.change_event")
    shift = _shift(event, shift_id)
    form = ShiftForm(_data(request), event=event, shift=shift)
    if request.method == "POST" and form.is_valid():
        try:
            update = services.shift_update(shift=shift, acting=request.user, **form.values())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Shift saved.") if update.changed else _("Nothing changed."))
            _promoted_message(request, update.promoted)
            return _manage(event)
    context = {"event": event, "form": form, "shift": shift}
    return render(request, "events/organiser/shift_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def shift_delete(request, uuid, shift_id: int):
    event = _event(request.user, uuid, "events.change_event")
    shift = _shift(event, shift_id)
    try:
        services.shift_delete(shift=shift, acting=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("Shift removed."))
    return _manage(event)


# --- an event's management page ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def event_manage(request, uuid):
    """Who is coming (confirmed, waiting, cancelled; by shift), places left, attendance, and what to do next."""
    event = _event(request.user, uuid, "events.view_rsvps")
    user = request.user
    rsvps = list(selectors.event_rsvps(user=user, event=event))
    by_status = {status: [r for r in rsvps if r.status == status] for status in Rsvp.Status.values}
    confirmed = by_status[Rsvp.Status.CONFIRMED]
    positions: dict[int | None, int] = {}
    for rsvp in by_status[Rsvp.Status.WAITLISTED]:  # in waiting-list order within each shift
        rsvp.position = positions[rsvp.shift_id] = positions.get(rsvp.shift_id, 0) + 1
    now = timezone.now()
    context = {
        "event": event,
        "public_url": public_url(event),
        "places": selectors.event_places(event=event),
        "shifts": list(event.shifts.all()),
        "confirmed": confirmed,
        "waitlisted": by_status[Rsvp.Status.WAITLISTED],
        "cancelled": by_status[Rsvp.Status.CANCELLED],
        "attended": sum(1 for r in confirmed if r.attendance == Rsvp.Attendance.ATTENDED),
        "no_shows": sum(1 for r in confirmed if r.attendance == Rsvp.Attendance.NO_SHOW),
        "not_recorded": sum(1 for r in confirmed if not r.attendance),
        "started": event.starts_at <= now,
        "over": event.ends_at <= now,
        "check_in_open": event.status == Event.Status.APPROVED and now >= event.starts_at - services.CHECK_IN_OPENS,
        "show_attendance": now >= event.starts_at - services.CHECK_IN_OPENS,
        "can_change": user.has_perm("events.change_event", event)
        and event.status != Event.Status.CANCELLED
        and event.ends_at > now,
        "can_cancel": user.has_perm("events.cancel_event", event)
        and event.status != Event.Status.CANCELLED
        and event.ends_at > now,
        "can_approve": user.has_perm("events.approve_event", event) and event.status == Event.Status.PROPOSED,
        "can_export": user.has_perm("events.export_rsvps", event),
        "can_check_in": user.has_perm("events.check_in", event),
        "can_record": user.has_perm("events.record_attendance", event),
        "can_follow_up": user.has_perm("events.message_attendees", event) and event.status == Event.Status.APPROVED,
    }
    return render(request, "events/organiser/manage.html", context)


# Exported columns and, for the audit log, the field each comes from (of Person, or "rsvps": the bookings).
RSVP_EXPORT_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "postcode": "postcode",
    "shift": "rsvps",
    "status": "rsvps",
    "booked_as_guest": "rsvps",
    "booked_at": "rsvps",
    "checked_in_at": "rsvps",
    "attendance": "rsvps",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (CSV injection), as in the people exports."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if text.startswith(_FORMULA_START) and not (text.startswith("+") and text[1:].isdigit()):
        return "'" + text
    return text


def _csv(columns: list[str], rows: Iterable[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    return out.getvalue().encode("utf-8-sig")


@never_cache
@login_required
@require_GET
def rsvps_csv(request, uuid):
    """The event's RSVPs as CSV; one "people.export" audit event per person exported (as people's exports)."""
    event = _event(request.user, uuid, "events.export_rsvps")
    rows, people = [], {}
    for rsvp in selectors.event_rsvps(user=request.user, event=event):
        person = rsvp.person
        if person is not None:
            people[person.pk] = person
        rows.append(
            {
                **{
                    name: getattr(person, name, "")
                    for name in ("first_name", "last_name", "email", "phone", "postcode")
                },
                "shift": str(rsvp.shift) if rsvp.shift else "",
                "status": rsvp.status,
                "booked_as_guest": "yes" if rsvp.booked_as_guest else "no",
                "booked_at": rsvp.created_at,
                "checked_in_at": rsvp.checked_in_at,
                "attendance": rsvp.attendance,
            }
        )
    fields = list(dict.fromkeys(RSVP_EXPORT_COLUMNS.values()))
    audit_record_many(
        actor=request.user,
        action="people.export",
        targets=list(people.values()),
        fields=fields,
        reason=f"event {event.pk} RSVP export",
    )
    response = HttpResponse(_csv(list(RSVP_EXPORT_COLUMNS), rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-rsvps.csv"'
    return response


# --- check-in and attendance -------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def check_in_list(request, uuid):
    """At the door, on a phone: everyone with a place (and those waiting), a big button each."""
    event = _event(request.user, uuid, "events.check_in")
    rsvps = [r for r in selectors.event_rsvps(user=request.user, event=event) if r.is_live]
    rsvps.sort(key=lambda r: (r.person is None, str(r.person or "").lower(), r.pk))
    checked_in, total = sum(1 for r in rsvps if r.checked_in_at), len(rsvps)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        words = q.lower().split()
        rsvps = [r for r in rsvps if r.person and all(w in f"{r.person} {r.person.email}".lower() for w in words)]
    context = {
        "event": event,
        "rsvps": rsvps,
        "q": q,
        "total": total,
        "checked_in": checked_in,
        "check_in_open": event.status == Event.Status.APPROVED
        and timezone.now() >= event.starts_at - services.CHECK_IN_OPENS,
    }
    return render(request, "events/organiser/check_in_list.html", context)


@login_required
@require_POST
def rsvp_check_in(request, uuid, rsvp_id: int):
    """Check someone in from the list: htmx swaps their row; without JavaScript, back to the list."""
    event = _event(request.user, uuid, "events.check_in")
    rsvp = _rsvp(event, rsvp_id)
    error = ""
    try:
        rsvp = services.rsvp_check_in(rsvp=rsvp, acting=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if _is_htmx(request):
        context = {"event": event, "rsvp": rsvp, "error": error, "check_in_open": True}
        return render(request, "events/organiser/_check_in_item.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": rsvp.person or _("Someone")})
    return redirect("events:organise_check_in_list", uuid=event.uuid)


@login_required
@require_POST
def rsvp_attendance(request, uuid, rsvp_id: int):
    """Record from the list whether someone came (htmx swaps their row)."""
    event = _event(request.user, uuid, "events.record_attendance")
    rsvp = _rsvp(event, rsvp_id)
    form = AttendanceForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose came or did not come.")
    else:
        try:
            rsvp = services.rsvp_mark_attendance(rsvp=rsvp, attended=form.cleaned_data["attended"], acting=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if _is_htmx(request):
        context = {
            "event": event,
            "rsvp": rsvp,
            "error": error,
            "started": True,
            "can_record": True,
            "show_attendance": True,
            "has_shifts": event.shifts.exists(),
        }
        return render(request, "events/organiser/_rsvp_row.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("events:organise_event", args=[event.uuid]) + "#confirmed-heading")


@login_required
@require_POST
def record_no_shows(request, uuid):
    """After the event: everyone confirmed whose attendance is not recorded did not come."""
    event = _event(request.user, uuid, "events.record_attendance")
    try:
        count = services.event_record_no_shows(event=event, acting=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(
            request,
            ngettext("%(count)d no-show recorded.", "%(count)d no-shows recorded.", count) % {"count": count},
        )
    return _manage(event)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, token: str):
    """The link in an attendee's QR code. An organiser of the event (or its organiser contact) who opens it sees who
    it is and a big Check in button; anyone else gets 403."""
    try:
        rsvp = tokens.rsvp_from_token(token, tokens.CHECK_IN)
    except signing.BadSignature:
        raise Http404 from None
    event = rsvp.event
    _require(request.user, "events.check_in", event)
    error = ""
    if request.method == "POST":
        try:
            rsvp = services.rsvp_check_in(rsvp=rsvp, acting=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("events:check_in", token=token)
    context = {
        "event": event,
        "rsvp": rsvp,
        "error": error,
        "check_in_open": timezone.now() >= event.starts_at - services.CHECK_IN_OPENS,
    }
    return render(request, "events/organiser/check_in.html", context, status=400 if error else 200)


# --- follow-up ---------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, uuid):
    """Email those who came (or did not) with a next action, through the messaging service."""
    event = _event(request.user, uuid, "events.message_attendees")
    form = FollowUpForm(_data(request), next_events=org.next_events_for(user=request.user, after=event))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        next_event = data["next_event"]
        link = ""
        if next_event is not None and public_url(next_event):
            link = request.build_absolute_uri(public_url(next_event))
        try:
            result = services.event_follow_up(
                event=event,
                acting=request.user,
                audience=data["audience"],
                subject=data["subject"],
                body=data["body"],
                next_action=data["next_action"] or (next_event.title if next_event else ""),
                next_action_url=link,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _sent_message(request, result)
            return _manage(event)
    counts = {
        audience: len(services.follow_up_recipients(event=event, audience=audience))
        for audience in services.FollowUpAudience.values
    }
    context = {"event": event, "form": form, "counts": counts}
    return render(request, "events/organiser/follow_up.html", context, status=400 if form.errors else 200)

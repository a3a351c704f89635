"""Forms of the public events pages: the discovery filters and the RSVP forms. They validate input; bookings go
through events.services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groundgame.people.models import ConsentWording
from groundgame.places import postcodes

from .models import Event, Shift

CAMPAIGN = "campaign"  # the kind filter's choice for every campaign session (canvassing and phone banks)
DISTANCES_KM = (5, 10, 25, 50, 100)
DEFAULT_KM = 25


class DiscoveryForm(forms.Form):
    """The filters of /events/ (GET). Every field is optional; an empty form lists every upcoming event."""

    SOONEST, NEAREST = "soonest", "nearest"

    postcode = forms.CharField(
        label=_("Near postcode"),
        required=False,
        max_length=40,
        help_text=_("A full postcode (DE22 1AA) or a district (DE22)."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
    )
    km = forms.TypedChoiceField(
        label=_("Within"),
        coerce=int,
        required=False,
        empty_value=DEFAULT_KM,
        initial=DEFAULT_KM,
        choices=[(km, _("%(km)s km") % {"km": km}) for km in DISTANCES_KM],
    )
    kind = forms.ChoiceField(label=_("What"), required=False)
    seat = forms.ChoiceField(label=_("Target seat"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(SOONEST, _("Soonest first")), (NEAREST, _("Nearest first (with a postcode)"))],
    )

    def __init__(self, data=None, *args, seats: list[tuple[str, str]], **kwargs):
        """`seats`: (GSS code, name) of the target seats that have upcoming events."""
        if data is not None and not data.get("km"):
            data = data.copy()
            data["km"] = str(DEFAULT_KM)  # so that the menu shows the distance searched
        super().__init__(data, *args, **kwargs)
        self.fields["kind"].choices = [
            ("", _("Anything")),
            (CAMPAIGN, _("Campaign sessions (canvassing, phone banks)")),
            *Event.Kind.choices,
        ]
        asked = (self.data.get("seat") or "").strip().upper() if self.is_bound else ""
        known = dict(seats)
        if asked and asked not in known and looks_like_gss_code(asked):
            known[asked] = asked  # a seat without upcoming events: a valid filter that finds nothing
        self.fields["seat"].choices = [("", _("Any seat")), *sorted(known.items(), key=lambda item: item[1])]

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        if not value:
            return ""
        try:
            return postcodes.parse(value).text
        except postcodes.InvalidPostcode:
            raise forms.ValidationError(
                _("Enter a UK postcode like DE22 1AA, or a postcode district like DE22."), code="invalid"
            ) from None

    def clean_seat(self) -> str:
        return self.cleaned_data["seat"].strip().upper()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def period(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The chosen dates as aware local datetimes: from the start of `date_from` to the end of `date_to`."""
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")

        def midnight(day: datetime.date) -> datetime.datetime:
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return (
            midnight(start) if start else None,
            midnight(end + datetime.timedelta(days=1)) if end else None,
        )


def looks_like_gss_code(code: str) -> bool:
    """A GSS code's shape: a letter and eight digits (E14000663)."""
    return len(code) == 9 and code[0].isalpha() and code[1:].isdigit()


class ShiftChoiceField(forms.ModelChoiceField):
    """A shift, labelled with its times and the places left (`places`: shift id -> free places, None: no limit)."""

    def __init__(self, *args, places: dict[int, int | None], **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)

    def label_from_instance(self, shift: Shift) -> str:
        start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
        when = f"{date_format(start, 'H:i')}–{date_format(end, 'H:i')}"
        if start.date() != timezone.localtime(shift.event.starts_at).date():
            when = f"{date_format(start, 'D j M')}, {when}"
        free = self.places.get(shift.pk)
        if free is None:
            left = ""
        elif free == 0:
            left = str(_("full: join the waiting list"))
        else:
            left = ngettext("%(count)s place left", "%(count)s places left", free) % {"count": free}
        parts = [part for part in (shift.label, when, left) if part]
        return " · ".join(parts)


class RsvpForm(forms.Form):
    """A signed-in person's booking: one tap, or a shift to choose when the event has shifts."""

    shift = ShiftChoiceField(
        label=_("Choose a time"), queryset=Shift.objects.none(), widget=forms.RadioSelect, places={}, empty_label=None
    )

    def __init__(self, *args, event: Event, shifts: list[Shift], places: dict[int, int | None], **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.now()
        open_shifts = [shift for shift in shifts if shift.ends_at > now]
        if not shifts:
            del self.fields["shift"]
        else:
            field = self.fields["shift"]
            field.queryset = Shift.objects.filter(event=event, pk__in=[shift.pk for shift in open_shifts])
            field.places = places
            for shift in open_shifts:  # label_from_instance reads shift.event: the event already loaded
                shift.event = event
            field.choices = [(shift.pk, field.label_from_instance(shift)) for shift in open_shifts]
            if len(open_shifts) == 1:
                field.initial = open_shifts[0].pk


class GuestRsvpForm(RsvpForm):
    """Booking without an account: a name and an email address for the confirmation, and (when there is a current
    email consent wording) an unticked box to get email updates too."""

    guest_name = forms.CharField(
        label=_("Your name"), max_length=160, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    guest_email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We'll send your confirmation and a link to change or cancel your booking."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    email_updates = forms.BooleanField(required=False)

    def __init__(self, *args, wording: ConsentWording | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.wording = wording
        if wording is None:
            del self.fields["email_updates"]
        else:
            self.fields["email_updates"].label = wording.text

    @property
    def email_consent(self) -> ConsentWording | None:
        """The wording the guest ticked, for events.services.rsvp_create (None: not ticked)."""
        return self.wording if self.cleaned_data.get("email_updates") else None

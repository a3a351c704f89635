"""Forms of the organiser pages. They check input and turn it into service arguments; the services validate again
(and hold the invariants), and their errors are put back on the fields by the views.

Times are typed in the event's local time (Europe/London, the site's time zone): Django reads a datetime-local
value in the current time zone and refuses a time the clocks skip or repeat when they change.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundgame.places import postcodes

from .models import Event
from .services import FollowUpAudience

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker showing local time (minutes only)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT)


def _local_datetime(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("UK time."),
    )


class _TimesMixin:
    def _check_times(self, cleaned: dict) -> None:
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("It must end after it starts."))


class EventForm(_TimesMixin, forms.Form):
    """An event's details. `hosts` are the groups the user may host it for; `contacts` the people who may be its
    organiser contact (None: the field is left out, as for a member's proposal, whose contact is the proposer)."""

    host = forms.ModelChoiceField(label=_("Host group"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind of event"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    visibility = forms.ChoiceField(label=_("Who can see it"), choices=Event.Visibility.choices)
    starts_at = _local_datetime(_("Starts"))
    ends_at = _local_datetime(_("Ends"))
    venue_name = forms.CharField(label=_("Venue"), max_length=200, required=False)
    venue_address = forms.CharField(label=_("Venue address"), max_length=300, required=False)
    venue_postcode = forms.CharField(
        label=_("Venue postcode"),
        max_length=10,
        required=False,
        help_text=_("People find events near them by postcode. Leave it empty for an online event."),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("For an online event, or a call people can join."),
    )
    target_seat = forms.ModelChoiceField(
        label=_("Target seat"),
        queryset=None,
        required=False,
        help_text=_("For canvassing sessions and phone banks: the constituency the work is for."),
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=_("Empty for no limit. An event with shifts counts places per shift."),
    )
    accessibility = forms.CharField(
        label=_("Accessibility"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Step-free access, toilets, quiet space, walking involved, how to ask for help."),
    )
    organiser_contact = forms.ModelChoiceField(
        label=_("Organiser contact"),
        queryset=None,
        required=False,
        help_text=_("Sees who is coming and can check people in."),
    )

    def __init__(self, *args, hosts, seats, contacts=None, event: Event | None = None, **kwargs):
        if event is not None:
            kwargs.setdefault("initial", {name: getattr(event, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["host"].queryset = hosts
        self.fields["target_seat"].queryset = seats
        self.fields["target_seat"].empty_label = _("None")
        if contacts is None:
            del self.fields["organiser_contact"]
        else:
            self.fields["organiser_contact"].queryset = contacts
            self.fields["organiser_contact"].empty_label = _("No one")
        self.fields["venue_postcode"].widget.attrs.update(autocomplete="postal-code", autocapitalize="characters")
        self.fields["online_url"].widget.attrs.update(inputmode="url")

    def clean_venue_postcode(self) -> str:
        value = self.cleaned_data["venue_postcode"].strip()
        if not value:
            return ""
        try:
            parsed = postcodes.parse(value)
        except postcodes.InvalidPostcode:
            raise forms.ValidationError(_("Enter a UK postcode like DE22 1AA.")) from None
        if not parsed.is_full:
            raise forms.ValidationError(_("Enter the venue's full postcode, like DE22 1AA."))
        return parsed.text

    def clean(self):
        cleaned = super().clean()
        self._check_times(cleaned)
        if not cleaned.get("venue_postcode") and not cleaned.get("online_url") and not self.has_error("venue_postcode"):
            self.add_error("venue_postcode", _("Give the venue's postcode or an online link."))
        ends = cleaned.get("ends_at")
        changed_times = self.event is None or {"starts_at", "ends_at"} & set(self.changed_data)
        if ends and changed_times and ends <= timezone.now():
            self.add_error("ends_at", _("That time has passed."))
        return cleaned

    def values(self) -> dict:
        """Keyword arguments for services.event_create / event_propose / event_update."""
        return dict(self.cleaned_data)


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


class ShiftForm(_TimesMixin, forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=80, required=False, help_text=_("For example: Saturday morning doors.")
    )
    starts_at = _local_datetime(_("Starts"))
    ends_at = _local_datetime(_("Ends"))
    capacity = forms.IntegerField(
        label=_("Places"), min_value=0, max_value=100_000, required=False, help_text=_("Empty for no limit.")
    )

    def __init__(self, *args, event: Event, shift=None, **kwargs):
        if shift is not None:
            initial = {name: getattr(shift, name) for name in self.base_fields}
        else:
            initial = {"starts_at": event.starts_at, "ends_at": event.ends_at}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.event = event

    def clean(self):
        cleaned = super().clean()
        self._check_times(cleaned)
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        # The form shows whole minutes: a shift typed in the event's first (or last) minute starts (ends) with it.
        if starts and _minute(starts) == _minute(self.event.starts_at):
            starts = cleaned["starts_at"] = max(starts, self.event.starts_at)
        if ends and _minute(ends) == _minute(self.event.ends_at):
            ends = cleaned["ends_at"] = min(ends, self.event.ends_at)
        if starts and ends and (starts < self.event.starts_at or ends > self.event.ends_at):
            self.add_error(
                None,
                _("A shift must fall within the event's times (%(start)s to %(end)s).")
                % {
                    "start": timezone.localtime(self.event.starts_at).strftime("%d %b %H:%M"),
                    "end": timezone.localtime(self.event.ends_at).strftime("%d %b %H:%M"),
                },
            )
        return cleaned

    def values(self) -> dict:
        return dict(self.cleaned_data)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, cancel this event"), required=True)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("We email this to the member who proposed it."),
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("1", _("Came")), ("0", _("Did not come"))], coerce=lambda value: value == "1"
    )


class FollowUpForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Write to"), choices=FollowUpAudience.choices, widget=forms.RadioSelect, initial="attended"
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)
    next_action = forms.CharField(
        label=_("Next action"),
        max_length=200,
        required=False,
        help_text=_("One thing to do next, for example: Book your place at the next session."),
    )
    next_event = forms.ModelChoiceField(
        label=_("Link to an event"),
        queryset=None,
        required=False,
        help_text=_("Its page is linked below the next action."),
    )

    def __init__(self, *args, next_events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_event"].queryset = next_events
        self.fields["next_event"].empty_label = _("No link")
        self.fields["next_event"].label_from_instance = lambda event: (
            f"{event.title} ({timezone.localtime(event.starts_at):%a %d %b %H:%M})"
        )

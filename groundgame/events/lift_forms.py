"""The lifts page's forms: offer seats, ask for a lift (events.lift_views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .lifts import NOTES_MAX
from .models import LiftOffer


class LiftOfferForm(forms.Form):
    pickup_postcode = forms.CharField(
        label=_("Where you'll leave from (postcode)"),
        max_length=8,
        help_text=_("Riders see only its first half (like DE22) until you have both confirmed a lift."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
    )
    seats = forms.TypedChoiceField(
        label=_("Free seats"),
        choices=[(n, str(n)) for n in range(1, LiftOffer.MAX_SEATS + 1)],
        coerce=int,
        initial=1,
    )
    notes = forms.CharField(
        label=_("Notes for riders"),
        required=False,
        max_length=NOTES_MAX,
        help_text=_("When you'll leave, room for a wheelchair or a buggy... Not your address: riders see this first."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LiftRequestForm(forms.Form):
    postcode = forms.CharField(
        label=_("Where you'd like a lift from (postcode)"),
        max_length=8,
        help_text=_("Drivers see only its first half (like NG1) until you have both confirmed a lift."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
    )
    notes = forms.CharField(
        label=_("Notes for drivers"),
        required=False,
        max_length=NOTES_MAX,
        help_text=_("Anything a driver should know: a wheelchair, a child seat... Not your address."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

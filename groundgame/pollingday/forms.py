"""Forms of the organisers' polling-day pages."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy

from groundgame.canvassing.models import Campaign

from .models import PollingDayPlan


class PlanForm(forms.Form):
    promise_intentions = forms.MultipleChoiceField(
        label=gettext_lazy("A promise says they will vote for"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The voting intention of an elector's latest canvass record."),
    )
    promise_min_certainty = forms.IntegerField(
        label=gettext_lazy("…with a certainty of at least"),
        min_value=1,
        max_value=5,
        initial=4,
        help_text=gettext_lazy("1 (might) to 5 (certain)."),
    )
    knock_up_list_size = forms.IntegerField(
        label=gettext_lazy("Doors per knock-up list"),
        initial=40,
        validators=[MinValueValidator(5), MaxValueValidator(500)],
    )

    def __init__(self, *args, campaign: Campaign, plan: PollingDayPlan | None = None, **kwargs):
        if plan is not None and not args:
            kwargs.setdefault(
                "initial",
                {
                    "promise_intentions": plan.promise_intentions,
                    "promise_min_certainty": plan.promise_min_certainty,
                    "knock_up_list_size": plan.knock_up_list_size,
                },
            )
        super().__init__(*args, **kwargs)
        parties = [(p["code"], p.get("name") or p["code"]) for p in campaign.parties or [] if p.get("code")]
        self.fields["promise_intentions"].choices = parties
        if plan is None:
            del self.fields["knock_up_list_size"]


class PlaceForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Add a"),
        choices=[("station", gettext_lazy("Polling station")), ("room", gettext_lazy("Committee room"))],
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)

"""Forms of the democracy pages. They validate shape only; the services validate the rules (and say why)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Ballot, BallotOption
from .receipts import ALPHABET, LENGTH, receipt_code_normalise


class MotionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("Text of the motion"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("Each line is numbered, so that amendments can name the lines they change."),
    )
    rationale = forms.CharField(
        label=gettext_lazy("Why (rationale)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class AmendmentForm(forms.Form):
    line_from = forms.IntegerField(label=gettext_lazy("From line"), min_value=1)
    line_to = forms.IntegerField(label=gettext_lazy("To line"), min_value=1)
    replacement = forms.CharField(
        label=gettext_lazy("Replace those lines with"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=gettext_lazy("Leave empty to delete the lines."),
    )
    rationale = forms.CharField(
        label=gettext_lazy("Why (rationale)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, lines: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for name in ("line_from", "line_to"):
            self.fields[name].widget.attrs.update({"max": lines, "inputmode": "numeric"})

    def clean(self):
        data = super().clean()
        for name in ("line_from", "line_to"):
            if data.get(name) and data[name] > self.lines:
                self.add_error(name, _("The motion has %(count)d lines.") % {"count": self.lines})
        if data.get("line_from") and data.get("line_to") and data["line_to"] < data["line_from"]:
            self.add_error("line_to", _("The last line comes after the first."))
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class BallotForm(forms.Form):
    question = forms.CharField(label=gettext_lazy("Question"), max_length=300)
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Ballot.Method.choices)
    options = forms.CharField(
        label=gettext_lazy("Options or candidates, one a line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=gettext_lazy("Not needed for yes/no/abstain."),
    )
    seats = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1, initial=1)
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at"), widget=DateTimeInput())
    quorum_percent = forms.IntegerField(
        label=gettext_lazy("Minimum turnout (% of the roll)"), min_value=0, max_value=100, required=False
    )
    quorum_count = forms.IntegerField(label=gettext_lazy("Minimum number of voters"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["opens_at"].initial = now
        self.fields["closes_at"].initial = now + datetime.timedelta(days=7)

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("A ballot closes after it opens."))
        data["option_names"] = [line.strip() for line in data.get("options", "").splitlines() if line.strip()]
        return data


# --- voting ------------------------------------------------------------------------------------------------------


class ReceiptCodeField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value:
            code = receipt_code_normalise(value)
            if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
                raise forms.ValidationError(
                    _("A receipt code is 20 letters and digits, like 7KQ2-M9XD-4TRB-HW3N-P8CE.")
                )
        return value


class VoteForm(forms.Form):
    """The choices for one ballot, by its method, as `choices()` (option positions).

    - yes/no/abstain: one radio button;
    - approval: a checkbox per option;
    - ranked: a rank number select per option (the no-JS way; rank.js puts tap-to-rank on top of the same
      selects). Ranks are ordered by number; gaps are fine, a number used twice is not."""

    def __init__(self, *args, ballot: Ballot, options: list[BallotOption], changing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot, self.options = ballot, options
        pairs = [(str(o.position), o.name) for o in options]
        if ballot.method == Ballot.Method.YES_NO_ABSTAIN:
            self.fields["choice"] = forms.ChoiceField(
                label=ballot.question,
                choices=pairs,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one answer.")},
            )
        elif ballot.method == Ballot.Method.APPROVAL:
            self.fields["choice"] = forms.MultipleChoiceField(
                label=_("Tick every option you approve of"),
                choices=pairs,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        else:
            numbers = [("", _("not ranked"))] + [(str(n), str(n)) for n in range(1, len(options) + 1)]
            for option in options:
                self.fields[f"rank_{option.position}"] = forms.TypedChoiceField(
                    label=option.name, choices=numbers, coerce=int, empty_value=None, required=False
                )
        if changing:
            self.fields["receipt_code"] = ReceiptCodeField(
                label=_("Your receipt code"),
                max_length=40,
                help_text=_("The code you were given when you voted. Your new vote replaces the one it names."),
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
                ),
            )

    def rank_fields(self):
        return [self[f"rank_{o.position}"] for o in self.options]

    def clean(self):
        data = super().clean()
        if self.ballot.is_ranked:
            ranks = {o.position: data.get(f"rank_{o.position}") for o in self.options}
            given = [r for r in ranks.values() if r is not None]
            if not given:
                raise forms.ValidationError(_("Rank at least one option."))
            if len(set(given)) != len(given):
                raise forms.ValidationError(_("Give each rank number to one option only."))
            data["positions"] = [
                p for p, r in sorted(((p, r) for p, r in ranks.items() if r is not None), key=lambda x: x[1])
            ]
        elif self.ballot.method == Ballot.Method.APPROVAL:
            data["positions"] = [int(p) for p in data.get("choice", [])]
        elif data.get("choice"):
            data["positions"] = [int(data["choice"])]
        return data


class ReceiptLookupForm(forms.Form):
    code = ReceiptCodeField(
        label=gettext_lazy("Receipt code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

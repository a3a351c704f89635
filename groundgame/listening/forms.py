from django import forms
from django.utils.translation import gettext_lazy as _

from groundgame.people.models import LocalGroup

from .models import Conversation, Statement


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Add a statement"),
        max_length=Statement._meta.get_field("text").max_length,
        help_text=_("One clear point others can agree or disagree with, in your own words."),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 280}),
    )


class ConversationForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(label=_("What it is about"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=LocalGroup.objects.none(),
        required=False,
        empty_label=_("The whole movement"),
        help_text=_("Its members and those of the groups below it take part."),
    )
    moderation = forms.ChoiceField(label=_("New statements"), choices=Conversation.Moderation.choices)
    seed_statements = forms.CharField(
        label=_("Seed statements"),
        help_text=_("One per line; people start by voting on these."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, groups=None, movement_wide: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups if groups is not None else LocalGroup.objects.none()
        self.movement_wide = movement_wide
        if not movement_wide:
            self.fields["group"].required = True
            self.fields["group"].empty_label = None

    def clean_seed_statements(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["seed_statements"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError(_("Give at least one seed statement."))
        if any(len(line) > 280 for line in lines):
            raise forms.ValidationError(_("Keep each statement under 280 characters."))
        return lines
